package orqmem_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/orq-ai/orq-operator/internal/openapi"
	"github.com/orq-ai/orq-operator/internal/orqmem"
)

// servedOperations are the graph document's operations orqmem serves.
var servedOperations = []string{
	"GET /v2/tools", "POST /v2/tools", "GET /v2/tools/{tool_id}", "PATCH /v2/tools/{tool_id}", "DELETE /v2/tools/{tool_id}",
	"GET /v2/knowledge", "POST /v2/knowledge", "GET /v2/knowledge/{knowledge_id}", "PATCH /v2/knowledge/{knowledge_id}",
	"DELETE /v2/knowledge/{knowledge_id}",
	"GET /v2/memory-stores", "POST /v2/memory-stores", "GET /v2/memory-stores/{memory_store_key}",
	"PATCH /v2/memory-stores/{memory_store_key}", "DELETE /v2/memory-stores/{memory_store_key}",
	"GET /v3/agents/{agent_key}/schedules", "POST /v3/agents/{agent_key}/schedules",
	"GET /v3/agents/{agent_key}/schedules/{schedule_id}", "PATCH /v3/agents/{agent_key}/schedules/{schedule_id}",
	"DELETE /v3/agents/{agent_key}/schedules/{schedule_id}", "POST /v3/agents/{agent_key}/schedules/{schedule_id}/execution",
}

// TestGraphContract drives every served operation, with the document also
// validating request bodies inside the server (Options.Graph): the harness
// checks each answer, errors included, against the document's response
// schemas (checkGraphContract); this test checks that every operation was
// answered successfully at least once.
func TestGraphContract(t *testing.T) {
	g := openapi.GraphForTest(t)
	h := newHarness(t, orqmem.Options{Graph: g})
	fnID := h.seedAgentRefs()
	ext := h.post("/v2/knowledge", externalBody("docs").set("retrieval_settings", raw(`{"top_k":2,"rerank_config":null}`)), http.StatusOK)
	tool := h.post("/v2/tools", toolBody("full", "http").set("http", raw(`{"blueprint":{"url":"https://x.example","method":"POST",
	  "headers":{"A":"a","B":{"value":"b","encrypted":true}},"body":{"q":"{{q}}"},"timeout":10},
	  "arguments":{"q":{"type":"string","description":"Query","default_value":"x"}}}`)), http.StatusOK)
	for _, b := range goodCreateBodies(fnID) {
		mustStatus(t, h.do(http.MethodPost, "/v2/agents", b), http.StatusCreated)
	}

	for _, path := range []string{"/v2/tools", "/v2/tools?limit=2", "/v2/knowledge?type=external&search=do", "/v2/memory-stores?limit=1",
		"/v2/tools/" + tool["_id"].(string), "/v2/knowledge/" + ext["_id"].(string), "/v2/memory-stores/mem_1"} {
		mustStatus(t, h.do(http.MethodGet, path, ""), http.StatusOK)
	}
	patches := map[string]string{
		"/v2/tools/" + tool["_id"].(string):    `{"type":"http","status":"draft","display_name":"Full","versionIncrement":"patch"}`,
		"/v2/knowledge/" + ext["_id"].(string): `{"type":"external","retrieval_settings":{"rerank_config":{"rerank_model":"m"}},"external_config":{"api_key":"k2"}}`,
		"/v2/memory-stores/mem_1":              `{"ttl":null,"description":"d","path":"Default/memory"}`,
	}
	for path, b := range patches {
		mustStatus(t, h.do(http.MethodPatch, path, b), http.StatusOK)
	}

	sched := h.post(schedulesOf("minimal"), scheduleBody().set("agent_tag", "1.0.0"), http.StatusCreated)
	item := schedulesOf("minimal") + "/" + sched["_id"].(string)
	mustStatus(t, h.do(http.MethodGet, schedulesOf("minimal"), ""), http.StatusOK)
	mustStatus(t, h.do(http.MethodGet, item, ""), http.StatusOK)
	mustStatus(t, h.do(http.MethodPost, item+"/execution", ""), http.StatusAccepted)
	mustStatus(t, h.do(http.MethodPatch, item, `{"is_active":false,"payload":{"input":[{"role":"user","content":"hi"}]}}`), http.StatusOK)
	// Documented errors, checked against their schemas.
	mustStatus(t, h.do(http.MethodPost, item+"/execution", ""), http.StatusBadRequest)
	mustStatus(t, h.do(http.MethodPatch, item, `{"expression":"* * * * * *"}`), http.StatusBadRequest)
	mustStatus(t, h.do(http.MethodGet, schedulesOf("minimal")+"/01JJ1HDHN79XAS7A01WB3HYSDB", ""), http.StatusNotFound)
	mustStatus(t, h.do(http.MethodPatch, "/v2/tools/tool_01JJ1HDHN79XAS7A01WB3HYSDB", `{"type":"code"}`), http.StatusNotFound)
	mustStatus(t, h.do(http.MethodGet, "/v2/memory-stores/nope", ""), http.StatusNotFound)
	mustStatus(t, h.do(http.MethodDelete, item, ""), http.StatusNoContent)

	mustStatus(t, h.do(http.MethodDelete, "/v2/agents/tools_agent", ""), http.StatusNoContent)
	mustStatus(t, h.do(http.MethodDelete, "/v2/tools/"+tool["_id"].(string), ""), http.StatusOK)
	mustStatus(t, h.do(http.MethodDelete, "/v2/knowledge/"+ext["_id"].(string), ""), http.StatusNoContent)
	mustStatus(t, h.do(http.MethodDelete, "/v2/memory-stores/mem_1", ""), http.StatusNoContent)

	for _, op := range servedOperations {
		if h.answered[op] == 0 {
			t.Errorf("%s was never answered successfully", op)
		}
	}
}

// Bodies orqmem refuses that the document refuses too: the built-in
// validator is not looser than the document.
func TestGraphContractBadBodiesRejectedByBoth(t *testing.T) {
	g := openapi.GraphForTest(t)
	h := newHarness(t, orqmem.Options{})
	cases := []struct{ method, route, path, body string }{
		{http.MethodPost, "/v2/tools", "/v2/tools", toolBody("a.b", "http").String()},
		{http.MethodPost, "/v2/tools", "/v2/tools", toolBody("k", "http").set("http", raw(`{"blueprint":{"url":"u","method":"GET","timeout":601}}`)).String()},
		{http.MethodPost, "/v2/tools", "/v2/tools", toolBody("k", "code").set("code_tool", raw(`{"language":"python","code":""}`)).String()},
		{http.MethodPost, "/v2/knowledge", "/v2/knowledge", knowledgeBody("k").set("retrieval_settings", raw(`{"top_k":0}`)).String()},
		{http.MethodPost, "/v2/knowledge", "/v2/knowledge", knowledgeBody("k").set("retrieval_settings", raw(`{"rerank_config":{"rerank_model":"m","top_k":101}}`)).String()},
		{http.MethodPost, "/v2/knowledge", "/v2/knowledge", externalBody("k").del("type").set("embedding_model", "m").String()},
		{http.MethodPost, "/v2/memory-stores", "/v2/memory-stores", memoryStoreBody("user-prefs").String()},
		{http.MethodPost, "/v3/agents/{agent_key}/schedules", "/v3/agents/a/schedules", scheduleBody().set("every", "1h").String()},
		{http.MethodPost, "/v3/agents/{agent_key}/schedules", "/v3/agents/a/schedules", scheduleBody().set("type", "once").String()},
		{http.MethodPatch, "/v2/knowledge/{knowledge_id}", "/v2/knowledge/x", `{"description":"no type"}`},
	}
	h.create(baseBody("a"))
	for _, c := range cases {
		name := c.method + " " + c.path + " " + c.body
		if err := g.ValidateRequest(c.method, c.route, []byte(c.body)); err == nil {
			t.Errorf("the document accepts %s", name)
		}
		if res := h.do(c.method, c.path, c.body); res.status != http.StatusBadRequest {
			t.Errorf("orqmem answers %d to %s", res.status, name)
		}
	}
}

// The Graph option runs after the built-in validator and its refusal is a
// 400 naming the document's complaint.
func TestGraphOptionValidatesBodies(t *testing.T) {
	v := &recordingGraph{fail: "no"}
	h := newHarness(t, orqmem.Options{Graph: v})
	res := h.do(http.MethodPost, "/v2/tools", toolBody("k", "http").String())
	if res.status != http.StatusBadRequest || !strings.Contains(res.message(t), "no") || v.last != "POST /v2/tools" {
		t.Errorf("refused by the option: %d %s (validator saw %q)", res.status, res.body, v.last)
	}
	v.fail = ""
	h.createTool("k", "http")
	v.last = ""
	mustStatus(t, h.do(http.MethodPost, "/v2/tools", toolBody("a.b", "http").String()), http.StatusBadRequest)
	if v.last != "" {
		t.Error("the option saw a body the built-in validator refused")
	}
}

// recordingGraph is a GraphValidator that remembers the last operation.
type recordingGraph struct{ fail, last string }

func (r *recordingGraph) ValidateRequest(method, route string, _ []byte) error {
	r.last = method + " " + route
	if r.fail != "" {
		return &orqmem.FieldError{Path: "body", Message: r.fail}
	}
	return nil
}
