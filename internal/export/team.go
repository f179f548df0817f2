package export

import orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"

// linkTeams turns each team member whose agent is exported too into an agentRef to its Agent:
// the operator then keeps a member until the teams that hold it have let it go, and creates a
// team only once its members exist. A member whose team leads back to the agent stays a key, as
// the operator refuses reference cycles. (Remote teams hold keys only: the cycles are looked for
// among keys, before any member is changed.)
func linkTeams(agents []*orqv1alpha1.Agent) {
	byKey := make(map[string]*orqv1alpha1.Agent, len(agents))
	for _, a := range agents {
		byKey[a.Spec.Key] = a
	}
	type link struct {
		member int
		to     string
	}
	links := map[*orqv1alpha1.Agent][]link{}
	for _, a := range agents {
		for i, m := range a.Spec.TeamOfAgents {
			if target, ok := byKey[m.Key]; ok && !leadsTo(byKey, target, a.Spec.Key, map[string]bool{}) {
				links[a] = append(links[a], link{i, target.Name})
			}
		}
	}
	for a, ls := range links {
		for _, l := range ls {
			a.Spec.TeamOfAgents[l.member].Key = ""
			a.Spec.TeamOfAgents[l.member].AgentRef = &orqv1alpha1.AgentReference{Name: l.to}
		}
	}
}

// leadsTo tells whether from is the agent key, or its team, at any depth, holds it.
func leadsTo(byKey map[string]*orqv1alpha1.Agent, from *orqv1alpha1.Agent, key string, seen map[string]bool) bool {
	if from.Spec.Key == key {
		return true
	}
	if seen[from.Spec.Key] {
		return false
	}
	seen[from.Spec.Key] = true
	for _, m := range from.Spec.TeamOfAgents {
		if next, ok := byKey[m.Key]; ok && leadsTo(byKey, next, key, seen) {
			return true
		}
	}
	return false
}
