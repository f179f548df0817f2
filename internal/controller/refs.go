package controller

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/event"
	logf "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
	"github.com/orq-ai/orq-operator/internal/orqclient"
)

// refIndex indexes Agents by the Agents ("namespace/name") their team references.
const refIndex = ".spec.teamOfAgents.agentRef"

var (
	// errDependencyNotReady: a referenced Agent does not exist yet, is not Ready, or is being
	// deleted. Woken by the referenced Agent's changes.
	errDependencyNotReady = errors.New("waiting for team members")
	// errRefNotPermitted: a cross-namespace reference the target does not allow.
	errRefNotPermitted = errors.New("reference not permitted")
	// errReferenceCycle: the team references lead back to the Agent.
	errReferenceCycle = errors.New("reference cycle")
)

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
		(target.Status.ID != "" || meta.IsStatusConditionTrue(target.Status.Conditions, ConditionReady))
}

// resolveTeam returns a copy of the Agent whose team members are all given by key: each agentRef
// resolved to its Agent's key. It fails, with ResolvedRefs=False, while a referenced Agent is
// missing, not Ready or being deleted (errDependencyNotReady), not allowed (errRefNotPermitted),
// or when the references form a cycle (errReferenceCycle). An orchestrator that still has a
// member whose Agent is being deleted drops that member from its remote team first, so that
// the member can go (see inUseBy).
func (r *AgentReconciler) resolveTeam(ctx context.Context, api AgentAPI, agent *orqv1alpha1.Agent) (*orqv1alpha1.Agent, error) {
	targets := refTargets(agent)
	if len(targets) == 0 {
		meta.RemoveStatusCondition(&agent.Status.Conditions, ConditionResolvedRefs)
		return agent, nil
	}
	if cycle, err := r.findCycle(ctx, agent); err != nil {
		return nil, err
	} else if cycle != "" {
		return nil, r.refsFailed(agent, ReasonReferenceCycle, fmt.Errorf("%w: teamOfAgents leads back to this Agent: %s", errReferenceCycle, cycle))
	}

	resolved := agent.DeepCopy()
	var waiting, refused []string
	var leaving []string // keys of members whose Agents are being deleted
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
			return nil, err
		}
		switch {
		case !allowsReferencesFrom(target, agent.Namespace):
			refused = append(refused, fmt.Sprintf("Agent %s does not allow references from namespace %s (its spec.allowReferencesFrom)", name, agent.Namespace))
		case !target.DeletionTimestamp.IsZero():
			waiting = append(waiting, fmt.Sprintf("Agent %s is being deleted", name))
			leaving = append(leaving, target.RemoteKey())
		case !resolvable(target):
			waiting = append(waiting, fmt.Sprintf("Agent %s is not Ready", name))
		default:
			resolved.Spec.TeamOfAgents[i] = orqv1alpha1.TeamMember{Key: target.RemoteKey(), Role: m.Role}
		}
	}
	if len(refused) > 0 {
		return nil, r.refsFailed(agent, ReasonRefNotPermitted, fmt.Errorf("%w: %s", errRefNotPermitted, strings.Join(refused, "; ")))
	}
	if len(waiting) > 0 {
		err := r.refsFailed(agent, ReasonDependencyNotReady, fmt.Errorf("%w: %s", errDependencyNotReady, strings.Join(waiting, "; ")))
		if dropErr := r.dropLeavingMembers(ctx, api, agent, leaving); dropErr != nil {
			return nil, dropErr
		}
		return nil, err
	}
	r.setCondition(agent, ConditionResolvedRefs, metav1.ConditionTrue, ReasonResolvedRefs, "Every agentRef of teamOfAgents names a Ready Agent")
	return resolved, nil
}

// refsFailed records why the references do not resolve, and returns err.
func (r *AgentReconciler) refsFailed(agent *orqv1alpha1.Agent, reason string, err error) error {
	r.setCondition(agent, ConditionResolvedRefs, metav1.ConditionFalse, reason, err.Error())
	return err
}

// dropLeavingMembers removes from the remote team the members whose Agents are being deleted,
// when this Agent manages its remote agent; the rest of the team is left as it is until every
// reference resolves again.
func (r *AgentReconciler) dropLeavingMembers(ctx context.Context, api AgentAPI, agent *orqv1alpha1.Agent, leaving []string) error {
	if agent.Status.ID == "" || agent.Spec.ManagementPolicy == orqv1alpha1.ManagementPolicyObserve ||
		!slices.ContainsFunc(leaving, func(k string) bool { return slices.Contains(agent.Status.TeamKeys, k) }) {
		return nil
	}
	remote, err := api.GetAgent(ctx, agent.RemoteKey())
	if err != nil {
		return err
	}
	if remote.ID != agent.Status.ID {
		return nil // not this Agent's agent any more: ensureRemote deals with it once refs resolve
	}
	team, _ := remote.Raw["team_of_agents"].([]any)
	kept := make([]any, 0, len(team))
	var dropped []string
	for _, m := range team {
		if k := memberKey(m); slices.Contains(leaving, k) {
			dropped = append(dropped, k)
			continue
		}
		kept = append(kept, m)
	}
	if len(dropped) > 0 {
		if remote, err = api.UpdateAgent(ctx, agent.RemoteKey(), orqclient.Body{"team_of_agents": kept}); err != nil {
			return err
		}
		logf.FromContext(ctx).Info("dropped team members whose Agents are being deleted", "members", dropped)
		r.event(agent, corev1.EventTypeNormal, ReasonMemberRemoved, actionUpdate, "Removed %s from the team of orq agent %q: their Agents are being deleted", strings.Join(dropped, ", "), agent.RemoteKey())
	}
	agent.Status.TeamKeys = teamKeys(remote)
	return nil
}

// memberKey is the key of a team member of a remote agent.
func memberKey(m any) string {
	o, _ := m.(map[string]any)
	k, _ := o["key"].(string)
	return k
}

// teamKeys lists the member keys of a remote agent's team.
func teamKeys(remote *orqclient.Agent) []string {
	team, _ := remote.Raw["team_of_agents"].([]any)
	var keys []string
	for _, m := range team {
		if k := memberKey(m); k != "" {
			keys = append(keys, k)
		}
	}
	return keys
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
// coming to exist, and a change of its consent.
type referencesChanged struct{}

func (referencesChanged) Create(event.CreateEvent) bool   { return true }
func (referencesChanged) Delete(event.DeleteEvent) bool   { return true }
func (referencesChanged) Generic(event.GenericEvent) bool { return false }
func (referencesChanged) Update(e event.UpdateEvent) bool {
	o, ok1 := e.ObjectOld.(*orqv1alpha1.Agent)
	n, ok2 := e.ObjectNew.(*orqv1alpha1.Agent)
	return ok1 && ok2 && (resolvable(o) != resolvable(n) ||
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
