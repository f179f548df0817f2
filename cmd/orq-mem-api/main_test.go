package main

import (
	"bytes"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

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
