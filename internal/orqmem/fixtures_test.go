package orqmem_test

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
)

// toolConfigs are a minimal valid configuration member per tool type.
var toolConfigs = map[string]struct{ member, json string }{
	"http":        {"http", `{"blueprint":{"url":"https://example.com/api","method":"GET"}}`},
	"code":        {"code_tool", `{"language":"python","code":"print(1)"}`},
	"function":    {"function", `{"name":"lookup"}`},
	"json_schema": {"json_schema", `{"name":"answer","description":"An answer","schema":{"type":"object","properties":{},"required":[]}}`},
}

// toolBody returns a minimal POST /v2/tools body.
func toolBody(key, typ string) body {
	c := toolConfigs[typ]
	return body{"path": "Default", "key": key, "description": "Tool " + key, "type": typ, c.member: raw(c.json)}
}

// knowledgeBody returns a minimal internal POST /v2/knowledge body.
func knowledgeBody(key string) body {
	return body{"type": "internal", "key": key, "embedding_model": "openai/text-embedding-3-small", "path": "Default"}
}

// memoryStoreBody returns a minimal POST /v2/memory-stores body.
func memoryStoreBody(key string) body {
	return body{"key": key, "embedding_config": map[string]any{"model": "openai/text-embedding-3-small"},
		"description": "Store " + key, "path": "Default"}
}

// post sends a create body and requires status want; it returns the answer.
func (h *harness) post(path string, b body, want int) map[string]any {
	h.t.Helper()
	res := h.do(http.MethodPost, path, b.String())
	mustStatus(h.t, res, want)
	return res.json(h.t)
}

// createTool creates a tool through the API and returns it.
func (h *harness) createTool(key, typ string) map[string]any {
	h.t.Helper()
	return h.post("/v2/tools", toolBody(key, typ), http.StatusOK)
}

// agentToolID is the id by which agents name a tool: its _id without
// "tool_".
func agentToolID(tool map[string]any) string {
	return strings.TrimPrefix(tool["_id"].(string), "tool_")
}

// seedAgentRefs creates, through the API, the tools, knowledge base and
// memory store goodCreateBodies name, and returns the agent id of its
// function tool.
func (h *harness) seedAgentRefs() string {
	h.t.Helper()
	h.createTool("weather_api", "http")
	h.createTool("calc", "code")
	h.createTool("answer_schema", "json_schema")
	h.createTool("untyped_tool", "function")
	fn := h.createTool("fn", "function")
	h.post("/v2/knowledge", knowledgeBody("kb-1"), http.StatusOK)
	h.post("/v2/memory-stores", memoryStoreBody("mem_1"), http.StatusCreated)
	return agentToolID(fn)
}

// mustJSON encodes v.
func mustJSON(t testing.TB, v any) []byte {
	t.Helper()
	out, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// keysOf returns the keys of a list answer's data, comma-separated.
func keysOf(t testing.TB, res result) string {
	t.Helper()
	var keys []string
	for _, it := range res.json(t)["data"].([]any) {
		keys = append(keys, it.(map[string]any)["key"].(string))
	}
	return strings.Join(keys, ",")
}

// itoa renders n as JSON.
func itoa(n int) string { return strconv.Itoa(n) }
