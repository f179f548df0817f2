package orqmem_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/orq-ai/orq-operator/internal/orqmem"
)

// toolIDs returns the ids of an agent's settings.tools, in order.
func toolIDs(t *testing.T, agent map[string]any) []string {
	t.Helper()
	settings, _ := agent["settings"].(map[string]any)
	tools, _ := settings["tools"].([]any)
	ids := make([]string, 0, len(tools))
	for _, it := range tools {
		id, _ := it.(map[string]any)["id"].(string)
		ids = append(ids, id)
	}
	return ids
}

func TestToolKeyNamesOneToolEverywhere(t *testing.T) {
	h := newHarness(t, orqmem.Options{})
	weather, lookup := h.createTool("weather", "http"), h.createTool("lookup", "function")
	tools := raw(`[{"type":"http","key":"weather"},{"type":"function","key":"lookup"}]`)
	first := toolIDs(t, h.create(baseBody("first").set("settings.tools", tools)))
	second := toolIDs(t, h.create(baseBody("second").set("settings.tools", raw(`[{"type":"function","key":"lookup"},{"key":"weather"}]`))))
	if want := []string{agentToolID(weather), agentToolID(lookup)}; !slices.Equal(first, want) {
		t.Fatalf("tools echoed ids %v, want the tools' %v", first, want)
	}
	if second[0] != first[1] || second[1] != first[0] {
		t.Errorf("same tool keys got other ids in another agent: %v then %v", first, second)
	}

	res := h.do(http.MethodPatch, "/v2/agents/first", `{"settings":{"max_iterations":9,"tools":[{"type":"http","key":"weather"}]}}`)
	mustStatus(t, res, http.StatusOK)
	if got := toolIDs(t, res.json(t)); got[0] != first[0] {
		t.Errorf("settings update gave tool weather id %s, was %s", got[0], first[0])
	}
}

func TestToolIDOfKnownToolEchoesItsKey(t *testing.T) {
	h := newHarness(t, orqmem.Options{})
	id := agentToolID(h.createTool("weather", "http"))
	a := h.create(baseBody("by-id").set("settings.tools", raw(`[{"type":"http","id":"`+id+`"}]`)))
	tool := a["settings"].(map[string]any)["tools"].([]any)[0].(map[string]any)
	if tool["id"] != id || tool["key"] != "weather" {
		t.Errorf("tool named by id %s echoed as %v", id, tool)
	}
}

func TestToolKeyAndIDMustNameTheSameTool(t *testing.T) {
	h := newHarness(t, orqmem.Options{})
	h.createTool("one", "function")
	two := agentToolID(h.createTool("two", "function"))
	res := h.do(http.MethodPost, "/v2/agents", baseBody("b").set("settings.tools", raw(`[{"key":"one","id":"`+two+`"}]`)).String())
	mustStatus(t, res, http.StatusBadRequest)
	if !strings.Contains(res.message(t), `tool key "one" names tool`) {
		t.Errorf("message %q", res.message(t))
	}
}

func TestToolIDMustBeAULID(t *testing.T) {
	h := newHarness(t, orqmem.Options{})
	for _, id := range []string{"weather", "01ka84nd5j0swqma2q8hy5wzzz", "01KA84ND5J0SWQMA2Q8HY5WZZ", "01KA84ND5J0SWQMA2Q8HY5WZZI"} {
		b := baseBody("bad-id").set("settings.tools", raw(`[{"type":"mcp","id":"`+id+`","tool_id":"t"}]`))
		res := h.do(http.MethodPost, "/v2/agents", b.String())
		mustStatus(t, res, http.StatusBadRequest)
		if want := `settings.tools[0].id: must be a ULID (the id of a pre-created tool; for a tool of /v2/tools, its _id without "tool_")`; res.message(t) != want {
			t.Errorf("id %q: message %q, want %q", id, res.message(t), want)
		}
	}
	h.create(baseBody("patched"))
	res := h.do(http.MethodPatch, "/v2/agents/patched", `{"settings":{"tools":[{"type":"http","id":"weather"}]}}`)
	mustStatus(t, res, http.StatusBadRequest)
}

func TestBuiltinToolIgnoresStrayKeyAndID(t *testing.T) {
	h := newHarness(t, orqmem.Options{})
	a := h.create(baseBody("builtin").set("settings.tools", raw(`[{"type":"current_date","id":"today","key":"k"}]`)))
	tool := a["settings"].(map[string]any)["tools"].([]any)[0].(map[string]any)
	if id, _ := tool["id"].(string); !ulidPattern.MatchString(id) || tool["key"] != nil {
		t.Errorf("built-in tool echoed as %v", tool)
	}
}

// A custom tool is pre-created and named by key or id; without either it
// names no tool (and would get a fresh id on every update).
func TestReferenceToolNeedsKeyOrID(t *testing.T) {
	h := newHarness(t, orqmem.Options{})
	for _, tool := range []string{`{"type":"http"}`, `{"type":"function","requires_approval":true}`, `{"type":"mcp","tool_id":"t"}`, `{"timeout":5}`} {
		res := h.do(http.MethodPost, "/v2/agents", baseBody("nameless").set("settings.tools", raw(`[`+tool+`]`)).String())
		mustStatus(t, res, http.StatusBadRequest)
		if want := "settings.tools[0]: must name a pre-created tool by key or id"; res.message(t) != want {
			t.Errorf("%s: message %q, want %q", tool, res.message(t), want)
		}
	}
	h.create(baseBody("provider").set("settings.tools", raw(`[{"type":"openai:web_search"}]`)))
}

func TestAgentNamesOnlyExistingObjects(t *testing.T) {
	h := newHarness(t, orqmem.Options{})
	h.createTool("lookup", "function")
	kb := h.post("/v2/knowledge", knowledgeBody("faq"), http.StatusOK)
	store := h.post("/v2/memory-stores", memoryStoreBody("prefs"), http.StatusCreated)
	h.create(baseBody("target"))
	cases := []struct {
		name, field string
		value       raw
		want        string
	}{
		{"unknown tool key", "settings.tools", raw(`[{"type":"current_date"},{"type":"http","key":"weather"}]`), `settings.tools[1]: tool "weather" does not exist`},
		{"unknown tool id", "settings.tools", raw(`[{"type":"code","id":"01JJ1HDHN79XAS7A01WB3HYSDB"}]`), `settings.tools[0]: tool 01JJ1HDHN79XAS7A01WB3HYSDB does not exist`},
		{"tool of another type", "settings.tools", raw(`[{"type":"http","key":"lookup"}]`), `settings.tools[0]: tool "lookup" is a function tool, not http`},
		{"unknown knowledge base", "knowledge_bases", raw(`[{"knowledge_id":"faq"},{"knowledge_id":"docs"}]`), `knowledge_bases[1].knowledge_id: knowledge base "docs" does not exist`},
		{"unknown memory store", "memory_stores", raw(`["nope"]`), `memory_stores[0]: memory store "nope" does not exist`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := h.do(http.MethodPost, "/v2/agents", baseBody("refs").set(c.field, c.value).String())
			if res.status != http.StatusBadRequest || res.message(t) != c.want {
				t.Errorf("create: %d %s, want 400 %q", res.status, res.body, c.want)
			}
			patch := body{}.set(c.field, c.value).String()
			res = h.do(http.MethodPatch, "/v2/agents/target", patch)
			if res.status != http.StatusBadRequest || res.message(t) != c.want {
				t.Errorf("update: %d %s, want 400 %q", res.status, res.body, c.want)
			}
		})
	}
	if _, ok := h.fake.Agent("refs"); ok {
		t.Error("an agent naming missing objects was stored")
	}
	// By id or by key, echoed as sent.
	a := h.create(baseBody("both-ways").
		set("knowledge_bases", raw(`[{"knowledge_id":"faq"},{"knowledge_id":"`+kb["_id"].(string)+`"}]`)).
		set("memory_stores", raw(`["prefs","`+store["_id"].(string)+`"]`)))
	jsonEqual(t, "knowledge_bases", a["knowledge_bases"], `[{"knowledge_id":"faq"},{"knowledge_id":"`+kb["_id"].(string)+`"}]`)
	jsonEqual(t, "memory_stores", a["memory_stores"], `["prefs","`+store["_id"].(string)+`"]`)
}

func TestUntypedToolEchoesItsToolsType(t *testing.T) {
	h := newHarness(t, orqmem.Options{})
	h.createTool("calc", "code")
	a := h.create(baseBody("untyped").set("settings.tools", raw(`[{"key":"calc"}]`)))
	tool := a["settings"].(map[string]any)["tools"].([]any)[0].(map[string]any)
	if tool["action_type"] != "code" {
		t.Errorf("untyped reference to a code tool echoed action_type %v", tool["action_type"])
	}
}

// MCP servers and provider tools have no API in orqmem: they work as
// before, a key naming one id everywhere.
func TestMCPAndProviderToolsNeedNoTool(t *testing.T) {
	h := newHarness(t, orqmem.Options{})
	tools := raw(`[{"type":"mcp","key":"github","tool_id":"t-1"},{"type":"openai:web_search","key":"search"}]`)
	first := toolIDs(t, h.create(baseBody("first").set("settings.tools", tools)))
	second := toolIDs(t, h.create(baseBody("second").set("settings.tools", tools)))
	if !slices.Equal(first, second) || first[0] == first[1] {
		t.Errorf("mcp and provider tool ids %v then %v", first, second)
	}
}
