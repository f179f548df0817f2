package main

import (
	"testing"

	"github.com/orq-ai/orq-operator/internal/orqmem"
)

func TestOrqRoute(t *testing.T) {
	for _, tc := range []struct{ method, path, collection, verb string }{
		{"GET", "/v2/agents", collAgents, "LIST"},
		{"GET", "/v2/agents/", collAgents, "LIST"},
		{"GET", "/v2/agents/a1", collAgents, "GET"},
		{"POST", "/v2/agents", collAgents, "POST"},
		{"GET", "/v2/tools", collTools, "LIST"},
		{"PATCH", "/v2/tools/01J", collTools, "PATCH"},
		{"GET", "/v2/knowledge", collKnowledge, "LIST"},
		{"DELETE", "/v2/knowledge/01K", collKnowledge, "DELETE"},
		{"GET", "/v2/memory-stores", collMemoryStores, "LIST"},
		{"POST", "/v2/memory-stores", collMemoryStores, "POST"},
		// A schedule lives under its agent, not in the agents' collection.
		{"GET", "/v3/agents/a1/schedules", collSchedules, "LIST"},
		{"POST", "/v3/agents/a1/schedules", collSchedules, "POST"},
		{"GET", "/v3/agents/a1/schedules/01S", collSchedules, "GET"},
		{"GET", "/v2/unknown", collOther, "LIST"},
		{"GET", "/health", collOther, "GET"},
	} {
		c, v := orqRoute(tc.method, tc.path)
		if c != tc.collection || v != tc.verb {
			t.Errorf("orqRoute(%s %s) = %s %s, want %s %s", tc.method, tc.path, c, v, tc.collection, tc.verb)
		}
	}
}

func TestCountByRoute(t *testing.T) {
	got := countByRoute([]orqmem.Request{
		{Method: "GET", Path: "/v2/tools"}, {Method: "GET", Path: "/v2/tools"}, {Method: "POST", Path: "/v2/tools"},
		{Method: "GET", Path: "/v3/agents/a/schedules"}, {Method: "GET", Path: "/v3/agents/b/schedules"},
	})
	if got[collTools]["LIST"] != 2 || got[collTools]["POST"] != 1 || got[collSchedules]["LIST"] != 2 || len(got) != 2 {
		t.Errorf("countByRoute = %v", got)
	}
	if sumCounts(got[collTools]) != 3 || sumCounts(got[collAgents]) != 0 {
		t.Errorf("sumCounts: %d, %d", sumCounts(got[collTools]), sumCounts(got[collAgents]))
	}
	if w := without(got[collTools], "LIST"); len(w) != 1 || w["POST"] != 1 || got[collTools]["LIST"] != 2 {
		t.Errorf("without = %v, source now %v", w, got[collTools])
	}
}
