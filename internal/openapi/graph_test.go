package openapi_test

import (
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/orq-ai/orq-operator/internal/openapi"
)

const (
	toolsRoute     = "/v2/tools"
	knowledgeItem  = "/v2/knowledge/{knowledge_id}"
	schedulesRoute = "/v3/agents/{agent_key}/schedules"
)

const httpTool = `{"path":"Default","key":"weather","description":"Weather","type":"http",
  "http":{"blueprint":{"url":"https://example.com","method":"GET"}}}`

func TestGraphRequests(t *testing.T) {
	g := openapi.GraphForTest(t)
	cases := []struct {
		name, method, route, body string
		wantPath                  string // "" = valid
	}{
		{"http tool", http.MethodPost, toolsRoute, httpTool, ""},
		{"tool key with a dot", http.MethodPost, toolsRoute, strings.Replace(httpTool, `"weather"`, `"a.b"`, 1), "key"},
		{"http timeout 601", http.MethodPost, toolsRoute,
			strings.Replace(httpTool, `"GET"}`, `"GET","timeout":601}`, 1), "http.blueprint.timeout"},
		{"knowledge update naming its type", http.MethodPatch, knowledgeItem, `{"type":"internal","description":"d"}`, ""},
		// Both update variants are open objects without required members:
		// a body naming no type matches both, which oneOf refuses.
		{"knowledge update without type", http.MethodPatch, knowledgeItem, `{"description":"d"}`, "(root)"},
		{"schedule", http.MethodPost, schedulesRoute,
			`{"type":"cron","expression":"0 0 9 * * *","display_name":"Daily","payload":{"input":"hi"}}`, ""},
		{"schedule with an unknown member", http.MethodPost, schedulesRoute,
			`{"type":"cron","expression":"0 0 9 * * *","display_name":"Daily","payload":{},"every":"1h"}`, "(root)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := g.ValidateRequest(tc.method, tc.route, []byte(tc.body))
			switch {
			case tc.wantPath == "" && err != nil:
				t.Fatalf("valid body refused: %v", err)
			case tc.wantPath != "" && err == nil:
				t.Fatalf("invalid body accepted: %s", tc.body)
			case tc.wantPath != "" && !strings.Contains(err.Error(), tc.wantPath+":"):
				t.Errorf("error %q does not name %s", err, tc.wantPath)
			}
		})
	}
}

func TestGraphResponses(t *testing.T) {
	g := openapi.GraphForTest(t)
	schedule := `{"_id":"01JJ1HDHN79XAS7A01WB3HYSDB","agent_key":"a","type":"cron","expression":"0 0 * * * *",
	  "is_active":true,"generation":1,"payload":{},"created_by_id":"k","created":"2025-03-01T12:00:00.000Z",
	  "updated":"2025-03-01T12:00:00.000Z","trigger_count":0}`
	if err := g.ValidateResponse(http.MethodPost, schedulesRoute, http.StatusCreated, []byte(schedule)); err != nil {
		t.Errorf("valid schedule refused: %v", err)
	}
	if err := g.ValidateResponse(http.MethodPost, schedulesRoute, http.StatusCreated, []byte(`{"_id":"x"}`)); err == nil {
		t.Error("incomplete schedule accepted")
	}
	notFound := `{"error":{"code":"agent_not_found","message":"Agent not found"}}`
	if err := g.ValidateResponse(http.MethodPost, schedulesRoute, http.StatusNotFound, []byte(notFound)); err != nil {
		t.Errorf("documented 404 refused: %v", err)
	}
	if err := g.ValidateResponse(http.MethodPost, schedulesRoute, http.StatusNotFound, []byte(`{"message":"x"}`)); err == nil {
		t.Error("a 404 in another shape accepted")
	}
	if err := g.ValidateResponse(http.MethodPost, schedulesRoute, http.StatusConflict, nil); !errors.Is(err, openapi.ErrUndocumented) {
		t.Errorf("undocumented status: %v, want ErrUndocumented", err)
	}
	if err := g.ValidateResponse(http.MethodDelete, knowledgeItem, http.StatusNoContent, []byte(`{}`)); err == nil {
		t.Error("a 204 with a body accepted")
	}
	if err := g.ValidateResponse(http.MethodDelete, knowledgeItem, http.StatusNoContent, nil); err != nil {
		t.Errorf("empty 204 refused: %v", err)
	}
	if err := g.ValidateRequest(http.MethodGet, "/v2/nothing", nil); !errors.Is(err, openapi.ErrUndocumented) {
		t.Errorf("unknown operation: %v, want ErrUndocumented", err)
	}
}

func TestLocateGraph(t *testing.T) {
	dir := t.TempDir()
	beside := filepath.Join(dir, "graph-openapi.yaml")
	if err := os.WriteFile(beside, []byte("openapi: 3.1.0\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv(openapi.EnvGraphFile, "")
	t.Setenv(openapi.EnvFile, filepath.Join(dir, "agents-openapi.yaml"))
	if got, err := openapi.LocateGraph(); err != nil || got != beside {
		t.Errorf("beside %s: LocateGraph() = %q, %v; want %q", openapi.EnvFile, got, err, beside)
	}
	t.Setenv(openapi.EnvGraphFile, filepath.Join(dir, "missing.yaml"))
	if _, err := openapi.LocateGraph(); !errors.Is(err, openapi.ErrNotFound) {
		t.Errorf("missing %s: %v, want ErrNotFound", openapi.EnvGraphFile, err)
	}
}

func TestLoadGraphRejectsDocumentWithoutPaths(t *testing.T) {
	file := filepath.Join(t.TempDir(), "graph.yaml")
	if err := os.WriteFile(file, []byte("openapi: 3.1.0\npaths: {}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := openapi.LoadGraph(file); err == nil {
		t.Fatal("LoadGraph accepted a document without paths")
	}
}

func TestGraphRoute(t *testing.T) {
	g := openapi.GraphForTest(t)
	cases := map[string]string{
		"/v2/tools": "/v2/tools",
		"/v2/tools/tool_01JJ1HDHN79XAS7A01WB3HYSDB":                     "/v2/tools/{tool_id}",
		"/v2/tools/x/versions":                                          "/v2/tools/{tool_id}/versions",
		"/v2/memory-stores/prefs":                                       "/v2/memory-stores/{memory_store_key}",
		"/v3/agents/bot/schedules/01JJ1HDHN79XAS7A01WB3HYSDB/execution": "/v3/agents/{agent_key}/schedules/{schedule_id}/execution",
		"/v2/knowledge/k/search":                                        "/v2/knowledge/{knowledge_id}/search",
	}
	for path, want := range cases {
		if got, ok := g.Route(path); !ok || got != want {
			t.Errorf("Route(%q) = %q, %v; want %q", path, got, ok, want)
		}
	}
	for _, path := range []string{"/v2/agents", "/v2/tools/", "/v3/agents/bot", "/v2/tools/a/b/c/d"} {
		if got, ok := g.Route(path); ok {
			t.Errorf("Route(%q) = %q, want none", path, got)
		}
	}
}
