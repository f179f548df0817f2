package orqmem_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/orq-ai/orq-operator/internal/orqmem"
)

var ulidPattern = regexp.MustCompile(`^[0-9A-HJKMNP-TV-Z]{26}$`)

// jsonEqual compares a decoded value with literal JSON.
func jsonEqual(t *testing.T, field string, got any, want string) {
	t.Helper()
	g, _ := json.Marshal(got)
	var gv, wv any
	_ = json.Unmarshal(g, &gv)
	if err := json.Unmarshal([]byte(want), &wv); err != nil {
		t.Fatalf("bad expectation %s: %v", want, err)
	}
	if !reflect.DeepEqual(gv, wv) {
		t.Errorf("%s = %s, want %s", field, g, want)
	}
}

func TestCreateResponseShape(t *testing.T) {
	h := newHarness(t, orqmem.Options{ProjectID: "proj-1"})
	a := h.create(baseBody("shape").set("variables", raw(`{"topic":"billing","lang":"en"}`)))

	if id, _ := a["_id"].(string); !ulidPattern.MatchString(id) {
		t.Errorf("_id %q is not a ULID", id)
	}
	jsonEqual(t, "key", a["key"], `"shape"`)
	jsonEqual(t, "project_id", a["project_id"], `"proj-1"`)
	jsonEqual(t, "created_by_id", a["created_by_id"], `null`)
	jsonEqual(t, "updated_by_id", a["updated_by_id"], `null`)
	jsonEqual(t, "status", a["status"], `"live"`)
	jsonEqual(t, "version", a["version"], `"1.0.0"`)
	jsonEqual(t, "type", a["type"], `"internal"`)
	jsonEqual(t, "engine", a["engine"], `"text"`)
	jsonEqual(t, "metrics", a["metrics"], `{"total_cost":0}`)
	jsonEqual(t, "memory_stores", a["memory_stores"], `[]`)
	jsonEqual(t, "team_of_agents", a["team_of_agents"], `[]`)
	jsonEqual(t, "knowledge_bases", a["knowledge_bases"], `[]`)
	jsonEqual(t, "skills", a["skills"], `[]`)
	jsonEqual(t, "system_prompt", a["system_prompt"], `null`)
	jsonEqual(t, "variables", a["variables"], `{"customer":"","topic":"billing","lang":"en"}`)
	jsonEqual(t, "model", a["model"], `{"id":"openai/gpt-4o"}`)
	jsonEqual(t, "settings", a["settings"],
		`{"max_execution_time":600,"max_iterations":100,"max_cost":0,"tool_approval_required":"respect_tool","tools":[]}`)
	for _, absent := range []string{"display_name", "source"} {
		if _, ok := a[absent]; ok {
			t.Errorf("%s present although not sent", absent)
		}
	}
	created, err := time.Parse(time.RFC3339, a["created"].(string))
	if err != nil || created.Location() != time.UTC || a["created"] != a["updated"] {
		t.Errorf("created %v / updated %v not equal RFC 3339 UTC timestamps (%v)", a["created"], a["updated"], err)
	}
}

func TestCreateEchoesModelAndTools(t *testing.T) {
	h := newHarness(t, orqmem.Options{})
	weather := h.createTool("weather", "http")
	a := h.create(baseBody("echo").
		set("model", raw(`{"id":"m","parameters":{"temperature":0.5},"retry":{"on_codes":[429]}}`)).
		set("fallback_models", raw(`["fb-1",{"id":"fb-2","parameters":{"top_p":0.3}}]`)).
		set("settings", raw(`{"max_iterations":5,"tools":[
		  {"type":"mcp","id":"01KA84ND5J0SWQMA2Q8HY5WZZZ","tool_id":"t-1","requires_approval":true},
		  {"key":"weather","timeout":30},
		  {"type":"google_search","configuration":{"k":"v"}}],
		  "evaluators":[{"id":"e","execute_on":"output"}]}`)))

	jsonEqual(t, "model", a["model"], `{"id":"m","integration_id":null,"parameters":{"temperature":0.5},
	  "retry":{"on_codes":[429],"count":3},"fallback_models":["fb-1",{"id":"fb-2","parameters":{"top_p":0.3}}]}`)
	if _, ok := a["fallback_models"]; ok {
		t.Error("fallback_models must move into model")
	}
	settings := a["settings"].(map[string]any)
	jsonEqual(t, "settings.max_iterations", settings["max_iterations"], `5`)
	jsonEqual(t, "settings.evaluators", settings["evaluators"], `[{"id":"e","execute_on":"output","sample_rate":50}]`)
	tools := settings["tools"].([]any)
	jsonEqual(t, "tools[0]", tools[0], `{"id":"01KA84ND5J0SWQMA2Q8HY5WZZZ","action_type":"mcp","tool_id":"t-1",
	  "requires_approval":true,"conditions":[]}`)
	second := tools[1].(map[string]any)
	if second["id"] != agentToolID(weather) {
		t.Errorf("tool weather echoed with id %v, want %s (its _id without tool_)", second["id"], agentToolID(weather))
	}
	delete(second, "id")
	jsonEqual(t, "tools[1]", second, `{"action_type":"http","key":"weather","timeout":30,"requires_approval":false,"conditions":[]}`)
	third := tools[2].(map[string]any)
	delete(third, "id")
	jsonEqual(t, "tools[2]", third, `{"action_type":"google_search","configuration":{"k":"v"},"requires_approval":false,"conditions":[]}`)

	// Numbers keep their textual form.
	res := h.do(http.MethodGet, "/v2/agents/echo", "")
	if !strings.Contains(string(res.body), `"temperature":0.5`) {
		t.Errorf("temperature not echoed as a number: %s", res.body)
	}
}

func TestDuplicateKeyConflicts(t *testing.T) {
	h := newHarness(t, orqmem.Options{})
	h.create(baseBody("dup"))
	res := h.do(http.MethodPost, "/v2/agents", baseBody("dup").String())
	mustStatus(t, res, http.StatusConflict)
	if res.message(t) == "" {
		t.Error("409 without message")
	}
}

func TestGetPatchDelete(t *testing.T) {
	h := newHarness(t, orqmem.Options{})
	created := h.create(baseBody("life.cycle").
		set("fallback_models", raw(`["fb"]`)).
		set("settings.tools", raw(`[{"type":"current_date"}]`)).
		set("settings.max_cost", 2))

	got := h.do(http.MethodGet, "/v2/agents/life.cycle", "")
	mustStatus(t, got, http.StatusOK)
	if !reflect.DeepEqual(got.json(t), created) {
		t.Errorf("GET differs from create response:\n%s", got.body)
	}

	patched := h.do(http.MethodPatch, "/v2/agents/life.cycle",
		`{"model":"openai/gpt-4.1","settings":{"max_iterations":7},"instructions":"Hi {{name}}","versionIncrement":"minor","versionDescription":"tweak"}`)
	mustStatus(t, patched, http.StatusOK)
	p := patched.json(t)
	jsonEqual(t, "model", p["model"], `{"id":"openai/gpt-4.1","fallback_models":["fb"]}`)
	jsonEqual(t, "settings", p["settings"],
		`{"max_execution_time":600,"max_iterations":7,"max_cost":0,"tool_approval_required":"respect_tool","tools":[]}`)
	jsonEqual(t, "variables", p["variables"], `{"name":""}`)
	jsonEqual(t, "version", p["version"], `"1.1.0"`)
	jsonEqual(t, "_id", p["_id"], fmt.Sprintf("%q", created["_id"]))
	jsonEqual(t, "created", p["created"], fmt.Sprintf("%q", created["created"]))
	if p["updated"] == created["updated"] {
		t.Error("updated not refreshed")
	}
	jsonEqual(t, "role", p["role"], fmt.Sprintf("%q", created["role"]))

	p2 := h.do(http.MethodPatch, "/v2/agents/life.cycle", `{"fallback_models":[],"versionIncrement":"major"}`).json(t)
	jsonEqual(t, "model", p2["model"], `{"id":"openai/gpt-4.1","fallback_models":[]}`)
	jsonEqual(t, "version", p2["version"], `"2.0.0"`)
	p3 := h.do(http.MethodPatch, "/v2/agents/life.cycle", `{"versionIncrement":"patch"}`).json(t)
	jsonEqual(t, "version", p3["version"], `"2.0.1"`)

	mustStatus(t, h.do(http.MethodPatch, "/v2/agents/life.cycle", `{"settings":{"max_iterations":0}}`), http.StatusBadRequest)
	mustStatus(t, h.do(http.MethodDelete, "/v2/agents/life.cycle", ""), http.StatusNoContent)
	for _, m := range []string{http.MethodGet, http.MethodDelete} {
		res := h.do(m, "/v2/agents/life.cycle", "")
		mustStatus(t, res, http.StatusNotFound)
		if res.message(t) != "Agent not found" {
			t.Errorf("%s message %q", m, res.message(t))
		}
	}
	mustStatus(t, h.do(http.MethodPatch, "/v2/agents/life.cycle", `{}`), http.StatusNotFound)
}

func TestPatchRename(t *testing.T) {
	h := newHarness(t, orqmem.Options{})
	h.create(baseBody("old"))
	other := h.create(baseBody("taken").set("path", "Other"))["project_id"].(string)
	mustStatus(t, h.do(http.MethodPatch, "/v2/agents/old", `{"key":"taken"}`), http.StatusConflict)
	res := h.do(http.MethodPatch, "/v2/agents/old", `{"key":"new-name","project_id":"`+other+`","display_name":"New"}`)
	mustStatus(t, res, http.StatusOK)
	a := res.json(t)
	jsonEqual(t, "key", a["key"], `"new-name"`)
	jsonEqual(t, "project_id", a["project_id"], `"`+other+`"`)
	jsonEqual(t, "display_name", a["display_name"], `"New"`)
	if got := h.fake.Keys(); !reflect.DeepEqual(got, []string{"new-name", "taken"}) {
		t.Errorf("Keys() = %v", got)
	}
	mustStatus(t, h.do(http.MethodGet, "/v2/agents/old", ""), http.StatusNotFound)
}

func TestEscapedKeys(t *testing.T) {
	h := newHarness(t, orqmem.Options{})
	h.create(baseBody("a.b-c_d"))
	mustStatus(t, h.do(http.MethodGet, "/v2/agents/"+url.PathEscape("a.b-c_d"), ""), http.StatusOK)
	mustStatus(t, h.do(http.MethodGet, "/v2/agents/a%2Eb-c_d", ""), http.StatusOK)
	mustStatus(t, h.do(http.MethodGet, "/v2/agents/a%2Fb", ""), http.StatusNotFound)
}

func TestRoutingErrors(t *testing.T) {
	h := newHarness(t, orqmem.Options{})
	res := h.do(http.MethodPut, "/v2/agents/x", `{}`)
	mustStatus(t, res, http.StatusMethodNotAllowed)
	if res.header.Get("Allow") == "" {
		t.Error("405 without Allow")
	}
	mustStatus(t, h.do(http.MethodGet, "/v2/other", ""), http.StatusNotFound)
	mustStatus(t, h.do(http.MethodPost, "/v2/agents", `not json`), http.StatusBadRequest)
}

func TestListPagination(t *testing.T) {
	h := newHarness(t, orqmem.Options{})
	const total = 450
	for i := range total {
		mustStatus(t, h.do(http.MethodPost, "/v2/agents", baseBody(fmt.Sprintf("agent-%03d", i)).String()), http.StatusCreated)
	}
	seen := map[string]bool{}
	var order []string
	cursor, pages := "", 0
	for {
		q := url.Values{"limit": {"200"}}
		if cursor != "" {
			q.Set("starting_after", cursor)
		}
		res := h.do(http.MethodGet, "/v2/agents?"+q.Encode(), "")
		mustStatus(t, res, http.StatusOK)
		var page struct {
			Object  string           `json:"object"`
			Data    []map[string]any `json:"data"`
			HasMore bool             `json:"has_more"`
		}
		if err := json.Unmarshal(res.body, &page); err != nil {
			t.Fatal(err)
		}
		pages++
		for _, a := range page.Data {
			key := a["key"].(string)
			if seen[key] {
				t.Fatalf("agent %s seen twice", key)
			}
			seen[key] = true
			order = append(order, key)
		}
		if !page.HasMore {
			break
		}
		cursor = page.Data[len(page.Data)-1]["_id"].(string)
	}
	if len(seen) != total || pages != 3 {
		t.Fatalf("saw %d agents in %d pages, want %d in 3", len(seen), pages, total)
	}
	if order[0] != "agent-449" || order[total-1] != "agent-000" {
		t.Errorf("order not newest first: first %s, last %s", order[0], order[total-1])
	}

	all := h.do(http.MethodGet, "/v2/agents?type=internal", "").json(t)
	if n := len(all["data"].([]any)); n != total || all["has_more"] != false {
		t.Errorf("unpaginated list returned %d agents, has_more %v", n, all["has_more"])
	}

	// ending_before returns the page just before the cursor.
	third := h.do(http.MethodGet, "/v2/agents?limit=5", "").json(t)["data"].([]any)
	cursorID := third[3].(map[string]any)["_id"].(string)
	before := h.do(http.MethodGet, "/v2/agents?limit=2&ending_before="+cursorID, "").json(t)
	keys := []string{}
	for _, a := range before["data"].([]any) {
		keys = append(keys, a.(map[string]any)["key"].(string))
	}
	if !reflect.DeepEqual(keys, []string{"agent-448", "agent-447"}) || before["has_more"] != true {
		t.Errorf("ending_before page = %v has_more %v", keys, before["has_more"])
	}
}

func TestListRejectsBadQuery(t *testing.T) {
	h := newHarness(t, orqmem.Options{})
	for _, q := range []string{"limit=0", "limit=201", "limit=abc", "limit=1.5", "type=a2a"} {
		res := h.do(http.MethodGet, "/v2/agents?"+q, "")
		mustStatus(t, res, http.StatusBadRequest)
	}
	res := h.do(http.MethodGet, "/v2/agents", "")
	mustStatus(t, res, http.StatusOK)
	jsonEqual(t, "empty list", res.json(t), `{"object":"list","data":[],"has_more":false}`)
}

func TestAuth(t *testing.T) {
	h := newHarness(t, orqmem.Options{APIKeys: []string{"secret-1"}})
	for _, tok := range []string{"", "wrong-token"} {
		res := h.doWithToken(http.MethodGet, "/v2/agents", "", tok)
		mustStatus(t, res, http.StatusUnauthorized)
		if res.message(t) == "" || (tok != "" && strings.Contains(string(res.body), tok)) {
			t.Errorf("bad 401 body %s", res.body)
		}
	}
	mustStatus(t, h.doWithToken(http.MethodGet, "/v2/agents", "", "secret-1"), http.StatusOK)
	h.fake.SetAPIKeys("secret-2")
	mustStatus(t, h.doWithToken(http.MethodGet, "/v2/agents", "", "secret-1"), http.StatusUnauthorized)
	mustStatus(t, h.doWithToken(http.MethodGet, "/v2/agents", "", "secret-2"), http.StatusOK)
	h.fake.SetAPIKeys()
	mustStatus(t, h.doWithToken(http.MethodGet, "/v2/agents", "", "anything"), http.StatusOK)
	if n := h.fake.CountRequests(http.MethodGet); n != 6 {
		t.Errorf("recorded %d GETs, want 6 (rejected ones included)", n)
	}
	reqs := h.fake.Requests()
	if reqs[0].Token != "" || reqs[1].Token != "wrong-token" {
		t.Errorf("tokens not recorded: %q %q", reqs[0].Token, reqs[1].Token)
	}
}

func TestFaultInjection(t *testing.T) {
	h := newHarness(t, orqmem.Options{})
	h.fake.AddFault(orqmem.Fault{Method: http.MethodPost, Path: "/v2/agents", Status: http.StatusTooManyRequests,
		RetryAfter: 1500 * time.Millisecond, Times: 2, Message: "slow down"})
	for range 2 {
		res := h.do(http.MethodPost, "/v2/agents", baseBody("faulty").String())
		mustStatus(t, res, http.StatusTooManyRequests)
		if res.header.Get("Retry-After") != "2" || res.message(t) != "slow down" {
			t.Errorf("Retry-After %q message %q", res.header.Get("Retry-After"), res.message(t))
		}
	}
	h.create(baseBody("faulty"))
	if got := h.fake.CountRequests(http.MethodPost); got != 3 {
		t.Errorf("CountRequests(POST) = %d", got)
	}

	h.fake.AddFault(orqmem.Fault{Path: "/v2/agents/faulty", Status: http.StatusServiceUnavailable})
	for range 3 {
		res := h.do(http.MethodGet, "/v2/agents/faulty", "")
		mustStatus(t, res, http.StatusServiceUnavailable)
		if res.message(t) != "Service Unavailable" {
			t.Errorf("default fault message %q", res.message(t))
		}
	}
	mustStatus(t, h.do(http.MethodGet, "/v2/agents", ""), http.StatusOK) // path prefix does not match
	h.fake.ClearFaults()
	mustStatus(t, h.do(http.MethodGet, "/v2/agents/faulty", ""), http.StatusOK)

	h.fake.AddFault(orqmem.Fault{Latency: 50 * time.Millisecond, Times: 1})
	start := time.Now()
	mustStatus(t, h.do(http.MethodGet, "/v2/agents/faulty", ""), http.StatusOK)
	if d := time.Since(start); d < 50*time.Millisecond {
		t.Errorf("latency fault took only %v", d)
	}
	h.fake.SetLatency(30 * time.Millisecond)
	start = time.Now()
	mustStatus(t, h.do(http.MethodGet, "/v2/agents/faulty", ""), http.StatusOK)
	if d := time.Since(start); d < 30*time.Millisecond {
		t.Errorf("global latency took only %v", d)
	}
}

func TestFaultEvery(t *testing.T) {
	h := newHarness(t, orqmem.Options{})
	h.create(baseBody("half"))
	h.fake.AddFault(orqmem.Fault{Path: "/v2/agents/half", Status: http.StatusInternalServerError, Every: 2})
	var got []int
	for range 6 {
		got = append(got, h.do(http.MethodGet, "/v2/agents/half", "").status)
	}
	want := []int{200, 500, 200, 500, 200, 500}
	if !slices.Equal(got, want) {
		t.Errorf("statuses %v, want %v", got, want)
	}
}

// A fault after handling is a request that landed and whose answer was lost.
func TestFaultAfterHandling(t *testing.T) {
	h := newHarness(t, orqmem.Options{})
	h.fake.AddFault(orqmem.Fault{Method: http.MethodPost, Path: "/v2/agents", Status: http.StatusGatewayTimeout, Times: 1, AfterHandling: true})
	mustStatus(t, h.do(http.MethodPost, "/v2/agents", baseBody("landed").String()), http.StatusGatewayTimeout)
	if _, ok := h.fake.Agent("landed"); !ok {
		t.Error("the create whose answer was lost made no agent")
	}
	if got := h.fake.Requests()[0].Status; got != http.StatusGatewayTimeout {
		t.Errorf("recorded status %d, want the one the client saw", got)
	}
	mustStatus(t, h.do(http.MethodPost, "/v2/agents", baseBody("landed").String()), http.StatusConflict)
}

func TestHooks(t *testing.T) {
	h := newHarness(t, orqmem.Options{})
	h.create(baseBody("hooked"))
	snap, ok := h.fake.Agent("hooked")
	if !ok {
		t.Fatal("Agent() missing")
	}
	snap["role"] = "changed locally"
	if again, _ := h.fake.Agent("hooked"); again["role"] == "changed locally" {
		t.Error("Agent() returned a shared map")
	}
	if _, ok := h.fake.Agent("nope"); ok {
		t.Error("Agent(nope) found")
	}

	before, _ := h.fake.Agent("hooked")
	if !h.fake.MutateAgent("hooked", func(a map[string]any) {
		a["instructions"] = "edited in studio"
		a["settings"].(map[string]any)["max_iterations"] = 3
	}) {
		t.Fatal("MutateAgent failed")
	}
	a := h.do(http.MethodGet, "/v2/agents/hooked", "").json(t)
	jsonEqual(t, "instructions", a["instructions"], `"edited in studio"`)
	jsonEqual(t, "max_iterations", a["settings"].(map[string]any)["max_iterations"], `3`)
	if a["updated"] == before["updated"] {
		t.Error("MutateAgent did not refresh updated")
	}
	if h.fake.MutateAgent("nope", func(map[string]any) {}) {
		t.Error("MutateAgent(nope) succeeded")
	}

	req := h.fake.Requests()[0]
	if req.Method != http.MethodPost || req.Path != "/v2/agents" || req.Token != testToken || len(req.Body) == 0 || req.At.IsZero() {
		t.Errorf("unexpected request record %+v", req)
	}
	h.fake.ResetRequests()
	if h.fake.CountRequests("") != 0 {
		t.Error("ResetRequests kept requests")
	}
	h.do(http.MethodGet, "/v2/agents?limit=5", "")
	if r := h.fake.Requests()[0]; r.RawQuery != "limit=5" {
		t.Errorf("RawQuery %q", r.RawQuery)
	}
	h.fake.Reset()
	if len(h.fake.Keys()) != 0 || h.fake.CountRequests("") != 0 {
		t.Error("Reset kept state")
	}
}

func TestSchemaOptionRunsAfterBuiltin(t *testing.T) {
	v := &recordingValidator{err: fmt.Errorf("schema says no")}
	h := newHarness(t, orqmem.Options{Schema: v})
	res := h.do(http.MethodPost, "/v2/agents", baseBody("s").String())
	mustStatus(t, res, http.StatusBadRequest)
	if res.message(t) != "schema says no" {
		t.Errorf("message %q", res.message(t))
	}
	mustStatus(t, h.do(http.MethodPost, "/v2/agents", baseBody("1bad").String()), http.StatusBadRequest)
	if v.calls != 1 {
		t.Errorf("extra validator called %d times, want 1 (not for bodies the built-in validator rejects)", v.calls)
	}
}

// recordingValidator is a RequestValidator returning err.
type recordingValidator struct {
	mu    sync.Mutex
	calls int
	err   error
}

func (v *recordingValidator) ValidateCreateRequest([]byte) error {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.calls++
	return v.err
}

func (v *recordingValidator) ValidateUpdateRequest([]byte) error { return v.ValidateCreateRequest(nil) }

func TestConcurrentUse(t *testing.T) {
	h := newHarness(t, orqmem.Options{Now: time.Now})
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			key := fmt.Sprintf("c-%d", i)
			h.do(http.MethodPost, "/v2/agents", baseBody(key).String())
			h.do(http.MethodPatch, "/v2/agents/"+key, `{"role":"r2"}`)
			h.do(http.MethodGet, "/v2/agents?limit=3", "")
		}()
	}
	wg.Wait()
	if n := len(h.fake.Keys()); n != 20 {
		t.Fatalf("%d agents", n)
	}
}

func TestMessagesAreNotHTMLEscaped(t *testing.T) {
	h := newHarness(t, orqmem.Options{})
	res := h.do(http.MethodPost, "/v2/agents", baseBody("x").set("settings.max_iterations", 101).String())
	mustStatus(t, res, http.StatusBadRequest)
	if want := `{"message":"settings.max_iterations: must be <= 100"}`; string(res.body) != want {
		t.Errorf("body %s, want %s", res.body, want)
	}
	if ct := res.header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q", ct)
	}
}
