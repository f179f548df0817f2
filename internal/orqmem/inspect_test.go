package orqmem_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/orq-ai/orq-operator/internal/orqmem"
)

func TestSeedAndInspect(t *testing.T) {
	h := newHarness(t, orqmem.Options{})
	tool, err := h.fake.SeedTool(toolBody("orders_api", "http").String())
	if err != nil {
		t.Fatal(err)
	}
	kb, err := h.fake.SeedKnowledgeBase(knowledgeBody("faq").String())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.fake.SeedMemoryStore(memoryStoreBody("prefs").String()); err != nil {
		t.Fatal(err)
	}
	if _, err := h.fake.SeedTool(toolBody("bad.key", "http").String()); err == nil || !strings.Contains(err.Error(), "key: ") {
		t.Errorf("seeding an invalid tool: %v", err)
	}
	if n := h.fake.CountRequests(""); n != 0 {
		t.Errorf("seeding recorded %d requests", n)
	}
	h.create(baseBody("bot").set("settings.tools", raw(`[{"key":"orders_api"}]`)).
		set("knowledge_bases", raw(`[{"knowledge_id":"faq"}]`)).set("memory_stores", raw(`["prefs"]`)))
	sched, err := h.fake.SeedSchedule("bot", scheduleBody().String())
	if err != nil {
		t.Fatal(err)
	}

	got, ok := h.fake.Tool(tool["_id"].(string))
	if !ok || got["key"] != "orders_api" {
		t.Errorf("Tool() = %v, %v", got, ok)
	}
	if got, ok := h.fake.KnowledgeBase(kb["_id"].(string)); !ok || got["key"] != "faq" {
		t.Errorf("KnowledgeBase() = %v, %v", got, ok)
	}
	if got, ok := h.fake.MemoryStore("prefs"); !ok || got["key"] != "prefs" {
		t.Errorf("MemoryStore() = %v, %v", got, ok)
	}
	if got, ok := h.fake.Schedule(sched["_id"].(string)); !ok || got["agent_key"] != "bot" {
		t.Errorf("Schedule() = %v, %v", got, ok)
	}
	if n := len(h.fake.Tools()) + len(h.fake.KnowledgeBases()) + len(h.fake.MemoryStores()) + len(h.fake.Schedules("bot")); n != 4 {
		t.Errorf("%d objects listed, want 4", n)
	}
	got["key"] = "changed in the copy"
	if again, _ := h.fake.Tool(tool["_id"].(string)); again["key"] != "orders_api" {
		t.Error("Tool() does not return a copy")
	}

	h.fake.Reset()
	if len(h.fake.Tools())+len(h.fake.KnowledgeBases())+len(h.fake.MemoryStores()) != 0 {
		t.Error("Reset kept objects")
	}
	if _, ok := h.fake.Schedule(sched["_id"].(string)); ok {
		t.Error("Reset kept a schedule")
	}
}

// Studio edits: the API then answers the edited object, with a new
// updated, and a renamed tool's agents echo its new key.
func TestMutateSimulatesStudioEdits(t *testing.T) {
	h := newHarness(t, orqmem.Options{})
	tool := h.createTool("weather", "http")
	id := tool["_id"].(string)
	h.create(baseBody("bot").set("settings.tools", raw(`[{"key":"weather"}]`)))
	if !h.fake.MutateTool(id, func(m map[string]any) {
		m["description"] = "edited"
		m["key"] = "forecast"
		m["_id"] = "x"
		m["path"] = "Elsewhere"
	}) {
		t.Fatal("MutateTool failed")
	}
	res := h.do(http.MethodGet, "/v2/tools/"+id, "")
	mustStatus(t, res, http.StatusOK)
	got := res.json(t)
	if got["description"] != "edited" || got["key"] != "forecast" || got["updated"] == tool["updated"] || got["path"] != "Default" {
		t.Errorf("after MutateTool: %s", res.body)
	}
	agentTool := h.do(http.MethodGet, "/v2/agents/bot", "").json(t)["settings"].(map[string]any)["tools"].([]any)[0].(map[string]any)
	if agentTool["key"] != "forecast" {
		t.Errorf("agent echoes %v after the tool's rename", agentTool)
	}
	mustStatus(t, h.do(http.MethodPost, "/v2/tools", toolBody("weather", "http").String()), http.StatusOK)

	kb := h.post("/v2/knowledge", knowledgeBody("faq"), http.StatusOK)
	h.fake.MutateKnowledgeBase(kb["_id"].(string), func(m map[string]any) { m["retrieval_settings"].(map[string]any)["top_k"] = 9 })
	jsonEqual(t, "top_k", h.do(http.MethodGet, "/v2/knowledge/"+kb["_id"].(string), "").json(t)["retrieval_settings"].(map[string]any)["top_k"], `9`)

	h.post("/v2/memory-stores", memoryStoreBody("prefs"), http.StatusCreated)
	h.post("/v2/memory-stores", memoryStoreBody("other"), http.StatusCreated)
	h.fake.MutateMemoryStore("prefs", func(m map[string]any) { m["key"] = "other"; m["description"] = "d2" })
	if got := h.do(http.MethodGet, "/v2/memory-stores/prefs", "").json(t); got["description"] != "d2" {
		t.Errorf("a mutation to a taken key must keep the key: %v", got)
	}

	sched := h.post(schedulesOf("bot"), scheduleBody(), http.StatusCreated)
	h.fake.MutateSchedule(sched["_id"].(string), func(m map[string]any) { m["is_active"] = false })
	mustStatus(t, h.do(http.MethodPost, schedulesOf("bot")+"/"+sched["_id"].(string)+"/execution", ""), http.StatusBadRequest)
	if h.fake.MutateTool("tool_nope", func(map[string]any) {}) {
		t.Error("MutateTool of an unknown tool succeeded")
	}
}

// Faults, latency and the request log cover the new routes too.
func TestHooksCoverNewRoutes(t *testing.T) {
	h := newHarness(t, orqmem.Options{})
	h.create(baseBody("bot"))
	h.fake.ResetRequests()
	h.fake.AddFault(orqmem.Fault{Method: http.MethodPost, Path: "/v2/tools", Status: http.StatusServiceUnavailable, Times: 1})
	h.fake.AddFault(orqmem.Fault{Path: "/v3/agents/bot/schedules", Status: http.StatusTooManyRequests, Message: "slow down", Times: 1})
	res := h.do(http.MethodPost, "/v2/tools", toolBody("weather", "http").String())
	if res.status != http.StatusServiceUnavailable {
		t.Errorf("faulted create: %d", res.status)
	}
	h.createTool("weather", "http")
	res = h.do(http.MethodGet, schedulesOf("bot"), "")
	if res.status != http.StatusTooManyRequests || string(res.body) != `{"message":"slow down"}` {
		t.Errorf("faulted list: %d %s", res.status, res.body)
	}
	mustStatus(t, h.do(http.MethodGet, schedulesOf("bot"), ""), http.StatusOK)
	var seen []string
	for _, r := range h.fake.Requests() {
		seen = append(seen, r.Method+" "+r.Path)
	}
	want := "POST /v2/tools,POST /v2/tools,GET /v3/agents/bot/schedules,GET /v3/agents/bot/schedules"
	if strings.Join(seen, ",") != want {
		t.Errorf("requests %v, want %s", seen, want)
	}
	if r := h.fake.Requests()[1]; !strings.Contains(string(r.Body), `"weather"`) || r.Token != testToken {
		t.Errorf("recorded body %s, token %q", r.Body, r.Token)
	}
}

// A seed may fix the _id, for fixtures naming a tool made elsewhere by id.
func TestSeedWithFixedID(t *testing.T) {
	h := newHarness(t, orqmem.Options{})
	const ulid = "01KA84ND5J0SWQMA2Q8HY5WZZZ"
	tool, err := h.fake.SeedTool(toolBody("fn", "function").set("_id", "tool_"+ulid).String())
	if err != nil || tool["_id"] != "tool_"+ulid {
		t.Fatalf("SeedTool with _id: %v, %v", tool, err)
	}
	a := h.create(baseBody("user").set("settings.tools", raw(`[{"type":"function","id":"`+ulid+`"}]`)))
	jsonEqual(t, "tool", a["settings"].(map[string]any)["tools"].([]any)[0].(map[string]any)["key"], `"fn"`)
	for _, bad := range []string{ulid, "tool_x", "tool_" + ulid} {
		if _, err := h.fake.SeedTool(toolBody("other", "function").set("_id", bad).String()); err == nil {
			t.Errorf("SeedTool with _id %q accepted", bad)
		}
	}
	store, err := h.fake.SeedMemoryStore(memoryStoreBody("prefs").set("_id", ulid).String())
	if err != nil || store["_id"] != ulid {
		t.Errorf("SeedMemoryStore with _id: %v, %v", store, err)
	}
}

func TestMutateAgentPublishesAVersion(t *testing.T) {
	h := newHarness(t, orqmem.Options{})
	h.create(baseBody("bot"))
	h.fake.MutateAgent("bot", func(a map[string]any) { a["version"] = "2.0.0" })
	h.fake.MutateAgent("bot", func(a map[string]any) { a["description"] = "edited" })
	if got := strings.Join(h.fake.AgentVersions("bot"), ","); got != "1.0.0,2.0.0" {
		t.Errorf("versions %s", got)
	}
	h.post(schedulesOf("bot"), scheduleBody().set("agent_tag", "2.0.0"), http.StatusCreated)
}
