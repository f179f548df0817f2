package managed

import (
	"context"
	"encoding/json"
	"reflect"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
)

// finish computes the status from the pass, tells of what newly went wrong, writes the status if,
// and only if, it changed, and returns when to come back.
func (r *Reconciler) finish(ctx context.Context, p *pass) (ctrl.Result, error) {
	if p.end == endReleased {
		return ctrl.Result{}, nil // the object is gone, or going: nothing left to report
	}
	r.computeStatus(p)
	r.announce(p)
	res, err := r.result(ctx, p)
	if werr := r.writeStatus(ctx, p); werr != nil {
		// Retried with backoff whatever ended the pass: a refusal (terminal) that never reached
		// status would leave Flux and Argo CD waiting for ever.
		if err != nil {
			r.log(ctx).Info("the pass failed, and so did its status write; retrying", "error", r.redacted(p, err.Error()))
		}
		return r.unlessConflict(ctx, ctrl.Result{}, werr)
	}
	return r.unlessConflict(ctx, res, err)
}

// conflictRetry is when a pass whose write met a newer version of its object comes back.
const conflictRetry = time.Second

// unlessConflict turns a write that met a newer version of the object (the cache lagged, or
// someone wrote meanwhile) into a quiet retry by a pass that reads it: it is routine, not an
// error to log with a stack trace.
func (r *Reconciler) unlessConflict(ctx context.Context, res ctrl.Result, err error) (ctrl.Result, error) {
	if !apierrors.IsConflict(err) {
		return res, err
	}
	r.log(ctx).V(1).Info("the object changed during the pass; retrying with its new version", "error", err.Error())
	return ctrl.Result{RequeueAfter: conflictRetry}, nil
}

// writeStatus patches the status when this pass changed it. The patch is computed between the
// stored status and the new one only, so that metadata this pass wrote is not sent again; it
// carries the object's UID and resourceVersion as preconditions, so that it never lands on an object
// of the same name made since (a delete and re-create during the pass), nor on a spec changed
// since the pass read it: a conflict is retried, by a pass that sees the change (review R12, R3).
func (r *Reconciler) writeStatus(ctx context.Context, p *pass) error {
	if equality.Semantic.DeepEqual(statusOf(p.stored), statusOf(p.obj)) {
		return nil
	}
	from := p.obj.DeepCopyObject().(Object)
	reflect.ValueOf(from).Elem().FieldByName("Status").Set(reflect.ValueOf(statusOf(p.stored)))
	data, err := client.MergeFrom(from).Data(p.obj)
	if err != nil {
		return err
	}
	var patch map[string]any
	if err := json.Unmarshal(data, &patch); err != nil {
		return err
	}
	patch["metadata"] = map[string]any{"uid": string(p.obj.GetUID()), "resourceVersion": p.obj.GetResourceVersion()}
	data, err = json.Marshal(patch)
	if err != nil {
		return err
	}
	err = r.Status().Patch(ctx, p.obj, client.RawPatch(types.MergePatchType, data))
	if apierrors.IsNotFound(err) {
		return nil
	}
	return err
}

// statusOf is the Status field of an object of any kind (a value).
func statusOf(o Object) any { return reflect.ValueOf(o).Elem().FieldByName("Status").Interface() }

// result is when the object is looked at again, by how its pass ended.
func (r *Reconciler) result(ctx context.Context, p *pass) (ctrl.Result, error) {
	switch p.end {
	case endApplied, endObserved:
		if p.view == nil {
			return ctrl.Result{RequeueAfter: r.nextSync(ctx, p.obj)}, nil // an observed remote object that may appear
		}
		return ctrl.Result{RequeueAfter: r.resync(ctx, p)}, nil
	case endInUse:
		return ctrl.Result{RequeueAfter: r.nextSync(ctx, p.obj)}, nil
	case endFailed:
		return r.retry(ctx, p)
	}
	return ctrl.Result{}, nil
}

// retry applies the handling of the error that ended the pass.
func (r *Reconciler) retry(ctx context.Context, p *pass) (ctrl.Result, error) {
	c, log := classify(p.err), r.log(ctx)
	deleting := !p.obj.GetDeletionTimestamp().IsZero()
	switch {
	case c.handling == terminal && !deleting:
		return ctrl.Result{}, reconcile.TerminalError(r.redactedErr(p, p.err))
	case c.handling == waitingOnCluster:
		log.V(1).Info("waiting", "reason", c.reason, "for", r.redacted(p, p.err.Error()))
		return ctrl.Result{RequeueAfter: r.nextSync(ctx, p.obj)}, nil
	case c.handling == terminal || c.handling == stalledSlow:
		// A deletion is never given up: what is terminal elsewhere is retried every sync period.
		after := c.after
		if after == 0 {
			after = r.nextSync(ctx, p.obj)
		}
		log.Info("stalled; retrying slowly", "reason", c.reason, "after", after.String())
		return ctrl.Result{RequeueAfter: after}, nil
	case c.handling == waiting:
		log.Info("waiting as asked", "reason", c.reason, "after", c.after.String())
		return ctrl.Result{RequeueAfter: c.after}, nil
	}
	return ctrl.Result{}, r.redactedErr(p, p.err)
}

// announce tells, in an event, of a stall or a wait for users that this pass began or changed:
// once, not at every retry.
func (r *Reconciler) announce(p *pass) {
	was := func(typ string) *metav1.Condition { return meta.FindStatusCondition(p.status().Conditions, typ) }
	is := func(typ string) *metav1.Condition {
		return meta.FindStatusCondition(p.obj.ManagedStatus().Conditions, typ)
	}
	changed := func(a, b *metav1.Condition) bool {
		return a == nil || a.Status != b.Status || a.Reason != b.Reason || a.Message != b.Message
	}
	if c := is(orqv1alpha1.ConditionStalled); c != nil && c.Status == metav1.ConditionTrue && changed(was(orqv1alpha1.ConditionStalled), c) &&
		c.Reason != orqv1alpha1.ReasonNotConverging && c.Reason != orqv1alpha1.ReasonRemoteNotFound {
		r.event(p.obj, corev1.EventTypeWarning, c.Reason, actionRefused, "%s", c.Message)
	}
	if c := is(orqv1alpha1.ConditionReady); p.end == endInUse && changed(was(orqv1alpha1.ConditionReady), c) {
		r.event(p.obj, corev1.EventTypeNormal, orqv1alpha1.ReasonInUse, actionDelete, "%s", c.Message)
	}
}

// outcome names how a pass ended, for traces.
func outcome(p *pass) string {
	switch p.end {
	case endApplied:
		return "applied"
	case endUnchanged:
		return "unchanged"
	case endObserved:
		return "observed"
	case endKeyConflict:
		return "key conflict"
	case endSuspended:
		return "suspended"
	case endInUse:
		return "in use"
	case endReleased:
		return "released"
	}
	return "failed: " + classify(p.err).reason
}
