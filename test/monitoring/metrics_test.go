package monitoring

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	// As cmd/manager: controller-runtime registers its metrics (reconciles, work queue, client
	// requests, leader election, Go and process collectors) with its registry as its packages load.
	_ "sigs.k8s.io/controller-runtime"
	ctrlmetrics "sigs.k8s.io/controller-runtime/pkg/metrics"
	"sigs.k8s.io/yaml"

	_ "github.com/orq-ai/orq-operator/internal/controller"
	"github.com/orq-ai/orq-operator/internal/metrics"
	"github.com/orq-ai/orq-operator/internal/testenv"
)

// scrapeMetrics are the series Prometheus itself writes for each target, not the operator's.
var scrapeMetrics = []string{"up"}

// identStart and identChar are the characters of PromQL identifiers (metric names, functions,
// keywords).
func identStart(c byte) bool {
	return c == '_' || c == ':' || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z')
}
func identChar(c byte) bool { return identStart(c) || ('0' <= c && c <= '9') }

// keywords are the PromQL words that are neither metric names nor followed by "(".
var keywords = []string{"bool", "offset", "and", "or", "unless", "group_left", "group_right", "inf", "nan", "start", "end"}

// labelLists are the keywords followed by a list of label names in parentheses.
var labelLists = []string{"by", "without", "on", "ignoring", "group_left", "group_right"}

// metricNames returns the metric names a PromQL expression selects, in order of appearance, by
// scanning its tokens: an identifier that is not a keyword, not a function or aggregation (an
// identifier followed by "(" or by "by"/"without"), not in a label list (by, without, on, ignoring, group_left,
// group_right) and not inside label matchers ({...}), a range ([...]) or a string. Grafana's
// variables ($x, ${x}) are skipped. A selector by __name__ is not supported: it is reported as the
// name "__name__" so that the check fails rather than missing the metric.
func metricNames(expr string) []string {
	var names []string
	for i := 0; i < len(expr); {
		c := expr[i]
		switch {
		case c == '"' || c == '\'' || c == '`':
			i = skipString(expr, i)
		case c == '{':
			end := skipTo(expr, i, '}')
			if strings.Contains(expr[i:end], "__name__") {
				names = append(names, "__name__")
			}
			i = end
		case c == '[':
			i = skipTo(expr, i, ']')
		case c == '$':
			i++
			if i < len(expr) && expr[i] == '{' {
				i = skipTo(expr, i, '}')
				continue
			}
			for i < len(expr) && identChar(expr[i]) {
				i++
			}
		case '0' <= c && c <= '9' || c == '.':
			// Numbers and durations: 1, 0.5, 1e3, 0x1f, 5m, 1h30m.
			for i < len(expr) && (identChar(expr[i]) || expr[i] == '.') {
				i++
			}
		case identStart(c):
			start := i
			for i < len(expr) && identChar(expr[i]) {
				i++
			}
			word := expr[start:i]
			next := i
			for next < len(expr) && (expr[next] == ' ' || expr[next] == '\t' || expr[next] == '\n') {
				next++
			}
			followedByParen := next < len(expr) && expr[next] == '('
			nextWord := next
			for nextWord < len(expr) && identChar(expr[nextWord]) {
				nextWord++
			}
			// sum by (x) (...): an aggregation whose grouping comes first.
			grouped := slices.Contains([]string{"by", "without"}, strings.ToLower(expr[next:nextWord]))
			switch {
			case slices.Contains(labelLists, strings.ToLower(word)) && followedByParen:
				i = skipTo(expr, next, ')')
			case followedByParen, grouped, slices.Contains(keywords, strings.ToLower(word)):
				// A function, an aggregation, or a keyword.
			default:
				names = append(names, word)
			}
		default:
			i++
		}
	}
	return names
}

// skipString returns the index after the string literal that starts at i.
func skipString(s string, i int) int {
	quote := s[i]
	for i++; i < len(s); i++ {
		switch s[i] {
		case '\\':
			if quote != '`' {
				i++
			}
		case quote:
			return i + 1
		}
	}
	return len(s)
}

// skipTo returns the index after the first close at or after i, outside string literals.
func skipTo(s string, i int, close byte) int {
	for i < len(s) {
		switch s[i] {
		case '"', '\'', '`':
			i = skipString(s, i)
		case close:
			return i + 1
		default:
			i++
		}
	}
	return len(s)
}

func TestMetricNames(t *testing.T) {
	cases := map[string][]string{
		`up`:                                     {"up"},
		`absent(up{job="a",namespace="b"} == 1)`: {"up"},
		`sum by (namespace, reason) (orq_operator_agents{job="x",condition="Stalled"}) > 0`:            {"orq_operator_agents"},
		`sum(increase(orq_operator_drift_corrections_total{job=~"$job"}[15m])) > 10`:                   {"orq_operator_drift_corrections_total"},
		`histogram_quantile(0.95, sum by (le) (rate(a_bucket{x="}{by(y)"}[$__rate_interval])))`:        {"a_bucket"},
		`sum(rate(a_total[5m])) / ignoring(code) group_left sum(rate(b_total[5m] offset 1h)) > bool 0`: {"a_total", "b_total"},
		`max(x) without (pod) or on(name) vector(0) unless y * 1e3 + 0x1f`:                             {"x", "y"},
		`rate(process_cpu_seconds_total{job=~"${job}",pod!~'a\'b'}[1h30m:1m])`:                         {"process_cpu_seconds_total"},
		`sum(a) by (le)`:                      {"a"},
		`{__name__="orq_operator_agents"}`:    {"__name__"},
		"sum(\n  rate(a[5m])\n)\n/ sum (b)\n": {"a", "b"},
	}
	for expr, want := range cases {
		if got := metricNames(expr); !slices.Equal(got, want) {
			t.Errorf("metricNames(%q) = %q, want %q", expr, got, want)
		}
	}
}

// registered tells whether the operator's registry (controller-runtime's, which the manager
// serves) has a metric of that name: registering a collector of the same name with other help
// fails when one is registered, whatever its labels or whether it has any series yet.
func registered(t *testing.T, name string) bool {
	t.Helper()
	probe := prometheus.NewGauge(prometheus.GaugeOpts{Name: name, Help: "test/monitoring probe: is the name taken?"})
	if err := ctrlmetrics.Registry.Register(probe); err != nil {
		return true
	}
	ctrlmetrics.Registry.Unregister(probe)
	return false
}

var metricName = regexp.MustCompile(`^[a-zA-Z_:][a-zA-Z0-9_:]*$`)

// gatheredTypes returns the type (COUNTER, HISTOGRAM, ...) of each metric family the operator's
// registry has series of now. Vectors have none until a label set is used: their type is unknown.
func gatheredTypes(t *testing.T) map[string]string {
	t.Helper()
	families, err := ctrlmetrics.Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, f := range families {
		out[f.GetName()] = f.GetType().String()
	}
	return out
}

// exists tells whether name is a series the operator exposes: a registered metric, or the
// _bucket, _sum or _count series of a registered histogram (or the _sum, _count of a summary).
// types (from gatheredTypes) rules out the suffixes of metrics of another type, when known.
func exists(t *testing.T, types map[string]string, name string) bool {
	t.Helper()
	if !metricName.MatchString(name) {
		return false
	}
	if slices.Contains(scrapeMetrics, name) || registered(t, name) {
		return true
	}
	for suffix, kinds := range map[string][]string{
		"_bucket": {"HISTOGRAM"},
		"_sum":    {"HISTOGRAM", "SUMMARY"},
		"_count":  {"HISTOGRAM", "SUMMARY"},
	} {
		base, ok := strings.CutSuffix(name, suffix)
		if !ok || !registered(t, base) {
			continue
		}
		if kind, known := types[base]; !known || slices.Contains(kinds, kind) {
			return true
		}
	}
	return false
}

// query is a PromQL expression of the alerts or the dashboard, and where it is.
type query struct{ where, expr string }

// ruleQueries returns the expressions of the rendered rules.
func ruleQueries(t *testing.T, extra ...string) []query {
	t.Helper()
	var rules struct {
		Groups []struct {
			Rules []struct {
				Alert  string `json:"alert"`
				Record string `json:"record"`
				Expr   string `json:"expr"`
			} `json:"rules"`
		} `json:"groups"`
	}
	if err := yaml.Unmarshal(renderRules(t, extra...), &rules); err != nil {
		t.Fatal(err)
	}
	var out []query
	for _, g := range rules.Groups {
		for _, r := range g.Rules {
			out = append(out, query{"alert " + r.Alert + r.Record, r.Expr})
		}
	}
	return out
}

// dashboard is the part of the Grafana dashboard JSON the tests read.
type dashboard struct {
	Panels     []panel `json:"panels"`
	Templating struct {
		List []struct {
			Name  string `json:"name"`
			Type  string `json:"type"`
			Query any    `json:"query"`
		} `json:"list"`
	} `json:"templating"`
}

type panel struct {
	Title   string  `json:"title"`
	Type    string  `json:"type"`
	Panels  []panel `json:"panels"` // of a collapsed row
	Targets []struct {
		Expr string `json:"expr"`
	} `json:"targets"`
}

func readDashboard(t *testing.T, file string) dashboard {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var d dashboard
	if err := json.Unmarshal(data, &d); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	return d
}

// labelValues is Grafana's label_values(selector, label) of a template variable's query.
var labelValues = regexp.MustCompile(`^\s*label_values\((.*),\s*[a-zA-Z_][a-zA-Z0-9_]*\s*\)\s*$`)

// dashboardQueries returns the expressions of the dashboard's panels, and the series selectors
// of its template variables' label_values queries.
func dashboardQueries(t *testing.T, file string) []query {
	t.Helper()
	d := readDashboard(t, file)
	var out []query
	var walk func([]panel)
	walk = func(ps []panel) {
		for _, p := range ps {
			for i, tg := range p.Targets {
				out = append(out, query{fmt.Sprintf("panel %q, query %d", p.Title, i+1), tg.Expr})
			}
			walk(p.Panels)
		}
	}
	walk(d.Panels)
	for _, v := range d.Templating.List {
		if v.Type != "query" {
			continue
		}
		q, _ := v.Query.(string)
		if m, ok := v.Query.(map[string]any); ok {
			q, _ = m["query"].(string)
		}
		sel := labelValues.FindStringSubmatch(q)
		if sel == nil {
			t.Errorf("variable %s: query %q is not label_values(<selector>, <label>)", v.Name, q)
			continue
		}
		out = append(out, query{"variable " + v.Name, sel[1]})
	}
	return out
}

// Every metric the alerts and the dashboard read is one the operator registers (or up, which
// Prometheus writes), so that no panel stays empty and no alert stays silent for a misspelt or
// removed metric.
func TestMonitoringReadsRegisteredMetrics(t *testing.T) {
	// A series of each of the operator's vectors, so that their types are known.
	metrics.ObserveRequest("test/monitoring", 200, time.Millisecond)
	metrics.DriftCorrections.WithLabelValues(metrics.DriftUpdated).Add(0)
	metrics.EventsDropped.WithLabelValues(metrics.EventDroppedQueueFull).Add(0)
	types := gatheredTypes(t)
	// cmd/manager registers the Agents by condition collector when it starts, not at init.
	if err := ctrlmetrics.Registry.Register(&metrics.AgentCollector{}); err != nil {
		t.Fatal(err)
	}
	defer ctrlmetrics.Registry.Unregister(&metrics.AgentCollector{})

	// The check itself: a name that is registered is found, one that is not is not.
	for _, n := range []string{"orq_operator_api_requests_total", "orq_operator_api_request_duration_seconds_bucket", "orq_operator_agents", "controller_runtime_reconcile_time_seconds_bucket", "workqueue_depth", "go_goroutines"} {
		if !exists(t, types, n) {
			t.Fatalf("%s is not found: is the registry probe broken?", n)
		}
	}
	for _, n := range []string{"orq_operator_no_such_metric", "orq_operator_no_such_metric_bucket", "orq_operator_drift_corrections_total_bucket", "orq_operator_api_requests_total_count"} {
		if exists(t, types, n) {
			t.Fatalf("%s is found: is the registry probe broken?", n)
		}
	}

	queries := dashboardQueries(t, dashboardFile)
	if len(queries) < 10 {
		t.Fatalf("found only %d queries in %s: is the scan broken?", len(queries), dashboardFile)
	}
	queries = append(queries, ruleQueries(t)...)
	seen := map[string]bool{}
	for _, q := range queries {
		names := metricNames(q.expr)
		if len(names) == 0 {
			t.Errorf("%s: no metric found in %q", q.where, q.expr)
		}
		for _, n := range names {
			seen[n] = true
			if !exists(t, types, n) {
				t.Errorf("%s reads %s, which the operator does not register (expression %q)", q.where, n, q.expr)
			}
		}
	}
	// What the dashboard must show, by the metrics it reads.
	for _, n := range []string{
		"orq_operator_agents", "orq_operator_api_requests_total", "orq_operator_api_request_duration_seconds_bucket",
		"orq_operator_rate_limit_wait_seconds_bucket", "orq_operator_drift_corrections_total",
		"controller_runtime_reconcile_time_seconds_bucket",
	} {
		if !seen[n] {
			t.Errorf("no panel or alert reads %s", n)
		}
	}
}

// grafanaVariables are the values the dashboard's variables are replaced with to check its
// queries with promtool, which does not know them.
var grafanaVariables = strings.NewReplacer(
	"$__rate_interval", "5m", "$__interval", "1m", "$__range", "6h",
	"${namespace}", ".*", "$namespace", ".*", "${job}", ".*", "$job", ".*",
)

// The dashboards' queries are valid PromQL: promtool checks them as recording rules.
func TestDashboardQueriesParse(t *testing.T) {
	promtool := promtoolBinary(t)
	var rules []map[string]string
	for i, q := range append(dashboardQueries(t, dashboardFile), dashboardQueries(t, objectsDashboardFile)...) {
		expr := grafanaVariables.Replace(q.expr)
		if strings.Contains(expr, "$") {
			t.Errorf("%s: a Grafana variable the test does not know: %q", q.where, q.expr)
		}
		rules = append(rules, map[string]string{"record": fmt.Sprintf("dashboard:query_%d", i), "expr": expr})
	}
	data, err := yaml.Marshal(map[string]any{"groups": []any{map[string]any{"name": "dashboard", "rules": rules}}})
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "dashboard-queries.yaml")
	if err := os.WriteFile(file, data, 0o600); err != nil {
		t.Fatal(err)
	}
	testenv.Run(t, exec.Command(promtool, "check", "rules", file))
}

// stateMetricPrefix starts the names of the series kube-state-metrics makes of the chart's
// CustomResourceState configuration (monitoring.stateMetrics); test/ksm checks that each name
// read here is one the configuration produces.
const stateMetricPrefix = "kube_customresource_"

// The alerts of the state metrics and the objects dashboard read only kube-state-metrics' series
// of the orq.ai kinds, and the operator's alerts and dashboard none of them (they must work
// without kube-state-metrics).
func TestStateMetricsAreReadOnlyWhereTurnedOn(t *testing.T) {
	stateRules := map[string]bool{"alert OrqObjectStalled": true, "alert OrqObjectNotReady": true}
	var seen int
	for _, q := range ruleQueries(t, stateMetricsOn...) {
		for _, n := range metricNames(q.expr) {
			if got := strings.HasPrefix(n, stateMetricPrefix); got != stateRules[q.where] {
				t.Errorf("%s reads %s", q.where, n)
			}
		}
		if stateRules[q.where] {
			seen++
		}
	}
	if seen != len(stateRules) {
		t.Errorf("found %d of the alerts %v in the rules rendered with the state metrics", seen, stateRules)
	}
	queries := dashboardQueries(t, objectsDashboardFile)
	if len(queries) < 5 {
		t.Fatalf("found only %d queries in %s: is the scan broken?", len(queries), objectsDashboardFile)
	}
	for _, q := range queries {
		names := metricNames(q.expr)
		if len(names) == 0 {
			t.Errorf("%s: no metric found in %q", q.where, q.expr)
		}
		for _, n := range names {
			if !strings.HasPrefix(n, stateMetricPrefix) {
				t.Errorf("%s of %s reads %s, not a state metric", q.where, objectsDashboardFile, n)
			}
		}
	}
	for _, q := range dashboardQueries(t, dashboardFile) {
		if strings.Contains(q.expr, stateMetricPrefix) {
			t.Errorf("%s of %s reads a state metric: %q", q.where, dashboardFile, q.expr)
		}
	}
}
