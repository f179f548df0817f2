package controller

import (
	"context"
	"strings"

	corev1 "k8s.io/api/core/v1"
	logf "sigs.k8s.io/controller-runtime/pkg/log"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
	"github.com/orq-ai/orq-operator/internal/agentdiff"
	"github.com/orq-ai/orq-operator/internal/metrics"
)

// updateRemote PATCHes the top-level fields in which this Agent's remote agent differs, and only
// those. It does not patch again an agent that did not converge after the same request, until
// the spec or the remote agent changes (NotConverging).
func (r *AgentReconciler) updateRemote(ctx context.Context, p *pass) error {
	if p.remote == nil || !p.owned() || p.remote.upToDate() || r.notConverged(p) {
		return nil
	}
	changed := p.remote.changed
	updated, err := p.api.UpdateAgent(ctx, p.agent.RemoteKey(), agentdiff.UpdateRequest(p.agent, p.desired, changed))
	if err != nil {
		return err
	}
	key, fields := p.agent.RemoteKey(), strings.Join(changed, ", ")
	logf.FromContext(ctx).Info("updated remote agent", "fields", changed)
	if p.stored.ID != "" && p.stored.AppliedHash == p.hash {
		// This very request was applied before: the remote agent was changed outside.
		metrics.DriftCorrections.WithLabelValues(metrics.DriftUpdated).Inc()
		r.event(p.agent, corev1.EventTypeNormal, orqv1alpha1.ReasonDriftCorrected, actionUpdate, "Put back orq agent %q, changed outside Kubernetes: %s", key, fields)
	} else {
		r.event(p.agent, corev1.EventTypeNormal, orqv1alpha1.ReasonUpdated, actionUpdate, "Updated orq agent %q: %s", key, fields)
	}
	p.remote, p.wrote = observe(p.desired, updated), true
	return nil
}

// notConverged tells whether the last pass sent this very request, orq answered with an agent
// that still differed, and the remote agent has not changed since.
func (r *AgentReconciler) notConverged(p *pass) bool {
	return stalledWith(p.stored, orqv1alpha1.ReasonNotConverging) &&
		p.stored.AppliedHash == p.hash && p.stored.RemoteUpdated == p.remote.updated
}
