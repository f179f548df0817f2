package controller

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
	"github.com/orq-ai/orq-operator/internal/agentdiff"
	"github.com/orq-ai/orq-operator/internal/orqclient"
)

// reasonGone: there is nothing left to delete.
const reasonGone = "it does not exist"

// checkFinalizer ends the pass of an Agent being deleted that the operator already released.
func (r *AgentReconciler) checkFinalizer(_ context.Context, p *pass) error {
	if !controllerutil.ContainsFinalizer(p.agent, orqv1alpha1.FinalizerName) {
		return p.done(endReleased)
	}
	return nil
}

// keepIfNotToDelete releases at once an Agent whose remote agent is to stay in orq.
func (r *AgentReconciler) keepIfNotToDelete(ctx context.Context, p *pass) error {
	policy := p.agent.Spec.DeletionPolicy
	if policy == "" {
		policy = r.DefaultDeletionPolicy
	}
	switch {
	case p.owner != nil:
		return r.release(ctx, p, fmt.Sprintf("the key is managed by Agent %s/%s", p.owner.Namespace, p.owner.Name))
	case p.agent.Spec.Suspend:
		return r.release(ctx, p, "the Agent is suspended")
	case p.agent.Spec.ManagementPolicy == orqv1alpha1.ManagementPolicyObserve:
		return r.release(ctx, p, "managementPolicy is Observe")
	case policy == orqv1alpha1.DeletionPolicyOrphan:
		return r.release(ctx, p, "deletionPolicy is Orphan")
	}
	return nil
}

// waitForTeams keeps a deleted Agent while its remote agent is in the team of other Agents: they
// drop it first (see dropLeavingMembers), and their status changes wake this Agent.
func (r *AgentReconciler) waitForTeams(ctx context.Context, p *pass) error {
	users, err := r.inUseBy(ctx, p.agent)
	if err != nil {
		return err
	}
	if len(users) > 0 {
		p.users = users
		return p.done(endInUse)
	}
	return nil
}

// confirmOwnership reads the agent at the key: only the agent whose id this Agent recorded is
// deleted, whatever adoptionPolicy says (it decides what may be taken over, not what may be
// deleted), or one provably its own lost create or re-create (see marker.go).
func (r *AgentReconciler) confirmOwnership(ctx context.Context, p *pass) error {
	remote, err := p.api.GetAgent(ctx, p.agent.RemoteKey())
	switch {
	case orqclient.IsNotFound(err):
		return r.releaseGone(ctx, p)
	case err != nil:
		return err
	}
	switch {
	case p.stored.ID != "" && remote.ID == p.stored.ID:
	case r.lostCreate(p.agent, p.stored.ID, remote):
	case p.stored.ID != "":
		return r.release(ctx, p, fmt.Sprintf("a different agent (id %s) now holds the key; this Agent's (id %s) is gone", remote.ID, p.stored.ID))
	default:
		return r.release(ctx, p, "this Agent cannot prove it created it")
	}
	p.ownedID = remote.ID
	return nil
}

// lostCreate tells whether the agent at the key is the Agent's own create (or re-create of
// storedID) whose answer was lost: a pending create marker, whose body the agent still equals.
func (r *AgentReconciler) lostCreate(a *orqv1alpha1.Agent, storedID string, remote *orqclient.Agent) bool {
	pending := r.pending(a, storedID)
	desired, err := agentdiff.Desired(a)
	return pending != "" && err == nil && pending == agentdiff.Hash(desired) && observe(desired, remote).upToDate()
}

// deleteRemote deletes this Agent's remote agent, then releases the Agent.
func (r *AgentReconciler) deleteRemote(ctx context.Context, p *pass) error {
	key := p.agent.RemoteKey()
	switch err := p.api.DeleteAgent(ctx, key); {
	case err == nil:
		r.event(p.agent, corev1.EventTypeNormal, orqv1alpha1.ReasonDeleted, actionDelete, "Deleted orq agent %q", key)
	case orqclient.IsNotFound(err):
		return r.releaseGone(ctx, p)
	default:
		return err
	}
	return r.release(ctx, p, "")
}

// releaseGone releases an Agent whose remote agent a 404 said is gone, once orq itself is seen to
// answer: a gateway in front of orq (Kong, an API gateway) can answer a route miss exactly in
// orq's 404 shape. Until then the Agent stays, with the error naming the URL that answered.
func (r *AgentReconciler) releaseGone(ctx context.Context, p *pass) error {
	if err := p.api.CheckAPI(ctx); err != nil {
		return err
	}
	return r.release(ctx, p, reasonGone)
}

// release removes the finalizer, so the Agent goes; why, when not empty, says why its remote
// agent stays in orq (an event, unless the key is another Agent's).
func (r *AgentReconciler) release(ctx context.Context, p *pass, why string) error {
	if why != "" && why != reasonGone {
		r.event(p.agent, corev1.EventTypeNormal, orqv1alpha1.ReasonOrphaned, actionDelete, "Left orq agent %q in orq: %s", p.agent.RemoteKey(), why)
	}
	patch := client.MergeFromWithOptions(p.agent.DeepCopy(), client.MergeFromWithOptimisticLock{})
	controllerutil.RemoveFinalizer(p.agent, orqv1alpha1.FinalizerName)
	if err := r.Patch(ctx, p.agent, patch); err != nil && !apierrors.IsNotFound(err) {
		return err
	}
	return p.done(endReleased)
}
