package main

import (
	"math"
	"strings"
	"testing"
	"time"
)

func TestCeilDivAndListPages(t *testing.T) {
	for _, tc := range []struct{ n, want int }{{0, 0}, {1, 1}, {199, 1}, {200, 1}, {201, 2}, {1000, 5}, {10000, 50}} {
		if got := listPages(tc.n); got != tc.want {
			t.Errorf("listPages(%d) = %d, want %d", tc.n, got, tc.want)
		}
	}
}

func TestAPIBound(t *testing.T) {
	ms := time.Millisecond
	for _, tc := range []struct {
		name    string
		calls   int
		workers int
		qps     float64
		burst   int
		want    time.Duration
	}{
		{"latency over workers", 1000, 8, 0, 0, 2500 * ms},
		{"no calls", 0, 8, 0, 0, 0},
		{"zero workers count as one", 10, 0, 0, 0, 200 * ms},
		{"rate limit dominates", 1000, 8, 10, 20, 98 * time.Second},
		{"rate limit below latency bound", 100, 1, 1000, 20, 2000 * ms},
	} {
		if got := apiBound(tc.calls, 20*ms, tc.workers, tc.qps, tc.burst); got != tc.want {
			t.Errorf("%s: apiBound = %s, want %s", tc.name, got, tc.want)
		}
	}
}

func TestFmtRatio(t *testing.T) {
	for _, tc := range []struct {
		m, b float64
		want string
	}{
		{3, 2, "1.50×"},
		{0, 0, "at bound"},
		{5, 0, "∞ (bound 0)"},
		{1, noBound, "—"},
		{2400, 15, "160.00×"},
	} {
		if got := fmtRatio(tc.m, tc.b); got != tc.want {
			t.Errorf("fmtRatio(%v, %v) = %q, want %q", tc.m, tc.b, got, tc.want)
		}
	}
}

func TestFmtCountAndDuration(t *testing.T) {
	for v, want := range map[float64]string{3: "3", 2.4: "2.40", 0.15: "0.15", 123.4: "123", math.NaN(): "—"} {
		if got := fmtCount(v); got != want {
			t.Errorf("fmtCount(%v) = %q, want %q", v, got, want)
		}
	}
	for d, want := range map[time.Duration]string{
		500 * time.Microsecond:   "0.50 ms",
		23100 * time.Microsecond: "23.1 ms",
		2500 * time.Millisecond:  "2.50 s",
		150 * time.Second:        "150 s",
		-5 * time.Millisecond:    "-5.0 ms",
	} {
		if got := fmtDuration(d); got != want {
			t.Errorf("fmtDuration(%s) = %q, want %q", d, got, want)
		}
	}
	if got := fmtMiB(52 << 20); got != "52 MiB" {
		t.Errorf("fmtMiB = %q", got)
	}
}

func TestPercentile(t *testing.T) {
	var ds []time.Duration
	for i := 1; i <= 20; i++ {
		ds = append(ds, time.Duration(21-i)*time.Millisecond) // unsorted: 20ms .. 1ms
	}
	for _, tc := range []struct {
		p    float64
		want time.Duration
	}{{50, 10 * time.Millisecond}, {95, 19 * time.Millisecond}, {99, 20 * time.Millisecond}, {100, 20 * time.Millisecond}, {1, time.Millisecond}} {
		if got := percentile(ds, tc.p); got != tc.want {
			t.Errorf("p%v = %s, want %s", tc.p, got, tc.want)
		}
	}
	if ds[0] != 20*time.Millisecond {
		t.Error("percentile sorted its argument in place")
	}
	if percentile(nil, 99) != 0 {
		t.Error("percentile of nothing should be 0")
	}
}

func TestTableMarkdown(t *testing.T) {
	tb := table{header: []string{"figure", "measured"}}
	tb.add("a|b", "1\n2")
	tb.add("short")
	want := "| figure | measured |\n| --- | --- |\n| a\\|b | 1 2 |\n| short |  |\n"
	if got := tb.String(); got != want {
		t.Errorf("table:\n%s\nwant:\n%s", got, want)
	}
}

func TestReplaceSection(t *testing.T) {
	b1, e1 := sectionMarkers("small")
	b2, e2 := sectionMarkers("large")
	doc := "# Title\n\nprose\n\n" + b1 + "\nold small\n" + e1 + "\n\n" + b2 + "\nold large\n" + e2 + "\n"
	got, err := replaceSection(doc, "large", "\nnew tables\n")
	if err != nil {
		t.Fatal(err)
	}
	want := "# Title\n\nprose\n\n" + b1 + "\nold small\n" + e1 + "\n\n" + b2 + "\n\nnew tables\n\n" + e2 + "\n"
	if got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
	again, _ := replaceSection(got, "large", "new tables")
	if again != got {
		t.Error("replacing twice with the same content is not stable")
	}
	if _, err := replaceSection(doc, "other", "x"); err == nil {
		t.Error("a document without the section should be refused")
	}
}

func TestHeadlineTable(t *testing.T) {
	r := newResult(1000, "steady", "steady")
	r.head("kube writes", 0, 0, "", "", "0", ptr(true))
	r.head("orq reads", 3000, 15, "", "", "≤ 15", ptr(false))
	got := headlineTable([]*result{r})
	for _, want := range []string{"| 1000 | steady | kube writes | 0 | 0 | at bound | 0 | yes |", "| 1000 | steady | orq reads | 3000 | 15 | 200.00× | ≤ 15 | **no** |"} {
		if !strings.Contains(got, want) {
			t.Errorf("headline lacks %q:\n%s", want, got)
		}
	}
}

func TestParseFlags(t *testing.T) {
	c, err := parseFlags([]string{"-n", "100, 1000,10000", "-scenarios", "delete,create,steady"})
	if err != nil {
		t.Fatal(err)
	}
	if len(c.ns) != 3 || c.ns[2] != 10000 {
		t.Errorf("ns = %v", c.ns)
	}
	if strings.Join(c.scenarios, ",") != "create,steady,delete" {
		t.Errorf("scenarios = %v, want run order", c.scenarios)
	}
	if c.latency != 20*time.Millisecond || c.workers != 8 || c.syncPeriod != 30*time.Second || c.qps != 0 || c.rlWindow != time.Minute {
		t.Errorf("defaults: %+v", c)
	}
	if c.graphKnowledgeEvery != 10 || c.graphMemoryEvery != 1 || c.graphScheduleEvery != 5 {
		t.Errorf("graph defaults: %+v", c)
	}
	for _, bad := range [][]string{{"-n", "0"}, {"-n", "x"}, {"-scenarios", "nope"}, {"-retry-after", "1500ms"}, {"-sync-period", "1s"}, {"extra"},
		{"-graph-schedule-every", "-1"}} {
		if _, err := parseFlags(bad); err == nil {
			t.Errorf("parseFlags(%q) accepted", bad)
		}
	}
	// The graph of Agents and Tools alone, whose memory issue #19 bounds.
	c, err = parseFlags([]string{"-graph-knowledge-every", "0", "-graph-memory-every", "0", "-graph-schedule-every", "0"})
	if err != nil || !(graphShape{agents: 10, knowledgeEvery: c.graphKnowledgeEvery, memoryEvery: c.graphMemoryEvery, scheduleEvery: c.graphScheduleEvery}).agentsAndTools() {
		t.Errorf("graph of Agents and Tools: %+v, %v", c, err)
	}
}

// The graph holds more than Agents: its RSS has its own headline and goal, and stays out of the
// Agents' peak.
func TestRSSSummaryLeavesTheGraphOut(t *testing.T) {
	steady, graph := newResult(10000, "steady", "steady"), newResult(10000, "graph", "graph")
	steady.peakRSS, graph.peakRSS = 140<<20, 190<<20
	got := headlineTable([]*result{rssSummary(10000, []*result{steady, graph})})
	if want := "| 10000 | all | manager peak RSS, all scenarios but the graph | 140 MiB | — | — | < 150 MiB at N=10000 | yes |"; !strings.Contains(got, want) {
		t.Errorf("summary lacks %q:\n%s", want, got)
	}
	if got := headlineTable([]*result{rssSummary(10000, []*result{graph})}); strings.Contains(got, "RSS") {
		t.Errorf("a run of the graph alone has an Agents' RSS summary:\n%s", got)
	}
	if got := headlineTable([]*result{rssSummary(100, []*result{steady})}); !strings.Contains(got, "manager peak RSS, all scenarios | 140 MiB") {
		t.Errorf("without the graph the summary changed:\n%s", got)
	}
}
