package controller

import (
	"context"
	"fmt"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/event"
	logf "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
	"github.com/orq-ai/orq-operator/internal/agentdiff"
)

// refIndex indexes Agents by the Agents ("namespace/name") their team references.
const refIndex = ".spec.teamOfAgents.agentRef"

// refTarget is the Agent an agentRef names.
func refTarget(referrer *orqv1alpha1.Agent, ref *orqv1alpha1.AgentReference) types.NamespacedName {
	ns := ref.Namespace
	if ns == "" {
		ns = referrer.Namespace
	}
	return types.NamespacedName{Namespace: ns, Name: ref.Name}
}

// refTargets lists the Agents an Agent's team references, in order, without repeats.
func refTargets(a *orqv1alpha1.Agent) []types.NamespacedName {
	var out []types.NamespacedName
	for _, m := range a.Spec.TeamOfAgents {
		if m.AgentRef != nil {
			if t := refTarget(a, m.AgentRef); !slices.Contains(out, t) {
				out = append(out, t)
			}
		}
	}
	return out
}

// refsOf is the refIndex value of an Agent.
func refsOf(o client.Object) []string {
	targets := refTargets(o.(*orqv1alpha1.Agent))
	out := make([]string, len(targets))
	for i, t := range targets {
		out[i] = t.String()
	}
	return out
}

// allowsReferencesFrom tells whether target may be named in the team of an Agent of namespace.
func allowsReferencesFrom(target *orqv1alpha1.Agent, namespace string) bool {
	return target.Namespace == namespace || slices.Contains(target.Spec.AllowReferencesFrom, "*") ||
		slices.Contains(target.Spec.AllowReferencesFrom, namespace)
}

// resolvable tells whether a referenced Agent's remote agent exists, so that its key may be sent:
// it is Ready, or it created or adopted its agent (and a later failure of its own does not take
// the agent away); and it is not being deleted.
func resolvable(target *orqv1alpha1.Agent) bool {
	return target.DeletionTimestamp.IsZero() &&
		(target.Status.ID != "" || meta.IsStatusConditionTrue(target.Status.Conditions, orqv1alpha1.ConditionReady))
}

// refsResult is how the agentRefs of a team resolved, for the ResolvedRefs condition.
type refsResult struct {
	// resolved is a copy of the Agent whose members are all given by key; nil unless all resolve.
	resolved *orqv1alpha1.Agent
	// err says why they do not resolve (its reason is the condition's).
	err error
}

// maxListed bounds how many Agents a condition message names; the rest are counted.
const maxListed = 3

// resolveTeam resolves each agentRef of the team to its Agent's key. It fails while a referenced
// Agent is missing, not Ready or being deleted (DependencyNotReady), not allowed
// (RefNotPermitted), or when the references form a cycle (ReferenceCycle). An orchestrator that
// still has a member whose Agent is being deleted drops that member from its remote team first,
// so that the member can go (see inUseBy).
func (r *AgentReconciler) resolveTeam(ctx context.Context, p *pass) error {
	if len(refTargets(p.agent)) == 0 {
		return nil
	}
	res, leaving, err := r.resolveRefs(ctx, p.agent, p.apiKeyHash)
	if err != nil {
		return err
	}
	p.refs = res
	if res.err != nil && reasonOf(res.err) == orqv1alpha1.ReasonDependencyNotReady {
		if err := r.dropLeavingMembers(ctx, p, leaving); err != nil {
			return err
		}
	}
	return res.err
}

// resolveRefs looks up each referenced Agent; leaving lists the keys of those being deleted.
// workspace is the hash of the API key of the Agent: a member must be in the same workspace,
// where its key names its agent.
func (r *AgentReconciler) resolveRefs(ctx context.Context, agent *orqv1alpha1.Agent, workspace string) (*refsResult, []string, error) {
	if cycle, err := r.findCycle(ctx, agent); err != nil {
		return nil, nil, err
	} else if cycle != "" {
		return &refsResult{err: failure(terminal, orqv1alpha1.ReasonReferenceCycle, "reference cycle: teamOfAgents leads back to this Agent: %s", cycle)}, nil, nil
	}
	resolved := agent.DeepCopy()
	var waiting, refused, elsewhere, leaving []string
	for i, m := range resolved.Spec.TeamOfAgents {
		if m.AgentRef == nil {
			continue
		}
		name := refTarget(agent, m.AgentRef)
		target := &orqv1alpha1.Agent{}
		switch err := r.Get(ctx, name, target); {
		case apierrors.IsNotFound(err):
			waiting = append(waiting, fmt.Sprintf("Agent %s does not exist", name))
			continue
		case err != nil:
			return nil, nil, err
		}
		switch {
		case !allowsReferencesFrom(target, agent.Namespace):
			refused = append(refused, fmt.Sprintf("Agent %s does not allow references from namespace %s (its spec.allowReferencesFrom)", name, agent.Namespace))
		case credentialSource(target) != credentialSource(agent) && r.workspaceOf(ctx, target) != workspace:
			elsewhere = append(elsewhere, fmt.Sprintf("Agent %s (its API key %s)", name, orEmpty(r.workspaceOf(ctx, target))))
		case !target.DeletionTimestamp.IsZero():
			waiting = append(waiting, fmt.Sprintf("Agent %s is being deleted", name))
			leaving = append(leaving, target.RemoteKey())
		case !resolvable(target):
			waiting = append(waiting, fmt.Sprintf("Agent %s is not Ready", name))
		default:
			resolved.Spec.TeamOfAgents[i] = orqv1alpha1.TeamMember{Key: target.RemoteKey(), Role: m.Role}
		}
	}
	switch {
	case len(refused) > 0:
		return &refsResult{err: failure(terminal, orqv1alpha1.ReasonRefNotPermitted, "reference not permitted: %s", listSome(refused))}, nil, nil
	case len(elsewhere) > 0:
		return &refsResult{err: failure(terminal, orqv1alpha1.ReasonWorkspaceMismatch,
			"reference to another workspace: Agent %s (its API key %s) names in teamOfAgents %s, whose key would name nothing, or another agent, in this workspace; give both the same credentials",
			client.ObjectKeyFromObject(agent), orEmpty(workspace), listSome(elsewhere))}, nil, nil
	case len(waiting) > 0:
		return &refsResult{err: failure(waitingOnCluster, orqv1alpha1.ReasonDependencyNotReady, "waiting for team members: %s", listSome(waiting))}, leaving, nil
	}
	return &refsResult{resolved: resolved}, nil, nil
}

// orEmpty is an API key hash, or says there is none.
func orEmpty(hash string) string {
	if hash == "" {
		return "unknown"
	}
	return hash
}

// listSome joins the first maxListed items and counts the others, so that a message stays short
// however large the team.
func listSome(items []string) string {
	if len(items) <= maxListed {
		return strings.Join(items, "; ")
	}
	return fmt.Sprintf("%s; and %d more", strings.Join(items[:maxListed], "; "), len(items)-maxListed)
}

// dropLeavingMembers removes from the remote team the members whose Agents are being deleted,
// when this Agent manages its remote agent; the rest of the team is left as it is until every
// reference resolves again.
func (r *AgentReconciler) dropLeavingMembers(ctx context.Context, p *pass, leaving []string) error {
	agent := p.agent
	if p.stored.ID == "" || agent.Spec.ManagementPolicy == orqv1alpha1.ManagementPolicyObserve ||
		!slices.ContainsFunc(leaving, func(k string) bool { return slices.Contains(p.stored.TeamKeys, k) }) {
		return nil
	}
	remote, err := p.api.GetAgent(ctx, agent.RemoteKey())
	if err != nil {
		return err
	}
	if remote.ID != p.stored.ID {
		return nil // not this Agent's agent any more: claimRemote deals with it once refs resolve
	}
	body, dropped := agentdiff.WithoutMembers(remote.Raw, leaving)
	if len(dropped) > 0 {
		if remote, err = p.api.UpdateAgent(ctx, agent.RemoteKey(), body); err != nil {
			return err
		}
		logf.FromContext(ctx).Info("dropped team members whose Agents are being deleted", "members", dropped)
		r.event(agent, corev1.EventTypeNormal, orqv1alpha1.ReasonMemberRemoved, actionUpdate, "Removed %s from the team of orq agent %q: their Agents are being deleted", strings.Join(dropped, ", "), agent.RemoteKey())
	}
	p.remote, p.ownedID = observe(nil, remote), remote.ID
	return nil
}

// findCycle follows the agentRefs from agent, through the cache, and describes the first path
// back to it ("" when there is none).
func (r *AgentReconciler) findCycle(ctx context.Context, agent *orqv1alpha1.Agent) (string, error) {
	start := client.ObjectKeyFromObject(agent)
	visited := map[types.NamespacedName]bool{}
	var path []string
	var walk func(a *orqv1alpha1.Agent) (bool, error)
	walk = func(a *orqv1alpha1.Agent) (bool, error) {
		for _, t := range refTargets(a) {
			if t == start {
				path = append(path, t.String())
				return true, nil
			}
			if visited[t] {
				continue
			}
			visited[t] = true
			next := &orqv1alpha1.Agent{}
			if err := r.Get(ctx, t, next); apierrors.IsNotFound(err) {
				continue
			} else if err != nil {
				return false, err
			}
			path = append(path, t.String())
			if found, err := walk(next); found || err != nil {
				return found, err
			}
			path = path[:len(path)-1]
		}
		return false, nil
	}
	found, err := walk(agent)
	if !found || err != nil {
		return "", err
	}
	return strings.Join(append([]string{start.String()}, path...), " -> "), nil
}

// inUseBy lists the Agents whose remote team still holds this Agent's key, other than Agents
// already gone: its remote agent must not be deleted before they let it go.
func (r *AgentReconciler) inUseBy(ctx context.Context, agent *orqv1alpha1.Agent) ([]string, error) {
	var list orqv1alpha1.AgentList
	if err := r.List(ctx, &list, client.MatchingFields{refIndex: client.ObjectKeyFromObject(agent).String()}); err != nil {
		return nil, err
	}
	var users []string
	for i := range list.Items {
		u := &list.Items[i]
		if u.UID != agent.UID && slices.Contains(u.Status.TeamKeys, agent.RemoteKey()) {
			users = append(users, client.ObjectKeyFromObject(u).String())
		}
	}
	return users, nil
}

// referencesChanged passes the Agent events that can change how the Agents whose teams
// reference it resolve: its creation and deletion, the start of its deletion, its remote agent
// coming to exist, and a change of its consent or of its workspace.
type referencesChanged struct{}

func (referencesChanged) Create(event.CreateEvent) bool   { return true }
func (referencesChanged) Delete(event.DeleteEvent) bool   { return true }
func (referencesChanged) Generic(event.GenericEvent) bool { return false }
func (referencesChanged) Update(e event.UpdateEvent) bool {
	o, ok1 := e.ObjectOld.(*orqv1alpha1.Agent)
	n, ok2 := e.ObjectNew.(*orqv1alpha1.Agent)
	return ok1 && ok2 && (resolvable(o) != resolvable(n) || o.Status.APIKeyHash != n.Status.APIKeyHash ||
		o.DeletionTimestamp.IsZero() != n.DeletionTimestamp.IsZero() ||
		!slices.Equal(o.Spec.AllowReferencesFrom, n.Spec.AllowReferencesFrom))
}

// teamChanged passes the Agent events after which a member it used may be free to go: its
// deletion, and a change of its remote team or of its references.
type teamChanged struct{}

func (teamChanged) Create(event.CreateEvent) bool   { return false }
func (teamChanged) Delete(event.DeleteEvent) bool   { return true }
func (teamChanged) Generic(event.GenericEvent) bool { return false }
func (teamChanged) Update(e event.UpdateEvent) bool {
	o, ok1 := e.ObjectOld.(*orqv1alpha1.Agent)
	n, ok2 := e.ObjectNew.(*orqv1alpha1.Agent)
	return ok1 && ok2 && (!slices.Equal(o.Status.TeamKeys, n.Status.TeamKeys) || !slices.Equal(refTargets(o), refTargets(n)))
}

// referrers maps an Agent to the Agents whose team references it.
func (r *AgentReconciler) referrers(ctx context.Context, o client.Object) []reconcile.Request {
	return r.requestsByIndex(ctx, refIndex, client.ObjectKeyFromObject(o).String(), o.GetUID())
}

// leavingMembers maps an Agent to the Agents its team references that are being deleted: they
// may wait for it to let them go.
func (r *AgentReconciler) leavingMembers(ctx context.Context, o client.Object) []reconcile.Request {
	agent, ok := o.(*orqv1alpha1.Agent)
	if !ok {
		return nil
	}
	var out []reconcile.Request
	for _, t := range refTargets(agent) {
		target := &orqv1alpha1.Agent{}
		if err := r.Get(ctx, t, target); err == nil && !target.DeletionTimestamp.IsZero() {
			out = append(out, reconcile.Request{NamespacedName: t})
		}
	}
	return out
}
