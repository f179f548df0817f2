package export

import (
	"reflect"
	"testing"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
	"github.com/orq-ai/orq-operator/internal/orqclient"
)

// withTeam is remote(key) whose team is these member keys.
func withTeam(key string, members ...string) orqclient.Remote {
	a := remote(key)
	var team []any
	for _, m := range members {
		team = append(team, map[string]any{"key": m, "role": "r " + m})
	}
	a.Raw["team_of_agents"] = team
	return a
}

// A member exported too becomes an agentRef to its Agent, unless that would make a cycle,
// which the operator refuses; other members stay keys.
func TestTeamMembersExportedTooAreAgentRefs(t *testing.T) {
	res := exportAll(t, agentsOnly(
		withTeam("lead", "Helper_One", "elsewhere", "loop-b"),
		remote("Helper_One"),
		withTeam("loop-a", "loop-b"),
		withTeam("loop-b", "loop-a"),
		withTeam("self", "self"),
	), Options{Namespace: "team"})
	teams := map[string][]orqv1alpha1.TeamMember{}
	for _, a := range exportedAgents(res) {
		teams[a.Name] = a.Spec.TeamOfAgents
	}
	ref := func(name, role string) orqv1alpha1.TeamMember {
		return orqv1alpha1.TeamMember{AgentRef: &orqv1alpha1.AgentReference{Name: name}, Role: role}
	}
	key := func(k string) orqv1alpha1.TeamMember { return orqv1alpha1.TeamMember{Key: k, Role: "r " + k} }
	want := map[string][]orqv1alpha1.TeamMember{
		"lead":       {ref("helper-one", "r Helper_One"), key("elsewhere"), ref("loop-b", "r loop-b")},
		"helper-one": nil,
		"loop-a":     {key("loop-b")},
		"loop-b":     {key("loop-a")},
		"self":       {key("self")},
	}
	for name, members := range want {
		if got := teams[name]; !reflect.DeepEqual(got, members) {
			t.Errorf("team of %s = %+v, want %+v", name, got, members)
		}
	}
}
