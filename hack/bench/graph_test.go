package main

import (
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

func TestGraphShapeCounts(t *testing.T) {
	for _, tc := range []struct {
		agents, kb, memory, schedules, objects int
		lists                                  map[string]int
	}{
		{10000, 1000, 1000, 2000, 24000, map[string]int{collAgents: 50, collTools: 50, collKnowledge: 5, collMemoryStores: 5, collSchedules: 2000}},
		{1000, 100, 100, 200, 2400, map[string]int{collAgents: 5, collTools: 5, collKnowledge: 1, collMemoryStores: 1, collSchedules: 200}},
		{7, 1, 1, 2, 18, map[string]int{collAgents: 1, collTools: 1, collKnowledge: 1, collMemoryStores: 1, collSchedules: 2}},
	} {
		g := graphShape{agents: tc.agents, knowledgeEvery: 10, memoryEvery: 10, scheduleEvery: 5}
		if g.knowledgeBases() != tc.kb || g.memoryStores() != tc.memory || g.schedules() != tc.schedules || g.objects() != tc.objects {
			t.Errorf("N=%d: %d KBs, %d memory stores, %d schedules, %d objects; want %d, %d, %d, %d", tc.agents,
				g.knowledgeBases(), g.memoryStores(), g.schedules(), g.objects(), tc.kb, tc.memory, tc.schedules, tc.objects)
		}
		for c, want := range tc.lists {
			if got := g.sweepLists()[c]; got != want {
				t.Errorf("N=%d: sweep lists of %s = %d, want %d", tc.agents, c, got, want)
			}
		}
	}
}

// Every reference of the graph names an object of the graph, each scheduled Agent has one
// schedule, and the names are valid for their kind.
func TestGraphObjectsNameEachOther(t *testing.T) {
	g := graphShape{agents: 23, knowledgeEvery: 10, memoryEvery: 4, scheduleEvery: 5}
	exists := map[string]map[string]bool{}
	objects := map[string][]*unstructured.Unstructured{}
	for _, k := range g.kinds() {
		exists[k.kind] = map[string]bool{}
		for i, name := range k.names {
			o := k.object("ns", i)
			if o.GetName() != name || o.GetKind() != k.kind || o.GetNamespace() != "ns" {
				t.Fatalf("%s %d is %s %s/%s, want %s", k.kind, i, o.GetKind(), o.GetNamespace(), o.GetName(), name)
			}
			if exists[k.kind][name] {
				t.Fatalf("two %ss named %s", k.kind, name)
			}
			exists[k.kind][name] = true
			objects[k.kind] = append(objects[k.kind], o)
		}
	}
	if len(objects["Tool"]) != 23 || len(objects["Agent"]) != 23 || len(objects["KnowledgeBase"]) != 3 ||
		len(objects["MemoryStore"]) != 6 || len(objects["AgentSchedule"]) != 5 {
		t.Fatalf("counts: %d tools, %d agents, %d KBs, %d memory stores, %d schedules", len(objects["Tool"]), len(objects["Agent"]),
			len(objects["KnowledgeBase"]), len(objects["MemoryStore"]), len(objects["AgentSchedule"]))
	}
	tools := map[string]bool{}
	for _, a := range objects["Agent"] {
		refs := agentRefs(t, a)
		if !exists["Tool"][refs.tool] || !exists["KnowledgeBase"][refs.kb] || !exists["MemoryStore"][refs.memory] {
			t.Errorf("Agent %s names %+v, not all in the graph", a.GetName(), refs)
		}
		if tools[refs.tool] {
			t.Errorf("Tool %s named twice: each Agent names its own", refs.tool)
		}
		tools[refs.tool] = true
	}
	scheduled := map[string]bool{}
	for _, s := range objects["AgentSchedule"] {
		agent, _, _ := unstructured.NestedString(s.Object, "spec", "agentRef", "name")
		if !exists["Agent"][agent] || scheduled[agent] {
			t.Errorf("schedule %s runs %q: not an Agent of the graph, or one with two schedules", s.GetName(), agent)
		}
		scheduled[agent] = true
	}
	for name := range exists["MemoryStore"] {
		for _, c := range name {
			if c == '-' {
				t.Errorf("memory store %s: keys take no '-'", name)
			}
		}
	}
}

type graphRefs struct{ tool, kb, memory string }

func agentRefs(t *testing.T, a *unstructured.Unstructured) graphRefs {
	t.Helper()
	var r graphRefs
	tools, _, _ := unstructured.NestedSlice(a.Object, "spec", "settings", "tools")
	kbs, _, _ := unstructured.NestedSlice(a.Object, "spec", "knowledgeBases")
	memories, _, _ := unstructured.NestedSlice(a.Object, "spec", "memoryStoreRefs")
	if len(tools) != 1 || len(kbs) != 1 || len(memories) != 1 {
		t.Fatalf("Agent %s: %d tools, %d knowledge bases, %d memory stores; want 1 each", a.GetName(), len(tools), len(kbs), len(memories))
	}
	r.tool, _, _ = unstructured.NestedString(tools[0].(map[string]any), "toolRef", "name")
	r.kb, _, _ = unstructured.NestedString(kbs[0].(map[string]any), "knowledgeBaseRef", "name")
	r.memory, _, _ = unstructured.NestedString(memories[0].(map[string]any), "name")
	return r
}

// With a proportion of 0 the graph holds none of that kind, and its Agents name none.
func TestGraphOfAgentsAndTools(t *testing.T) {
	g := graphShape{agents: 12}
	if !g.agentsAndTools() || g.objects() != 24 {
		t.Fatalf("agents and tools only: %d objects, agentsAndTools %v", g.objects(), g.agentsAndTools())
	}
	var kinds []string
	for _, k := range g.kinds() {
		kinds = append(kinds, k.kind)
	}
	if len(kinds) != 2 || kinds[0] != "Tool" || kinds[1] != "Agent" {
		t.Fatalf("kinds %v, want [Tool Agent]", kinds)
	}
	a := g.kinds()[1].object("ns", 3)
	if _, found, _ := unstructured.NestedSlice(a.Object, "spec", "knowledgeBases"); found {
		t.Error("an Agent names a KnowledgeBase of a graph without any")
	}
	if _, found, _ := unstructured.NestedSlice(a.Object, "spec", "memoryStoreRefs"); found {
		t.Error("an Agent names a MemoryStore of a graph without any")
	}
	if graphRSSGoal(graphShape{agents: 10000}) == "—" || graphRSSGoal(graphShape{agents: 10000, memoryEvery: 1}) != "—" {
		t.Error("the 200 MiB goal is for 10000 Agents and 10000 Tools alone")
	}
	if got := g.describe(); got != "12 Agents, each naming its own Tool (toolRef), no KnowledgeBase, no MemoryStore, no AgentSchedule" {
		t.Errorf("describe: %q", got)
	}
}
