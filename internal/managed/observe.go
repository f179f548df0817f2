package managed

import (
	"context"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
)

// compareOnly reads the remote object for managementPolicy Observe, and reports how it differs
// from the spec, writing nothing to orq. It never claims the remote object: status.id keeps naming
// only one this object created or adopted, so switching to Manage still goes through adoption.
func (r *Reconciler) compareOnly(ctx context.Context, p *pass) error {
	remote, err := r.find(ctx, p, r.now(), false)
	if err != nil || remote == nil {
		if err != nil {
			return err
		}
		return p.done(endObserved)
	}
	p.view = r.view(p, remote)
	if !p.view.upToDate() && !slices.Equal(p.view.changed, p.status().PendingChanges) {
		r.event(p.obj, corev1.EventTypeNormal, orqv1alpha1.ReasonDriftDetected, actionObserve,
			"%s differs from the spec in: %s (managementPolicy Observe: not corrected)", r.remoteName(p.obj), strings.Join(p.view.changed, ", "))
	}
	return p.done(endObserved)
}
