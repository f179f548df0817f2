package managed

import (
	"context"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
)

const (
	// DefaultSyncPeriod is how often each workspace is swept for drift.
	DefaultSyncPeriod = 10 * time.Minute
	// MinSyncInterval bounds the per-object orq.ai/sync-interval annotation.
	MinSyncInterval = 10 * time.Second
	// syncJitter spreads the periodic work of many objects over time.
	syncJitter = 0.1
)

// skipIfUnchanged ends the pass of an object whose status shows its remote object handled from
// this very request, key and forced-sync annotation, and which the drift sweep watches: nothing
// needs to be read, since the sweep wakes the object when its remote object changes. This is what
// keeps a restart, or any event that does not change the request, from reading every object.
func (r *Reconciler) skipIfUnchanged(_ context.Context, p *pass) error {
	if !p.woken && r.unchanged(p) {
		return p.done(endUnchanged)
	}
	return nil
}

// unchanged: see skipIfUnchanged. A managed object must also hold its remote object, matching the
// spec, with no create of unknown outcome and no Secret changed since it was sent; an observed one
// only have been compared with this request.
func (r *Reconciler) unchanged(p *pass) bool {
	st := p.status()
	same := r.sweepWatches(p.obj, p.api) && st.AppliedHash == p.hash && st.APIKeyHash == p.apiKeyHash &&
		st.LastHandledReconcileAt == p.obj.GetAnnotations()[orqv1alpha1.AnnotationReconcileRequestedAt]
	if p.obj.ManagedPolicies().ManagementPolicy == orqv1alpha1.ManagementPolicyObserve {
		return same
	}
	return same && st.ID != "" && p.pending == "" && st.SecretsHash == p.secretsHash &&
		meta.IsStatusConditionTrue(st.Conditions, orqv1alpha1.ConditionSynced)
}

// sweepWatches tells whether the drift sweep watches this object's remote object: the sweep runs,
// the workspace's last listing worked, and the object's status is in sync (see swept).
func (r *Reconciler) sweepWatches(o Object, api API) bool {
	return r.sweep != nil && api != nil && swept(o) && !r.sweep.failing(r.sweep.groupOf(o))
}

// swept tells whether the sweep watches an object: it is in sync with its spec (Ready, at its
// generation, with a remote update time recorded) and has no sync interval of its own.
func swept(o Object) bool {
	st := o.ManagedStatus()
	_, ownInterval := o.GetAnnotations()[orqv1alpha1.AnnotationSyncInterval]
	return o.GetDeletionTimestamp().IsZero() && !o.Suspended() && !ownInterval &&
		st.RemoteUpdated != "" && st.ObservedGeneration == o.GetGeneration() &&
		meta.IsStatusConditionTrue(st.Conditions, orqv1alpha1.ConditionReady)
}

// resync is when an object in sync is looked at again: never on a timer when the drift sweep
// watches it; else after its sync interval.
func (r *Reconciler) resync(ctx context.Context, p *pass) time.Duration {
	if r.sweepWatches(p.obj, p.api) {
		return 0
	}
	return r.nextSync(ctx, p.obj)
}

// nextSync is when the remote object is read next: the object's orq.ai/sync-interval annotation,
// else the operator's sync period, with jitter.
func (r *Reconciler) nextSync(ctx context.Context, o Object) time.Duration {
	period := r.syncPeriod()
	if v, ok := o.GetAnnotations()[orqv1alpha1.AnnotationSyncInterval]; ok {
		d, err := time.ParseDuration(v)
		if err == nil && d >= MinSyncInterval {
			period = d
		} else {
			r.log(ctx).Info("ignoring invalid "+orqv1alpha1.AnnotationSyncInterval+" annotation", "value", v, "minimum", MinSyncInterval.String())
		}
	}
	return wait.Jitter(period, syncJitter)
}

// syncPeriod is SyncPeriod, or its default.
func (r *Reconciler) syncPeriod() time.Duration {
	if r.SyncPeriod <= 0 {
		return DefaultSyncPeriod
	}
	return r.SyncPeriod
}

// stalledWith tells whether a status is Stalled for this reason.
func stalledWith(st *orqv1alpha1.ResourceStatus, reason string) bool {
	c := meta.FindStatusCondition(st.Conditions, orqv1alpha1.ConditionStalled)
	return c != nil && c.Status == metav1.ConditionTrue && c.Reason == reason
}

// findCondition returns a condition of a status, or nil.
func findCondition(conds []metav1.Condition, typ string) *metav1.Condition {
	return meta.FindStatusCondition(conds, typ)
}
