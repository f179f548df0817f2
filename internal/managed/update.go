package managed

import (
	"context"
	"strings"

	corev1 "k8s.io/api/core/v1"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
	"github.com/orq-ai/orq-operator/internal/metrics"
	"github.com/orq-ai/orq-operator/internal/orqclient"
)

// updateRemote sends the top-level fields in which this object's remote object differs, and only
// those, in one update. It does not send again a request after which the remote object did not
// converge, until the spec or the remote object changes (NotConverging).
func (r *Reconciler) updateRemote(ctx context.Context, p *pass) error {
	if p.view == nil || !p.claimed() || p.view.upToDate() || r.notConverged(p) {
		return nil
	}
	changed := p.view.changed
	updated, err := p.api.Update(ctx, r.Kind.Endpoint(), p.desired.Parent, r.address(p.obj, p.claimedID), r.Kind.Patch(p.obj, p.desired, changed))
	if orqclient.IsNotFound(err) {
		// Gone since it was read, or the request names what orq does not know: a read tells.
		if still, gerr := r.get(ctx, p, r.address(p.obj, p.claimedID)); gerr == nil && still != nil {
			return unknownReference(err)
		}
	}
	if err != nil {
		return err
	}
	fields, what := strings.Join(changed, ", "), r.remoteName(p.obj)
	r.log(ctx).Info("updated the remote object", "fields", changed)
	st := p.status()
	switch {
	case st.ID != "" && st.AppliedHash == p.hash && !observedBefore(p):
		// This very request was applied before: the remote object was changed outside.
		metrics.DriftCorrections.WithLabelValues(metrics.DriftUpdated).Inc()
		r.event(p.obj, corev1.EventTypeNormal, orqv1alpha1.ReasonDriftCorrected, actionUpdate, "Put back %s, changed outside Kubernetes: %s", what, fields)
	case observedBefore(p):
		r.event(p.obj, corev1.EventTypeNormal, orqv1alpha1.ReasonUpdated, actionUpdate, "Updated %s to the spec, now managed (it was observed): %s", what, fields)
	default:
		r.event(p.obj, corev1.EventTypeNormal, orqv1alpha1.ReasonUpdated, actionUpdate, "Updated %s: %s", what, fields)
	}
	p.wrote = true
	p.sentSecrets = p.sentSecrets || containsAll(changed, secretFields(p.desired.Body))
	p.view = r.view(p, updated)
	return nil
}

// observedBefore tells whether the last pass compared the remote object under managementPolicy
// Observe: a change sent now is the spec's, not a correction of a change made outside.
func observedBefore(p *pass) bool {
	c := findCondition(p.status().Conditions, orqv1alpha1.ConditionSynced)
	return c != nil && c.Reason == orqv1alpha1.ReasonDrifted
}

// notConverged tells whether the last pass sent this very request, orq answered with a remote
// object that still differed, and the remote object has not changed since.
func (r *Reconciler) notConverged(p *pass) bool {
	st := p.status()
	return stalledWith(st, orqv1alpha1.ReasonNotConverging) &&
		st.AppliedHash == p.hash && st.RemoteUpdated == p.view.remote.Updated
}

// containsAll tells whether every item of sub is in set.
func containsAll(set, sub []string) bool {
	for _, s := range sub {
		found := false
		for _, x := range set {
			if x == s {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}
