package main

import (
	"bytes"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/orq-ai/orq-operator/internal/openapi"
	"github.com/orq-ai/orq-operator/internal/orqmem"
)

func TestParseFlagsAPIKeyFromEnv(t *testing.T) {
	t.Setenv(envAPIKey, "from-env")
	if c := parseFlags(nil); c.apiKey != "from-env" || c.listen != "127.0.0.1:8089" {
		t.Errorf("defaults: %+v", c)
	}
	if c := parseFlags([]string{"--api-key", "flag", "--latency", "5ms"}); c.apiKey != "flag" || c.latency.Milliseconds() != 5 {
		t.Errorf("flags: %+v", c)
	}
}

func TestParseFlagsProjectKeys(t *testing.T) {
	c := parseFlags([]string{"--project-key", "k1=Sales", "--project-key", "k2=Default Project"})
	want := map[string]string{"k1": "Sales", "k2": "Default Project"}
	if len(c.projectKeys) != 2 || c.projectKeys["k1"] != want["k1"] || c.projectKeys["k2"] != want["k2"] {
		t.Errorf("project keys %v, want %v", c.projectKeys, want)
	}
}

func TestLogRequestsNeverLogsToken(t *testing.T) {
	var buf bytes.Buffer
	log.SetOutput(&buf)
	t.Cleanup(func() { log.SetOutput(os.Stderr) })
	h := logRequests(orqmem.New(orqmem.Options{APIKeys: []string{"top-secret"}}))
	req := httptest.NewRequest(http.MethodGet, "/v2/agents/some-agent", nil)
	req.Header.Set("Authorization", "Bearer top-secret")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	line := buf.String()
	if !strings.Contains(line, "GET /v2/agents/some-agent 404") || strings.Contains(line, "top-secret") {
		t.Errorf("log line %q", line)
	}
}

func TestServerOptionsLoadTheDocuments(t *testing.T) {
	c := parseFlags([]string{"--graph-openapi", filepath.Join(t.TempDir(), "missing.yaml")})
	if _, err := serverOptions(c); err == nil {
		t.Error("a missing --graph-openapi file was accepted")
	}
	graph, err := openapi.LocateGraph()
	if err != nil {
		t.Skipf("graph OpenAPI file not found (%v); set %s", err, openapi.EnvGraphFile)
	}
	opts, err := serverOptions(parseFlags([]string{"--graph-openapi", graph, "--api-key", "k"}))
	if err != nil || opts.Graph == nil || opts.Schema != nil {
		t.Fatalf("serverOptions: %+v, %v", opts, err)
	}
	// The tools API is served, with the document's validation.
	srv := httptest.NewServer(orqmem.New(opts))
	defer srv.Close()
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/v2/tools", strings.NewReader(`{"path":"Default","key":"k","description":"d",
	  "type":"function","function":{"name":"f"}}`))
	req.Header.Set("Authorization", "Bearer k")
	res, err := srv.Client().Do(req)
	if err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("create tool: %v %v", err, res)
	}
	res.Body.Close()
}
