package controller

import (
	"context"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	logf "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
)

// finish computes the status from the pass, tells of what newly went wrong, writes the status
// if, and only if, it changed, and returns when to come back.
func (r *AgentReconciler) finish(ctx context.Context, p *pass) (ctrl.Result, error) {
	if p.end == endReleased {
		return ctrl.Result{}, nil // the Agent is gone, or going: nothing left to report
	}
	p.agent.Status = r.status(p)
	r.announce(p)
	res, err := r.result(ctx, p)
	if werr := r.writeStatus(ctx, p); werr != nil {
		// Retried with backoff whatever ended the pass: a refusal (terminal) that never reached
		// status would leave Flux and Argo CD waiting for ever.
		if err != nil {
			logf.FromContext(ctx).Info("the pass failed, and so did its status write; retrying", "error", err.Error())
		}
		return ctrl.Result{}, werr
	}
	return res, err
}

// writeStatus patches the status when this pass changed it. The patch is computed between the
// stored status and the new one only: metadata this pass wrote is not sent again.
func (r *AgentReconciler) writeStatus(ctx context.Context, p *pass) error {
	if equality.Semantic.DeepEqual(p.stored, p.agent.Status) {
		return nil
	}
	from := p.agent.DeepCopy()
	from.Status = p.stored
	err := r.Status().Patch(ctx, p.agent, client.MergeFrom(from))
	if apierrors.IsNotFound(err) {
		return nil
	}
	return err
}

// result is when the Agent is looked at again, by how its pass ended.
func (r *AgentReconciler) result(ctx context.Context, p *pass) (ctrl.Result, error) {
	switch p.end {
	case endSynced, endObserved:
		if p.remote == nil {
			return ctrl.Result{RequeueAfter: r.nextSync(ctx, p.agent)}, nil // an observed agent that may appear
		}
		return ctrl.Result{RequeueAfter: r.resync(ctx, p)}, nil
	case endInUse:
		return ctrl.Result{RequeueAfter: r.nextSync(ctx, p.agent)}, nil
	case endFailed:
		return r.retry(ctx, p)
	}
	return ctrl.Result{}, nil
}

// retry applies the handling of the error that ended the pass.
func (r *AgentReconciler) retry(ctx context.Context, p *pass) (ctrl.Result, error) {
	c, log := classify(p.err), logf.FromContext(ctx)
	deleting := !p.agent.DeletionTimestamp.IsZero()
	switch {
	case c.handling == terminal && !deleting:
		return ctrl.Result{}, reconcile.TerminalError(p.err)
	case c.handling == waitingOnCluster:
		log.V(1).Info("waiting", "reason", c.reason, "for", p.err.Error())
		return ctrl.Result{RequeueAfter: r.nextSync(ctx, p.agent)}, nil
	case c.handling == terminal || c.handling == stalledSlow:
		// A deletion is never given up: what is terminal elsewhere is retried every sync period.
		after := c.after
		if after == 0 {
			after = r.nextSync(ctx, p.agent)
		}
		log.Info("stalled; retrying slowly", "reason", c.reason, "after", after.String())
		return ctrl.Result{RequeueAfter: after}, nil
	case c.handling == waiting:
		log.Info("orq API asked to wait", "reason", c.reason, "after", c.after.String())
		return ctrl.Result{RequeueAfter: c.after}, nil
	}
	return ctrl.Result{}, p.err
}

// announce tells, in an event, of a stall or a wait for other Agents' teams that this pass
// began or changed: once, not at every retry.
func (r *AgentReconciler) announce(p *pass) {
	was := func(typ string) *metav1.Condition { return meta.FindStatusCondition(p.stored.Conditions, typ) }
	is := func(typ string) *metav1.Condition { return meta.FindStatusCondition(p.agent.Status.Conditions, typ) }
	changed := func(a, b *metav1.Condition) bool {
		return a == nil || a.Status != b.Status || a.Reason != b.Reason || a.Message != b.Message
	}
	if c := is(orqv1alpha1.ConditionStalled); c != nil && c.Status == metav1.ConditionTrue && changed(was(orqv1alpha1.ConditionStalled), c) &&
		c.Reason != orqv1alpha1.ReasonNotConverging && c.Reason != orqv1alpha1.ReasonRemoteNotFound {
		r.event(p.agent, corev1.EventTypeWarning, c.Reason, actionRefused, "%s", c.Message)
	}
	if c := is(orqv1alpha1.ConditionReady); p.end == endInUse && changed(was(orqv1alpha1.ConditionReady), c) {
		r.event(p.agent, corev1.EventTypeNormal, orqv1alpha1.ReasonInUse, actionDelete, "%s", c.Message)
	}
}
