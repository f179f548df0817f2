package orqmem_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/orq-ai/orq-operator/internal/orqmem"
)

var toolIDPattern = regexp.MustCompile(`^tool_[0-9A-HJKMNP-TV-Z]{26}$`)

func TestToolCreateEcho(t *testing.T) {
	h := newHarness(t, orqmem.Options{})
	got := h.createTool("weather", "http")
	id, _ := got["_id"].(string)
	if !toolIDPattern.MatchString(id) {
		t.Errorf("_id %q is not tool_ + ULID", id)
	}
	want := `{"path":"Default","key":"weather","display_name":"weather","description":"Tool weather",
	  "created_by_id":null,"updated_by_id":null,"project_id":"` + orqmem.DefaultProjectID + `",
	  "workspace_id":"` + orqmem.DefaultWorkspaceID + `","status":"live","type":"http",
	  "http":{"blueprint":{"url":"https://example.com/api","method":"GET",
	    "headers":{"Content-Type":{"value":"application/json","encrypted":false}}}}}`
	for _, f := range []string{"_id", "created", "updated"} {
		delete(got, f)
	}
	jsonEqual(t, "tool", got, want)

	full := toolBody("full", "http").set("display_name", "Full").set("status", "draft").set("http", raw(`{
	  "blueprint":{"url":"https://x.example","method":"POST","headers":{"A":"plain","B":{"value":"v"}},"body":{"k":1},"timeout":30},
	  "arguments":{"city":{"type":"string","description":"City"},"n":{"type":"number","description":"N","send_to_model":false,"default_value":3}}}`))
	f := h.post("/v2/tools", full, http.StatusOK)
	jsonEqual(t, "display_name", f["display_name"], `"Full"`)
	jsonEqual(t, "status", f["status"], `"draft"`)
	jsonEqual(t, "http", f["http"], `{"blueprint":{"url":"https://x.example","method":"POST",
	  "headers":{"A":"plain","B":{"value":"v","encrypted":false}},"body":{"k":1},"timeout":30},
	  "arguments":{"city":{"type":"string","description":"City","send_to_model":true},
	    "n":{"type":"number","description":"N","send_to_model":false,"default_value":3}}}`)

	res := h.do(http.MethodGet, "/v2/tools/"+f["_id"].(string), "")
	mustStatus(t, res, http.StatusOK)
	jsonEqual(t, "retrieved", res.json(t), string(mustJSON(t, f)))
	// Addressed by id only.
	mustStatus(t, h.do(http.MethodGet, "/v2/tools/full", ""), http.StatusNotFound)
	mustStatus(t, h.do(http.MethodPost, "/v2/tools", toolBody("full", "code").String()), http.StatusConflict)
}

func TestToolTypesEcho(t *testing.T) {
	h := newHarness(t, orqmem.Options{})
	for typ, c := range toolConfigs {
		got := h.createTool("t_"+typ, typ)
		if got["type"] != typ {
			t.Errorf("%s tool echoed type %v", typ, got["type"])
		}
		if typ != "http" {
			jsonEqual(t, typ+" "+c.member, got[c.member], c.json)
		}
	}
}

func TestToolValidation(t *testing.T) {
	h := newHarness(t, orqmem.Options{})
	type tc struct {
		name     string
		b        body
		wantPath string
	}
	http1 := func() body { return toolBody("k", "http") }
	cases := []tc{
		{"no path", toolBody("k", "http").del("path"), "path"},
		{"no key", toolBody("k", "http").del("key"), "key"},
		{"no description", toolBody("k", "http").del("description"), "description"},
		{"no type", toolBody("k", "http").del("type"), "type"},
		{"unknown type", toolBody("k", "http").set("type", "mcp"), "type"},
		{"no configuration", toolBody("k", "http").del("http"), "http"},
		{"key with a dot", toolBody("a.b", "http"), "key"},
		{"key with a double separator", toolBody("a--b", "http"), "key"},
		{"key starting with a digit", toolBody("1a", "http"), "key"},
		{"key of 65 characters", toolBody("k"+strings.Repeat("a", 64), "http"), "key"},
		{"status", toolBody("k", "http").set("status", "gone"), "status"},
		{"http method", http1().set("http", raw(`{"blueprint":{"url":"u","method":"PATCH"}}`)), "http.blueprint.method"},
		{"http without url", http1().set("http", raw(`{"blueprint":{"method":"GET"}}`)), "http.blueprint.url"},
		{"http timeout 0", http1().set("http", raw(`{"blueprint":{"url":"u","method":"GET","timeout":0}}`)), "http.blueprint.timeout"},
		{"http timeout 601", http1().set("http", raw(`{"blueprint":{"url":"u","method":"GET","timeout":601}}`)), "http.blueprint.timeout"},
		{"header object without value", http1().set("http", raw(`{"blueprint":{"url":"u","method":"GET","headers":{"A":{"encrypted":true}}}}`)), "http.blueprint.headers.A.value"},
		{"argument without description", http1().set("http", raw(`{"blueprint":{"url":"u","method":"GET"},"arguments":{"a":{"type":"string"}}}`)), "http.arguments.a.description"},
		{"argument type", http1().set("http", raw(`{"blueprint":{"url":"u","method":"GET"},"arguments":{"a":{"type":"date","description":"d"}}}`)), "http.arguments.a.type"},
		{"argument default object", http1().set("http", raw(`{"blueprint":{"url":"u","method":"GET"},"arguments":{"a":{"type":"string","description":"d","default_value":{}}}}`)), "http.arguments.a.default_value"},
		{"function without name", toolBody("k", "function").set("function", raw(`{}`)), "function.name"},
		{"function parameters without required", toolBody("k", "function").set("function", raw(`{"name":"n","parameters":{"type":"object","properties":{}}}`)), "function.parameters.required"},
		{"function parameters not object", toolBody("k", "function").set("function", raw(`{"name":"n","parameters":{"type":"array","properties":{},"required":[]}}`)), "function.parameters.type"},
		{"json_schema name of 65", toolBody("k", "json_schema").set("json_schema", raw(`{"name":"`+strings.Repeat("n", 65)+`","description":"d","schema":{"type":"object","properties":{},"required":[]}}`)), "json_schema.name"},
		{"json_schema without description", toolBody("k", "json_schema").set("json_schema", raw(`{"name":"n","schema":{"type":"object","properties":{},"required":[]}}`)), "json_schema.description"},
		{"code language", toolBody("k", "code").set("code_tool", raw(`{"language":"ruby","code":"x"}`)), "code_tool.language"},
		{"empty code", toolBody("k", "code").set("code_tool", raw(`{"language":"python","code":""}`)), "code_tool.code"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := h.do(http.MethodPost, "/v2/tools", c.b.String())
			mustStatus(t, res, http.StatusBadRequest)
			if msg := res.message(t); !strings.HasPrefix(msg, c.wantPath+": ") {
				t.Errorf("message %q does not start with %q", msg, c.wantPath+": ")
			}
		})
	}
	if n := len(h.fake.Tools()); n != 0 {
		t.Errorf("%d tools stored from invalid bodies", n)
	}
}

func TestToolUpdate(t *testing.T) {
	h := newHarness(t, orqmem.Options{})
	tool := h.createTool("weather", "http")
	h.createTool("taken", "function")
	path := "/v2/tools/" + tool["_id"].(string)

	res := h.do(http.MethodPatch, path, `{"type":"http","description":"Forecasts","versionIncrement":"minor","versionDescription":"v"}`)
	mustStatus(t, res, http.StatusOK)
	got := res.json(t)
	if got["description"] != "Forecasts" || got["updated"] == tool["updated"] || got["created"] != tool["created"] {
		t.Errorf("after update: description %v, created %v -> %v, updated %v -> %v",
			got["description"], tool["created"], got["created"], tool["updated"], got["updated"])
	}
	if _, ok := got["versionIncrement"]; ok {
		t.Error("versionIncrement echoed")
	}
	again := h.do(http.MethodPatch, path, `{"type":"http","description":"Forecasts"}`).json(t)
	if again["updated"] != got["updated"] {
		t.Errorf("an update changing nothing moved updated %v -> %v", got["updated"], again["updated"])
	}

	cases := []struct {
		name, body string
		status     int
		want       string
	}{
		{"type change", `{"type":"function","function":{"name":"f"}}`, 400, `{"message":"type: must be \"http\": a http tool cannot become a function tool"}`},
		{"no type", `{"description":"d"}`, 400, `{"message":"type: is required"}`},
		{"taken key", `{"type":"http","key":"taken"}`, 409, `{"message":"Tool with key \"taken\" already exists"}`},
		{"bad key", `{"type":"http","key":"a.b"}`, 400, ""},
	}
	for _, c := range cases {
		res := h.do(http.MethodPatch, path, c.body)
		if res.status != c.status || (c.want != "" && string(res.body) != c.want) {
			t.Errorf("%s: %d %s, want %d %s", c.name, res.status, res.body, c.status, c.want)
		}
	}
	res = h.do(http.MethodPatch, "/v2/tools/tool_01JJ1HDHN79XAS7A01WB3HYSDB", `{"type":"http"}`)
	if res.status != http.StatusNotFound || string(res.body) != `{"error":"Tool with id tool_01JJ1HDHN79XAS7A01WB3HYSDB not found"}` {
		t.Errorf("update of an unknown tool: %d %s (the document's 404 shape)", res.status, res.body)
	}

	moved := h.do(http.MethodPatch, path, `{"type":"http","key":"forecast","path":"Sales/tools","http":{"blueprint":{"url":"https://y.example","method":"POST"}}}`)
	mustStatus(t, moved, http.StatusOK)
	m := moved.json(t)
	if m["key"] != "forecast" || m["path"] != "Sales/tools" || m["project_id"] == orqmem.DefaultProjectID {
		t.Errorf("moved tool: key %v, path %v, project_id %v", m["key"], m["path"], m["project_id"])
	}
	jsonEqual(t, "new configuration", m["http"], `{"blueprint":{"url":"https://y.example","method":"POST",
	  "headers":{"Content-Type":{"value":"application/json","encrypted":false}}}}`)
	mustStatus(t, h.do(http.MethodPost, "/v2/tools", toolBody("weather", "http").String()), http.StatusOK) // the old key is free
}

func TestToolDelete(t *testing.T) {
	h := newHarness(t, orqmem.Options{})
	weather := h.createTool("weather", "http")
	path := "/v2/tools/" + weather["_id"].(string)
	h.create(baseBody("b-agent").set("settings.tools", raw(`[{"type":"http","key":"weather"}]`)))
	h.create(baseBody("a-agent").set("settings.tools", raw(`[{"type":"http","id":"`+agentToolID(weather)+`"}]`)))

	res := h.do(http.MethodDelete, path, "")
	if res.status != http.StatusConflict || res.message(t) != `Tool "weather" is used by agents: a-agent, b-agent` {
		t.Fatalf("delete of a used tool: %d %s", res.status, res.body)
	}
	mustStatus(t, h.do(http.MethodPatch, "/v2/agents/a-agent", `{"settings":{"tools":[]}}`), http.StatusOK)
	mustStatus(t, h.do(http.MethodDelete, "/v2/agents/b-agent", ""), http.StatusNoContent)
	res = h.do(http.MethodDelete, path, "")
	if res.status != http.StatusOK || len(res.body) != 0 {
		t.Errorf("delete: %d %q, want 200 without content", res.status, res.body)
	}
	mustStatus(t, h.do(http.MethodGet, path, ""), http.StatusNotFound)
	mustStatus(t, h.do(http.MethodDelete, path, ""), http.StatusNotFound)
}

func TestToolsSeenThroughProjectKeys(t *testing.T) {
	h := scopedHarness(t)
	sales := h.post("/v2/tools", toolBody("sales_tool", "http").set("path", "Sales/tools"), http.StatusOK)
	h.createTool("default_tool", "http")

	res := h.doWithToken(http.MethodGet, "/v2/tools/"+sales["_id"].(string), "", salesKey)
	mustStatus(t, res, http.StatusOK)
	jsonEqual(t, "path seen by the project key", res.json(t)["path"], `"tools"`)
	list := h.doWithToken(http.MethodGet, "/v2/tools", "", salesKey).json(t)["data"].([]any)
	if len(list) != 1 || list[0].(map[string]any)["key"] != "sales_tool" {
		t.Errorf("the Sales key lists %v, want only sales_tool", list)
	}
	created := h.doWithToken(http.MethodPost, "/v2/tools", toolBody("mine", "code").set("path", "bots").String(), salesKey)
	mustStatus(t, created, http.StatusOK)
	if c := created.json(t); c["path"] != "bots" || c["project_id"] != sales["project_id"] {
		t.Errorf("tool made with the Sales key: path %v, project %v", c["path"], c["project_id"])
	}
	// An agent made with the Sales key cannot name the Default project's tool.
	res = h.doWithToken(http.MethodPost, "/v2/agents", baseBody("scoped").set("path", "agents").
		set("settings.tools", raw(`[{"type":"http","key":"default_tool"}]`)).String(), salesKey)
	mustStatus(t, res, http.StatusBadRequest)
}

func TestRenamedToolKeepsItsAgents(t *testing.T) {
	h := newHarness(t, orqmem.Options{})
	tool := h.createTool("weather", "http")
	h.create(baseBody("user").set("settings.tools", raw(`[{"key":"weather"}]`)))
	mustStatus(t, h.do(http.MethodPatch, "/v2/tools/"+tool["_id"].(string), `{"type":"http","key":"forecast"}`), http.StatusOK)
	a := h.do(http.MethodGet, "/v2/agents/user", "").json(t)
	echoed := a["settings"].(map[string]any)["tools"].([]any)[0].(map[string]any)
	if echoed["key"] != "forecast" || echoed["id"] != agentToolID(tool) {
		t.Errorf("agent echoes its renamed tool as %v", echoed)
	}
}
