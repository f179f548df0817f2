package controller

import (
	"context"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
	"github.com/orq-ai/orq-operator/internal/agentdiff"
)

// checkSuspended ends the pass of a suspended Agent: no call to orq at all.
func (r *AgentReconciler) checkSuspended(_ context.Context, p *pass) error {
	if p.agent.Spec.Suspend {
		return p.done(endSuspended)
	}
	return nil
}

// buildDesired turns the spec, its team and prompts resolved, into the request orq is to hold.
func (r *AgentReconciler) buildDesired(_ context.Context, p *pass) error {
	desired, err := agentdiff.Desired(p.specAgent())
	if err != nil {
		return failure(terminal, orqv1alpha1.ReasonInvalidSpec, "invalid spec: %v", err)
	}
	p.desired, p.hash = desired, agentdiff.Hash(desired)
	return nil
}
