package controller

import (
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
	"github.com/orq-ai/orq-operator/internal/managed"
)

// Plans come in the order the operator acts: what an object names comes before it.
func TestInOrderPutsReferencesFirst(t *testing.T) {
	meta := func(name string) metav1.ObjectMeta { return metav1.ObjectMeta{Namespace: "ns", Name: name} }
	agent := func(name string, tools ...string) *orqv1alpha1.Agent {
		a := &orqv1alpha1.Agent{ObjectMeta: meta(name)}
		for _, tl := range tools {
			a.Spec.Settings.Tools = append(a.Spec.Settings.Tools, orqv1alpha1.AgentTool{Type: "function", ToolRef: &orqv1alpha1.ObjectReference{Name: tl}})
		}
		return a
	}
	member := func(a *orqv1alpha1.Agent, of string) *orqv1alpha1.Agent {
		a.Spec.TeamOfAgents = append(a.Spec.TeamOfAgents, orqv1alpha1.TeamMember{AgentRef: &orqv1alpha1.AgentReference{Name: of}})
		return a
	}
	schedule := &orqv1alpha1.AgentSchedule{ObjectMeta: meta("nightly"), Spec: orqv1alpha1.AgentScheduleSpec{AgentRef: orqv1alpha1.LocalAgentReference{Name: "lead"}}}
	lookup := &orqv1alpha1.Tool{ObjectMeta: meta("lookup")}
	cm := &corev1.ConfigMap{ObjectMeta: meta("lookup")}
	for _, c := range []struct {
		name    string
		objects []client.Object
		want    string
	}{
		{"independent objects keep their order", []client.Object{agent("b"), agent("a"), lookup}, "b a lookup"},
		{"a schedule, its agent, the agent's tool", []client.Object{schedule, agent("lead", "lookup"), lookup}, "lookup lead nightly"},
		{"a team's member first", []client.Object{member(agent("lead"), "helper"), agent("helper")}, "helper lead"},
		{"a ConfigMap of the same name is another object", []client.Object{cm, agent("a", "lookup"), lookup}, "lookup lookup a"},
		{"a cycle is cut", []client.Object{member(agent("x"), "y"), member(agent("y"), "x")}, "y x"},
		{"an object given twice keeps the order, to be refused", []client.Object{agent("a", "lookup"), lookup, agent("a")}, "a lookup a"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var got []string
			for _, o := range managed.PlanOrder(Kinds(), c.objects) {
				got = append(got, o.GetName())
			}
			if strings.Join(got, " ") != c.want {
				t.Errorf("%v, want %s", got, c.want)
			}
		})
	}
}
