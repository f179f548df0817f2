package controller

import (
	"context"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
	"github.com/orq-ai/orq-operator/internal/agentdiff"
	"github.com/orq-ai/orq-operator/internal/orqclient"
)

// observation is what one answer of orq says about the remote agent, decoded once: its identity,
// its version, its team, and the top-level fields in which it differs from the desired request
// (crossplane's ExternalObservation: exists, and up to date when changed is empty).
type observation struct {
	id, projectID, version, status string
	// updated is the remote agent's `updated` time as the API sends it: the drift sweep compares
	// it with the listed agents' to find what changed.
	updated  string
	teamKeys []string
	// changed lists the fields (API names) that differ from the desired request.
	changed []string
}

// observe decodes an answer of orq against the desired request (nil: not compared).
func observe(desired orqclient.Body, remote *orqclient.Agent) *observation {
	o := &observation{
		id: remote.ID, projectID: remote.ProjectID, version: remote.Version, status: remote.Status,
		updated: remote.Updated, teamKeys: remote.TeamKeys,
	}
	if desired != nil {
		o.changed = agentdiff.Diff(desired, agentdiff.Observed(remote.Raw))
	}
	return o
}

// upToDate tells whether the remote agent matches the desired request.
func (o *observation) upToDate() bool { return len(o.changed) == 0 }

// observeOnly reads the remote agent for managementPolicy Observe, and reports how it differs
// from the spec, writing nothing to orq. It never claims the agent: status.id keeps naming only
// an agent this Agent created or adopted, so switching to Manage still goes through adoption.
func (r *AgentReconciler) observeOnly(ctx context.Context, p *pass) error {
	remote, err := p.api.GetAgent(ctx, p.agent.RemoteKey())
	switch {
	case orqclient.IsNotFound(err):
		return p.done(endObserved)
	case err != nil:
		return err
	}
	p.remote = observe(p.desired, remote)
	if !p.remote.upToDate() && !slices.Equal(p.remote.changed, p.stored.PendingChanges) {
		r.event(p.agent, corev1.EventTypeNormal, orqv1alpha1.ReasonDriftDetected, actionObserve,
			"orq agent %q differs from the spec in: %s (managementPolicy Observe: not corrected)", p.agent.RemoteKey(), strings.Join(p.remote.changed, ", "))
	}
	return p.done(endObserved)
}
