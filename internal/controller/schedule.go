package controller

import (
	"context"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	logf "sigs.k8s.io/controller-runtime/pkg/log"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
)

const (
	// DefaultSyncPeriod is how often each workspace is swept for drift.
	DefaultSyncPeriod = 10 * time.Minute
	// MinSyncInterval bounds the per-object orq.ai/sync-interval annotation.
	MinSyncInterval = 10 * time.Second
	// syncJitter spreads the periodic work of many agents over time.
	syncJitter = 0.1
)

// skipIfInSync ends the pass of an Agent whose status shows its remote agent handled from this
// very request, key and forced-sync annotation, and which the drift sweep watches: nothing needs
// to be read, since the sweep wakes the Agent when its remote agent changes. This is what keeps a
// restart, or any event that does not change the request, from reading every agent.
func (r *AgentReconciler) skipIfInSync(_ context.Context, p *pass) error {
	if !p.woken && r.inSync(p) {
		return p.done(endInSync)
	}
	return nil
}

// inSync: see skipIfInSync. A managed Agent must also hold its agent, matching the spec, with no
// create of unknown outcome; an observed one only have been compared with this request.
func (r *AgentReconciler) inSync(p *pass) bool {
	st := p.stored
	same := r.sweepWatches(p.agent, p.api) && st.AppliedHash == p.hash && st.APIKeyHash == p.apiKeyHash &&
		st.LastHandledReconcileAt == p.agent.Annotations[orqv1alpha1.AnnotationReconcileRequestedAt]
	if p.agent.Spec.ManagementPolicy == orqv1alpha1.ManagementPolicyObserve {
		return same
	}
	return same && st.ID != "" && p.pending == "" &&
		meta.IsStatusConditionTrue(st.Conditions, orqv1alpha1.ConditionSynced)
}

// sweepWatches tells whether the drift sweep watches this Agent's remote agent: the sweep runs,
// the Agent's client can list, its workspace's last listing worked, and the Agent's status is in
// sync (see swept).
func (r *AgentReconciler) sweepWatches(agent *orqv1alpha1.Agent, api AgentAPI) bool {
	_, lists := api.(AgentLister)
	return r.sweep != nil && lists && swept(agent) && !r.sweep.failing(credentialSource(agent))
}

// swept tells whether the sweep watches an Agent: it is in sync with its spec (Ready, at its
// generation, with a remote update time recorded) and has no sync interval of its own.
func swept(a *orqv1alpha1.Agent) bool {
	_, ownInterval := a.Annotations[orqv1alpha1.AnnotationSyncInterval]
	return a.DeletionTimestamp.IsZero() && !a.Spec.Suspend && !ownInterval &&
		a.Status.RemoteUpdated != "" && a.Status.ObservedGeneration == a.Generation &&
		meta.IsStatusConditionTrue(a.Status.Conditions, orqv1alpha1.ConditionReady)
}

// resync is when an Agent in sync is looked at again: never on a timer when the drift sweep
// watches it; else after its sync interval.
func (r *AgentReconciler) resync(ctx context.Context, p *pass) time.Duration {
	if r.sweepWatches(p.agent, p.api) {
		return 0
	}
	return r.nextSync(ctx, p.agent)
}

// nextSync is when the agent is re-read next: its orq.ai/sync-interval annotation, else the
// operator's sync period, with jitter.
func (r *AgentReconciler) nextSync(ctx context.Context, agent *orqv1alpha1.Agent) time.Duration {
	period := r.syncPeriod()
	if v, ok := agent.Annotations[orqv1alpha1.AnnotationSyncInterval]; ok {
		d, err := time.ParseDuration(v)
		if err == nil && d >= MinSyncInterval {
			period = d
		} else {
			logf.FromContext(ctx).Info("ignoring invalid "+orqv1alpha1.AnnotationSyncInterval+" annotation", "value", v, "minimum", MinSyncInterval.String())
		}
	}
	return wait.Jitter(period, syncJitter)
}

// syncPeriod is SyncPeriod, or its default.
func (r *AgentReconciler) syncPeriod() time.Duration {
	if r.SyncPeriod <= 0 {
		return DefaultSyncPeriod
	}
	return r.SyncPeriod
}

// stalledWith tells whether a status is Stalled for this reason.
func stalledWith(st orqv1alpha1.AgentStatus, reason string) bool {
	c := meta.FindStatusCondition(st.Conditions, orqv1alpha1.ConditionStalled)
	return c != nil && c.Status == metav1.ConditionTrue && c.Reason == reason
}
