package main

import (
	"fmt"
	"strconv"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// The graph of the graph scenario: N Agents, each naming a Tool of its own (toolRef), a
// KnowledgeBase and a MemoryStore shared with the Agents next to it, and AgentSchedules that run
// some of them. It is built from N and three proportions (flags), as a team would have it: a tool
// (or several) per agent, knowledge and memory shared by the agents of one domain, a schedule on
// the agents that run unattended.

// graphShape is how many objects of each kind the graph holds for N Agents.
type graphShape struct {
	agents int // and as many Tools: each Agent names its own
	// knowledgeEvery, memoryEvery: Agents that share one KnowledgeBase, one MemoryStore;
	// scheduleEvery: one Agent in so many has an AgentSchedule. 0: none of that kind (the graph
	// of Agents and Tools alone, whose memory issue #19 bounds).
	knowledgeEvery, memoryEvery, scheduleEvery int
}

func (g graphShape) knowledgeBases() int { return ceilDiv(g.agents, g.knowledgeEvery) }
func (g graphShape) memoryStores() int   { return ceilDiv(g.agents, g.memoryEvery) }
func (g graphShape) schedules() int      { return ceilDiv(g.agents, g.scheduleEvery) }

// agentsAndTools: the graph holds Agents and their Tools, nothing else.
func (g graphShape) agentsAndTools() bool {
	return g.knowledgeBases() == 0 && g.memoryStores() == 0 && g.schedules() == 0
}

// describe is the graph in words, for the scenario's title.
func (g graphShape) describe() string {
	s := fmt.Sprintf("%d Agents, each naming its own Tool (toolRef)", g.agents)
	shared := func(kind string, every, n int) string {
		switch {
		case n == 0:
			return ", no " + kind
		case every == 1:
			return fmt.Sprintf(", its own %s (%d)", kind, n)
		}
		return fmt.Sprintf(", a %s shared by %d Agents (%d)", kind, every, n)
	}
	s += shared("KnowledgeBase", g.knowledgeEvery, g.knowledgeBases())
	s += shared("MemoryStore", g.memoryEvery, g.memoryStores())
	if n := g.schedules(); n > 0 {
		return s + fmt.Sprintf(", and an AgentSchedule on one Agent in %d (%d)", g.scheduleEvery, n)
	}
	return s + ", no AgentSchedule"
}

// objects is the number of objects of every kind.
func (g graphShape) objects() int {
	return 2*g.agents + g.knowledgeBases() + g.memoryStores() + g.schedules()
}

// scheduledAgent is the index of the Agent schedule i runs: one schedule per Agent that has one,
// so that each is its own collection in orq (/v3/agents/{key}/schedules).
func (g graphShape) scheduledAgent(i int) int { return i * g.scheduleEvery }

// sweepLists is the least reads of one sync period of drift sweeps, by orq collection: one list
// page per 200 objects of each paged collection, and one unpaged list of the schedules of each
// Agent that has any.
func (g graphShape) sweepLists() map[string]int {
	return map[string]int{
		collAgents:       listPages(g.agents),
		collTools:        listPages(g.agents),
		collKnowledge:    listPages(g.knowledgeBases()),
		collMemoryStores: listPages(g.memoryStores()),
		collSchedules:    g.schedules(),
	}
}

// graphKind is the objects of one kind in the graph: their names, and how to build one.
type graphKind struct {
	kind       string // as reported: Tool, Agent...
	gvr        schema.GroupVersionResource
	collection string // where orq keeps them
	names      []string
	object     func(ns string, i int) *unstructured.Unstructured
}

// kinds are the kinds of the graph in the order the bench applies them: each object after those
// it names, as `kubectl apply` of a directory sorted that way would; a kind with no object is
// left out.
func (g graphShape) kinds() []graphKind {
	var out []graphKind
	for _, k := range g.allKinds() {
		if len(k.names) > 0 {
			out = append(out, k)
		}
	}
	return out
}

func (g graphShape) allKinds() []graphKind {
	width := len(strconv.Itoa(g.agents))
	name := func(prefix string, i int) string { return fmt.Sprintf("%s%0*d", prefix, width, i+1) }
	names := func(prefix string, n int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = name(prefix, i)
		}
		return out
	}
	// Memory store keys take no '-': the names use '.'.
	tool, kb, memory, agent, schedule := "graph-tool-", "graph-kb-", "graph.memory.", "graph-agent-", "graph-schedule-"
	return []graphKind{
		{"Tool", toolGVR, collTools, names(tool, g.agents), func(ns string, i int) *unstructured.Unstructured {
			return graphTool(ns, name(tool, i), i)
		}},
		{"KnowledgeBase", knowledgeBaseGVR, collKnowledge, names(kb, g.knowledgeBases()), func(ns string, i int) *unstructured.Unstructured {
			return graphKnowledgeBase(ns, name(kb, i))
		}},
		{"MemoryStore", memoryStoreGVR, collMemoryStores, names(memory, g.memoryStores()), func(ns string, i int) *unstructured.Unstructured {
			return graphMemoryStore(ns, name(memory, i))
		}},
		{"Agent", agentGVR, collAgents, names(agent, g.agents), func(ns string, i int) *unstructured.Unstructured {
			var kbName, memoryName string
			if g.knowledgeEvery > 0 {
				kbName = name(kb, i/g.knowledgeEvery)
			}
			if g.memoryEvery > 0 {
				memoryName = name(memory, i/g.memoryEvery)
			}
			return graphAgent(ns, name(agent, i), name(tool, i), kbName, memoryName)
		}},
		{"AgentSchedule", scheduleGVR, collSchedules, names(schedule, g.schedules()), func(ns string, i int) *unstructured.Unstructured {
			return graphSchedule(ns, name(schedule, i), name(agent, g.scheduledAgent(i)))
		}},
	}
}

// orqObject is an object of the operator's group, of kind, in ns.
func orqObject(kind, ns, name string, spec map[string]any) *unstructured.Unstructured {
	return &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": agentGVR.Group + "/" + agentGVR.Version,
		"kind":       kind,
		"metadata":   map[string]any{"name": name, "namespace": ns},
		"spec":       spec,
	}}
}

// graphTool is a function tool, the simplest kind of tool an Agent names by toolRef.
func graphTool(ns, name string, i int) *unstructured.Unstructured {
	return orqObject("Tool", ns, name, map[string]any{
		"path": "Default Project/bench", "description": "Looks up an order of the benchmark", "type": "function",
		"function": map[string]any{"name": fmt.Sprintf("lookup_order_%d", i+1), "strict": false},
	})
}

func graphKnowledgeBase(ns, name string) *unstructured.Unstructured {
	return orqObject("KnowledgeBase", ns, name, map[string]any{
		"type": "internal", "path": "Default Project/bench", "description": "Policies of the benchmark",
		"embeddingModel": "openai/text-embedding-3-small",
	})
}

func graphMemoryStore(ns, name string) *unstructured.Unstructured {
	return orqObject("MemoryStore", ns, name, map[string]any{
		"path": "Default Project/bench", "description": "What each customer of the benchmark told",
		"embeddingConfig": map[string]any{"model": "openai/text-embedding-3-small"},
	})
}

// graphAgent is the bench's minimal Agent naming its Tool, and a KnowledgeBase and a
// MemoryStore unless their names are empty.
func graphAgent(ns, name, tool, kb, memory string) *unstructured.Unstructured {
	u := agentObject(ns, name, "Answer the question in one sentence.")
	spec := u.Object["spec"].(map[string]any)
	spec["settings"] = map[string]any{"tools": []any{map[string]any{"type": "function", "toolRef": map[string]any{"name": tool}}}}
	if kb != "" {
		spec["knowledgeBases"] = []any{map[string]any{"knowledgeBaseRef": map[string]any{"name": kb}}}
	}
	if memory != "" {
		spec["memoryStoreRefs"] = []any{map[string]any{"name": memory}}
	}
	return u
}

// graphSchedule runs agent every Monday at 09:00.
func graphSchedule(ns, name, agent string) *unstructured.Unstructured {
	return orqObject("AgentSchedule", ns, name, map[string]any{
		"agentRef": map[string]any{"name": agent}, "displayName": "Weekly report", "expression": "0 0 9 * * 1",
		"payload": map[string]any{"input": "Write the weekly report"},
	})
}
