package export

import (
	"reflect"
	"testing"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
	"github.com/orq-ai/orq-operator/internal/agentdiff"
	knowledgebasekind "github.com/orq-ai/orq-operator/internal/kinds/knowledgebase"
	memorystorekind "github.com/orq-ai/orq-operator/internal/kinds/memorystore"
	toolkind "github.com/orq-ai/orq-operator/internal/kinds/tool"
	"github.com/orq-ai/orq-operator/internal/orqclient"
)

// graphWorkspace holds two agents using tools, knowledge bases and memory stores, some exported
// too, some named in a form a reference would not give back.
func graphWorkspace(t *testing.T) fakeLister {
	user := remote("user")
	user.Raw["settings"].(map[string]any)["tools"] = []any{
		map[string]any{"action_type": "current_date", "id": "01GEN1"},
		map[string]any{"action_type": "function", "key": "lookup", "id": "01LOOKUP"}, // a Tool's: toolRef
		map[string]any{"action_type": "http", "key": "lookup", "id": "01LOOKUP"},     // of another type: stays
		map[string]any{"action_type": "mcp", "key": "github", "id": "01GH", "tool_id": "01GHTOOL"},
		map[string]any{"action_type": "http", "key": "Orders_API", "id": "01ORDERS", "requires_approval": true},
	}
	user.Raw["knowledge_bases"] = []any{
		map[string]any{"knowledge_id": "kb_01faq"},    // by id: knowledgeBaseRef
		map[string]any{"knowledge_id": "faq"},         // by key: the ref would send the id, so it stays
		map[string]any{"knowledge_id": "kb_01search"}, // observed KnowledgeBase: no id to resolve to
		map[string]any{"knowledge_id": "kb_elsewhere"},
	}
	user.Raw["memory_stores"] = []any{"elsewhere", "prefs", "user.notes"} // the exported ones end the list
	mixed := remote("mixed")
	mixed.Raw["memory_stores"] = []any{"prefs", "elsewhere"} // an exported one before another: stays
	return fakeLister{
		orqclient.Agents.Path: {user, mixed},
		toolkind.Endpoint.Path: {
			remoteTool(t, `{"key":"lookup","path":"Default","description":"d","type":"function","function":{"name":"f"}}`),
			remoteTool(t, `{"key":"Orders_API","path":"Default","description":"d","type":"http","http":{"blueprint":{"url":"https://o.example","method":"GET"}}}`),
		},
		knowledgebasekind.Endpoint.Path: {
			remoteKB(t, `{"key":"faq","type":"internal","path":"Default","model":"m"}`),
			remoteKB(t, `{"key":"search","type":"external","path":"Default","external_config":{"name":"s","api_url":"https://s.example"}}`),
		},
		memorystorekind.Endpoint.Path: {remoteStore("prefs", nil), remoteStore("user.notes", nil)},
	}
}

// An agent names by reference what is exported with it, where the reference resolves to exactly
// what the agent holds: resolved as the operator resolves it, the Agent's request is the one
// orq answered, so applying it writes nothing.
func TestAgentsNameExportedObjectsByReference(t *testing.T) {
	workspace := graphWorkspace(t)
	res := exportAll(t, workspace, Options{})
	agents := objectsOf[orqv1alpha1.Agent](res)
	user, mixed := agents["user"], agents["mixed"]

	ref := func(name string) *orqv1alpha1.ObjectReference { return &orqv1alpha1.ObjectReference{Name: name} }
	wantTools := []orqv1alpha1.AgentTool{
		{Type: "current_date"},
		{Type: "function", ToolRef: ref("lookup")},
		{Type: "http", Key: "lookup"},
		{Type: "mcp", Key: "github", ToolID: "01GHTOOL"},
		{Type: "http", ToolRef: ref("orders-api"), RequiresApproval: user.Spec.Settings.Tools[4].RequiresApproval},
	}
	if !reflect.DeepEqual(user.Spec.Settings.Tools, wantTools) {
		t.Errorf("tools = %s\nwant %s", mustJSON(t, user.Spec.Settings.Tools), mustJSON(t, wantTools))
	}
	wantKBs := []orqv1alpha1.AgentKnowledgeBase{{KnowledgeBaseRef: ref("faq")}, {KnowledgeID: "faq"}, {KnowledgeID: "kb_01search"}, {KnowledgeID: "kb_elsewhere"}}
	if !reflect.DeepEqual(user.Spec.KnowledgeBases, wantKBs) {
		t.Errorf("knowledge bases = %s\nwant %s", mustJSON(t, user.Spec.KnowledgeBases), mustJSON(t, wantKBs))
	}
	if want := []orqv1alpha1.ObjectReference{{Name: "prefs"}, {Name: "user.notes"}}; !reflect.DeepEqual(user.Spec.MemoryStoreRefs, want) ||
		!reflect.DeepEqual(user.Spec.MemoryStores, []string{"elsewhere"}) {
		t.Errorf("memory stores = %v, refs %v", user.Spec.MemoryStores, user.Spec.MemoryStoreRefs)
	}
	if mixed.Spec.MemoryStoreRefs != nil || !reflect.DeepEqual(mixed.Spec.MemoryStores, []string{"prefs", "elsewhere"}) {
		t.Errorf("mixed: memory stores = %v, refs %v", mixed.Spec.MemoryStores, mixed.Spec.MemoryStoreRefs)
	}

	for _, r := range workspace[orqclient.Agents.Path] {
		a := applied(t, agents[r.Key])
		resolve(t, a, res)
		desired, err := agentdiff.Desired(a)
		if err != nil {
			t.Fatal(err)
		}
		if d := agentdiff.Diff(desired, agentdiff.Observed(r.Raw)); len(d) != 0 {
			t.Errorf("%s, its references resolved, differs from its agent in %v", r.Key, d)
		}
	}
}

// resolve replaces an Agent's references as internal/kinds/agent does once they are Ready: a
// Tool by its key, a KnowledgeBase by the id of its remote object, MemoryStores by their keys
// after the spec's memoryStores.
func resolve(t *testing.T, a *orqv1alpha1.Agent, res *Result) {
	t.Helper()
	manifest := func(kind, name string) Manifest {
		for _, m := range res.Manifests {
			if m.Kind() == kind && m.Object.GetName() == name {
				return m
			}
		}
		t.Fatalf("%s names %s %s, which is not exported", a.Name, kind, name)
		return Manifest{}
	}
	for i, tool := range a.Spec.Settings.Tools {
		if tool.ToolRef != nil {
			a.Spec.Settings.Tools[i].Key, a.Spec.Settings.Tools[i].ToolRef = manifest("Tool", tool.ToolRef.Name).Key, nil
		}
	}
	for i, kb := range a.Spec.KnowledgeBases {
		if kb.KnowledgeBaseRef != nil {
			a.Spec.KnowledgeBases[i] = orqv1alpha1.AgentKnowledgeBase{KnowledgeID: manifest("KnowledgeBase", kb.KnowledgeBaseRef.Name).ID}
		}
	}
	for _, m := range a.Spec.MemoryStoreRefs {
		a.Spec.MemoryStores = append(a.Spec.MemoryStores, manifest("MemoryStore", m.Name).Key)
	}
	a.Spec.MemoryStoreRefs = nil
}

// The kinds come in the order in which applying them creates what is named first, and the
// summary counts each.
func TestExportOrderAndSummary(t *testing.T) {
	res := exportAll(t, graphWorkspace(t), Options{})
	var kinds []string
	for _, m := range res.Manifests {
		if n := len(kinds); n == 0 || kinds[n-1] != m.Kind() {
			kinds = append(kinds, m.Kind())
		}
	}
	if want := []string{"MemoryStore", "KnowledgeBase", "Tool", "Agent"}; !reflect.DeepEqual(kinds, want) {
		t.Errorf("kinds in order %v, want %v", kinds, want)
	}
	if got, want := res.Summary(), "2 memory stores, 2 knowledge bases, 2 tools, 2 agents, 0 schedules"; got != want {
		t.Errorf("summary = %q, want %q", got, want)
	}
	if got, want := (&Result{}).Summary(), "0 memory stores, 0 knowledge bases, 0 tools, 0 agents, 0 schedules"; got != want {
		t.Errorf("summary = %q, want %q", got, want)
	}
}
