package controller

import (
	"context"
	"fmt"
	"time"

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
	if p.stored.ID != "" && remote.ID == p.stored.ID {
		p.ownedID = remote.ID
		return nil
	}
	own, err := r.lostCreate(ctx, p, remote)
	switch {
	case err != nil:
		return r.waitForProof(ctx, p, err)
	case own:
	case p.stored.ID != "":
		return r.release(ctx, p, fmt.Sprintf("a different agent (id %s) now holds the key; this Agent's (id %s) is gone", remote.ID, p.stored.ID))
	default:
		return r.release(ctx, p, "this Agent cannot prove it created it")
	}
	p.ownedID = remote.ID
	return nil
}

// lostCreate tells whether the agent at the key is the Agent's own create (or re-create of its
// recorded id) whose answer was lost: a pending create marker, whose body the agent still equals.
// That body is the spec as the manage path resolves it (team members by key, prompts from their
// ConfigMaps); err says why it cannot be resolved now.
func (r *AgentReconciler) lostCreate(ctx context.Context, p *pass, remote *orqclient.Agent) (bool, error) {
	pending := r.pending(p.agent, p.stored.ID)
	if pending == "" {
		return false, nil
	}
	spec, err := r.sentSpec(ctx, p.agent)
	if err != nil {
		return false, err
	}
	desired, err := agentdiff.Desired(spec)
	return err == nil && pending == agentdiff.Hash(desired) && observe(desired, remote).upToDate(), nil
}

// sentSpec is the Agent's spec as its requests are built: each agentRef by the key of the Agent
// it names (in whatever state: only its key matters here), the prompts read from their ConfigMaps.
func (r *AgentReconciler) sentSpec(ctx context.Context, a *orqv1alpha1.Agent) (*orqv1alpha1.Agent, error) {
	resolved := a.DeepCopy()
	for i, m := range resolved.Spec.TeamOfAgents {
		if m.AgentRef == nil {
			continue
		}
		name, target := refTarget(a, m.AgentRef), &orqv1alpha1.Agent{}
		switch err := r.Get(ctx, name, target); {
		case apierrors.IsNotFound(err):
			return nil, failure(waitingOnCluster, orqv1alpha1.ReasonDependencyNotReady, "team member Agent %s is gone, and with it the key its create sent", name)
		case err != nil:
			return nil, err
		}
		resolved.Spec.TeamOfAgents[i] = orqv1alpha1.TeamMember{Key: target.RemoteKey(), Role: m.Role}
	}
	p := &pass{agent: resolved}
	if err := r.resolvePrompts(ctx, p); err != nil {
		return nil, err
	}
	return p.specAgent(), nil
}

// proofWait bounds how long a deleted Agent waits for what its lost create's body was built from
// (a ConfigMap, a team member) to prove the agent at its key is its own.
const proofWait = 10 * time.Minute

// waitForProof keeps an Agent being deleted while what its lost create's body was built from
// cannot be read, retrying every proofRetry for proofWait after its deletion began; then it is
// released, its agent left in orq, with an event that says why.
func (r *AgentReconciler) waitForProof(ctx context.Context, p *pass, err error) error {
	if classify(err).reason != orqv1alpha1.ReasonDependencyNotReady {
		return err
	}
	if r.now().Sub(p.agent.DeletionTimestamp.Time) >= proofWait {
		return r.release(ctx, p, "this Agent cannot prove it created it: "+err.Error())
	}
	return &stepError{reason: orqv1alpha1.ReasonDependencyNotReady, handling: waiting, after: proofRetry,
		err: fmt.Errorf("cannot yet prove the orq agent at the key is this Agent's lost create: %w", err)}
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
