package ksm

import (
	"fmt"
	"os"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/kube-state-metrics/v2/pkg/customresourcestate"
	yaml "sigs.k8s.io/yaml/goyaml.v3"
)

// series returns the series kube-state-metrics makes of obj with the configuration, as
// `name{label="value",...} value` lines, sorted.
func series(t *testing.T, m customresourcestate.Metrics, obj *unstructured.Unstructured) []string {
	t.Helper()
	var out []string
	for _, r := range m.Spec.Resources {
		if r.GroupVersionKind.Kind != obj.GetKind() {
			continue
		}
		factory, err := customresourcestate.NewCustomResourceMetrics(r)
		if err != nil {
			t.Fatal(err)
		}
		for _, fg := range factory.MetricFamilyGenerators() {
			for _, s := range fg.GenerateFunc(obj).Metrics {
				var labels []string
				for i, k := range s.LabelKeys {
					labels = append(labels, fmt.Sprintf("%s=%q", k, s.LabelValues[i]))
				}
				sort.Strings(labels)
				out = append(out, fmt.Sprintf("%s{%s} %v", fg.Name, strings.Join(labels, ","), s.Value))
			}
		}
	}
	sort.Strings(out)
	return out
}

func orqObject(kind, name string, status map[string]any) *unstructured.Unstructured {
	return &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "orq.ai/v1alpha1",
		"kind":       kind,
		"metadata":   map[string]any{"name": name, "namespace": "team-a"},
		"spec":       map[string]any{},
		"status":     status,
	}}
}

func condition(typ, status, reason string) map[string]any {
	return map[string]any{"type": typ, "status": status, "reason": reason, "message": "m", "lastTransitionTime": "2026-01-02T03:04:05Z"}
}

// kube-state-metrics makes, of an object, a series of each condition (1 when True, 0 when False
// or Unknown, with its type, status and reason) and an info series with its key; of a schedule,
// its agent's key.
func TestSeriesOfObjects(t *testing.T) {
	m := config(t)
	gvk := func(kind string) string {
		return `customresource_group="orq.ai",customresource_kind="` + kind + `",customresource_version="v1alpha1"`
	}
	tool := orqObject("Tool", "search", map[string]any{
		"key": "search-tool",
		"conditions": []any{
			condition("Ready", "False", "APIRejected"),
			condition("Stalled", "True", "APIRejected"),
			condition("Synced", "Unknown", "Progressing"),
		},
	})
	want := []string{
		`kube_customresource_orq_condition{` + gvk("Tool") + `,name="search",namespace="team-a",reason="APIRejected",status="False",type="Ready"} 0`,
		`kube_customresource_orq_condition{` + gvk("Tool") + `,name="search",namespace="team-a",reason="APIRejected",status="True",type="Stalled"} 1`,
		`kube_customresource_orq_condition{` + gvk("Tool") + `,name="search",namespace="team-a",reason="Progressing",status="Unknown",type="Synced"} 0`,
		`kube_customresource_orq_info{` + gvk("Tool") + `,key="search-tool",name="search",namespace="team-a"} 1`,
	}
	if got := series(t, m, tool); !slices.Equal(got, want) {
		t.Errorf("the series of a Tool:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	sched := orqObject("AgentSchedule", "daily", map[string]any{
		"agentKey":   "support",
		"conditions": []any{condition("Ready", "True", "Synced")},
	})
	want = []string{
		`kube_customresource_orq_condition{` + gvk("AgentSchedule") + `,name="daily",namespace="team-a",reason="Synced",status="True",type="Ready"} 1`,
		`kube_customresource_orq_info{agent_key="support",` + gvk("AgentSchedule") + `,name="daily",namespace="team-a"} 1`,
	}
	if got := series(t, m, sched); !slices.Equal(got, want) {
		t.Errorf("the series of an AgentSchedule:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	for _, kind := range orqKinds {
		obj := orqObject(kind, "x", map[string]any{"key": "k", "agentKey": "k", "conditions": []any{condition("Ready", "True", "Synced")}})
		if got := series(t, m, obj); len(got) != 2 {
			t.Errorf("%s: %d series, want a condition and an info series: %v", kind, len(got), got)
		}
	}
}

var stateMetricName = regexp.MustCompile(`kube_customresource_[a-zA-Z0-9_:]*`)

// families returns the label names of each family the configuration makes, from every kind's
// series of an object with a condition and a key.
func families(t *testing.T, m customresourcestate.Metrics) map[string]map[string]bool {
	t.Helper()
	out := map[string]map[string]bool{}
	for _, kind := range orqKinds {
		obj := orqObject(kind, "x", map[string]any{"key": "k", "agentKey": "k", "conditions": []any{condition("Ready", "True", "Synced")}})
		for _, s := range series(t, m, obj) {
			name, rest, _ := strings.Cut(s, "{")
			if out[name] == nil {
				out[name] = map[string]bool{}
			}
			for _, l := range regexp.MustCompile(`([a-zA-Z_][a-zA-Z0-9_]*)="`).FindAllStringSubmatch(rest, -1) {
				out[name][l[1]] = true
			}
		}
	}
	return out
}

// Every state metric the alerts and the objects dashboard read is one the configuration makes,
// under kube-state-metrics' naming (kube_customresource_ and the metric's name), and the series
// of the alerts' unit tests carry only labels kube-state-metrics gives them (and the scrape's job
// and instance).
func TestReadersUseProducedSeries(t *testing.T) {
	produced := families(t, config(t))
	if len(produced) == 0 {
		t.Fatal("the configuration makes no series")
	}
	var rules strings.Builder
	for _, doc := range render(t, "--set", "monitoring.prometheusRule.enabled=true", "--show-only", "templates/prometheusrule.yaml") {
		rules.Write(doc)
	}
	dashboard, err := os.ReadFile(objectsDashboardFile)
	if err != nil {
		t.Fatal(err)
	}
	for where, text := range map[string]string{"the PrometheusRule": rules.String(), objectsDashboardFile: string(dashboard)} {
		names := stateMetricName.FindAllString(text, -1)
		if len(names) == 0 {
			t.Errorf("%s reads no state metric", where)
		}
		for _, n := range names {
			if produced[n] == nil {
				t.Errorf("%s reads %s, which the state metrics configuration does not make (it makes %v)", where, n, keys(produced))
			}
		}
	}

	data, err := os.ReadFile(stateRulesTestFile)
	if err != nil {
		t.Fatal(err)
	}
	var tests struct {
		Tests []struct {
			InputSeries []struct {
				Series string `yaml:"series"`
			} `yaml:"input_series"`
		} `yaml:"tests"`
	}
	if err := yaml.Unmarshal(data, &tests); err != nil {
		t.Fatal(err)
	}
	scrape := map[string]bool{"job": true, "instance": true}
	var checked int
	for _, tc := range tests.Tests {
		for _, in := range tc.InputSeries {
			name, labels, _ := strings.Cut(in.Series, "{")
			if produced[name] == nil {
				t.Errorf("%s: the series %s is not one the configuration makes", stateRulesTestFile, name)
				continue
			}
			checked++
			for _, l := range regexp.MustCompile(`([a-zA-Z_][a-zA-Z0-9_]*)="`).FindAllStringSubmatch(labels, -1) {
				if !produced[name][l[1]] && !scrape[l[1]] {
					t.Errorf("%s: %s has the label %s, which kube-state-metrics does not give it", stateRulesTestFile, name, l[1])
				}
			}
		}
	}
	if checked == 0 {
		t.Errorf("no input series in %s", stateRulesTestFile)
	}
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
