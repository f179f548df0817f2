package main

import (
	"net/http"
	"testing"
	"time"

	"github.com/orq-ai/orq-operator/internal/orqmem"
)

func TestParseStatus(t *testing.T) {
	status := "Name:\tmanager\nVmPeak:\t 1300000 kB\nVmHWM:\t   53248 kB\nVmRSS:\t   50000 kB\n"
	if v, ok := parseStatusKB(status, "VmHWM"); !ok || v != 53248*1024 {
		t.Errorf("VmHWM = %d, %v", v, ok)
	}
	if _, ok := parseStatusKB(status, "VmSwap"); ok {
		t.Error("a missing field was found")
	}
}

func TestParseStat(t *testing.T) {
	// The command name may hold spaces and parentheses.
	stat := "4242 (my (odd) cmd) S 4000 4242 4242 0 -1 4194560 1000 0 0 0 250 130 0 0 20 0 12 0 100 0 0"
	cpu, err := parseStatCPU(stat)
	if err != nil || cpu != 3.8 {
		t.Errorf("cpu = %v, %v; want 3.8 s", cpu, err)
	}
	comm, ppid, err := parseStatPPID(stat)
	if err != nil || comm != "my (odd) cmd" || ppid != 4000 {
		t.Errorf("comm, ppid = %q, %d, %v", comm, ppid, err)
	}
	if _, err := parseStatCPU("garbage"); err == nil {
		t.Error("garbage parsed")
	}
}

func TestParseSystemBusy(t *testing.T) {
	stat := "cpu  1000 50 300 9000 100 10 20 5 40 0\ncpu0 500 25 150 4500 50 5 10 2 20 0\n"
	busy, err := parseSystemBusy(stat)
	// user+nice+system+irq+softirq+steal = 1000+50+300+10+20+5 ticks
	if err != nil || busy != 13.85 {
		t.Errorf("busy = %v, %v; want 13.85 s", busy, err)
	}
}

func TestParseRequestTotals(t *testing.T) {
	text := `# HELP apiserver_request_total [STABLE] Counter of apiserver requests
# TYPE apiserver_request_total counter
apiserver_request_total{code="200",component="apiserver",dry_run="",group="orq.ai",resource="agents",scope="resource",subresource="",verb="PATCH",version="v1alpha1"} 20
apiserver_request_total{code="409",component="apiserver",dry_run="",group="orq.ai",resource="agents",scope="resource",subresource="",verb="PATCH",version="v1alpha1"} 2
apiserver_request_total{code="200",component="apiserver",dry_run="",group="orq.ai",resource="agents",scope="resource",subresource="status",verb="PATCH",version="v1alpha1"} 40
apiserver_request_total{code="201",component="apiserver",dry_run="",group="events.k8s.io",resource="events",scope="namespace",subresource="",verb="POST",version="v1"} 7
apiserver_request_total{code="200",component="apiserver",dry_run="",group="",resource="pods",scope="namespace",subresource="",verb="LIST",version="v1"} 3
apiserver_request_total{code="200",component="apiserver",dry_run="",group="orq.ai",resource="agents",scope="namespace",subresource="",verb="WATCH",version="v1alpha1"} 1e+00
apiserver_request_duration_seconds_bucket{resource="agents",verb="PATCH",le="0.1"} 99
`
	got := parseRequestTotals(text, "agents", "events")
	want := map[string]float64{"PATCH agents": 22, "PATCH agents/status": 40, "POST events": 7, "WATCH agents": 1}
	if len(got) != len(want) {
		t.Errorf("got %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %v, want %v", k, got[k], v)
		}
	}
	m := measurement{kube: got}
	if w, parts := m.kubeWrites("agents"); w != 62 || len(parts) != 2 {
		t.Errorf("agent writes = %v %v, want 62 in 2 series", w, parts)
	}
}

func TestParseLabelsEscapes(t *testing.T) {
	l, err := parseLabels(`a="x\"y",b="back\\slash",c=""`)
	if err != nil || l["a"] != `x"y` || l["b"] != `back\slash` || l["c"] != "" {
		t.Errorf("labels = %v, %v", l, err)
	}
	if _, err := parseLabels(`a="open`); err == nil {
		t.Error("unterminated value accepted")
	}
}

func TestKubeVerb(t *testing.T) {
	base := "/apis/orq.ai/v1alpha1/namespaces/ns/agents"
	for _, tc := range []struct{ method, path, query, ct, want string }{
		{"POST", base, "", "application/json", "POST"},
		{"PATCH", base + "/a", "", "application/merge-patch+json", "PATCH"},
		{"PATCH", base + "/a", "", "application/apply-patch+yaml", "APPLY"},
		{"DELETE", base + "/a", "", "", "DELETE"},
		{"DELETE", base, "", "", "DELETECOLLECTION"},
		{"GET", base, "limit=500", "", "LIST"},
		{"GET", base, "watch=true&resourceVersion=1", "", "WATCH"},
		{"GET", base + "/a", "", "", "GET"},
		{"PATCH", base + "/a/status", "", "application/merge-patch+json", "PATCH"},
		{"GET", "/apis/orq.ai/v1alpha1/agentschedules", "", "", "LIST"},
		{"GET", "/apis/orq.ai/v1alpha1/namespaces/ns/tools/t", "", "", "GET"},
	} {
		if got := kubeVerb(tc.method, tc.path, tc.query, tc.ct); got != tc.want {
			t.Errorf("kubeVerb(%s %s?%s) = %s, want %s", tc.method, tc.path, tc.query, got, tc.want)
		}
	}
	if isWriteVerb("LIST") || isWriteVerb("WATCH") || !isWriteVerb("PATCH") || !isWriteVerb("POST") {
		t.Error("isWriteVerb")
	}
}

func TestKubePath(t *testing.T) {
	for _, tc := range []struct {
		path, resource, name, sub string
		ok                        bool
	}{
		{"/apis/orq.ai/v1alpha1/namespaces/ns/agents", "agents", "", "", true},
		{"/apis/orq.ai/v1alpha1/namespaces/ns/agents/a/status", "agents", "a", "status", true},
		// Not an Agent: a prefix match on "/agents" would take it for one.
		{"/apis/orq.ai/v1alpha1/namespaces/ns/agentschedules/s", "agentschedules", "s", "", true},
		{"/apis/orq.ai/v1alpha1/tools", "tools", "", "", true},
		{"/apis/orq.ai/v1alpha1/namespaces/ns", "", "", "", false},
		{"/api/v1/namespaces/ns/events", "", "", "", false},
		{"/apis/orq.ai/v1alpha1/namespaces/ns/agents/a/status/x", "", "", "", false},
	} {
		resource, name, sub, ok := kubePath(tc.path)
		if resource != tc.resource || name != tc.name || sub != tc.sub || ok != tc.ok {
			t.Errorf("kubePath(%s) = %q, %q, %q, %v; want %q, %q, %q, %v", tc.path, resource, name, sub, ok, tc.resource, tc.name, tc.sub, tc.ok)
		}
	}
}

func TestOrqVerbAndKey(t *testing.T) {
	reqs := []orqmem.Request{
		{Method: "POST", Path: "/v2/agents", Body: []byte(`{"key":"a1","role":"r"}`)},
		{Method: "GET", Path: "/v2/agents/a1"},
		{Method: "GET", Path: "/v2/agents", RawQuery: "limit=200"},
		{Method: "PATCH", Path: "/v2/agents/a%2Fb"},
		{Method: "DELETE", Path: "/v2/agents/a2"},
	}
	all := countOrq(reqs, nil)
	for verb, want := range map[string]int{"POST": 1, "GET": 1, "LIST": 1, "PATCH": 1, "DELETE": 1} {
		if all[verb] != want {
			t.Errorf("%s = %d, want %d", verb, all[verb], want)
		}
	}
	a1 := countOrq(reqs, func(k string) bool { return k == "a1" })
	if a1["POST"] != 1 || a1["GET"] != 1 || a1["LIST"] != 0 {
		t.Errorf("a1 = %v", a1)
	}
	if k := orqKey("PATCH", "/v2/agents/a%2Fb", nil); k != "a/b" {
		t.Errorf("key = %q", k)
	}
}

func TestAnalyzeGate(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	ra := 10 * time.Second
	call := func(ms, status int) orqCall {
		c := orqCall{at: at(ms), done: at(ms + 20), verb: "GET", status: status}
		if status == http.StatusTooManyRequests {
			c.retryAfter = ra
		}
		return c
	}
	good := []orqCall{
		call(0, 429),     // closes the gate until 10.02s
		call(5, 429),     // was already on the wire: not early
		call(10030, 429), // after the gate: fine, closes it again until 20.05s
		call(10040, 429), // same opening: a burst of 2
		call(30000, 200), // outside the window
	}
	g := analyzeGate(good, at(0), at(20000), 50*time.Millisecond)
	if g.requests != 4 || g.limited != 4 || g.early != 0 || g.maxBurst != 2 {
		t.Errorf("good client: %+v; want 4 requests, 4 limited, 0 early, bursts of 2", g)
	}
	// A request 5s into the gate is early, and its own 429 keeps the gate closed until 15.02s,
	// so the two requests at 10.03s are early too.
	bad := append([]orqCall{call(5000, 429)}, good...)
	g = analyzeGate(bad, at(0), at(20000), 50*time.Millisecond)
	if g.requests != 5 || g.early != 3 || g.worst < 5*time.Second {
		t.Errorf("bad client: %+v; want 5 requests, 3 early, the worst about 5s", g)
	}
}
