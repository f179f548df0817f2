package monitoring

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"

	"github.com/orq-ai/orq-operator/internal/testenv"
	"sigs.k8s.io/yaml"
)

// rulesFile is the name the unit tests of testdata/rules_test.yaml load the rules under.
const rulesFile = "orq-operator-rules.yaml"

// renderRules renders the chart's PrometheusRule and returns its spec as a Prometheus rules file.
func renderRules(t *testing.T, extra ...string) []byte {
	t.Helper()
	rule := only(t, renderChart(t, append([]string{"--set", "monitoring.prometheusRule.enabled=true"}, extra...)...), "PrometheusRule")
	spec, ok := rule.Object["spec"]
	if !ok {
		t.Fatal("the PrometheusRule has no spec")
	}
	out, err := yaml.Marshal(spec)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// stateMetricsOn adds the alerts on kube-state-metrics' series (monitoring.stateMetrics).
var stateMetricsOn = []string{"--set", "monitoring.stateMetrics.enabled=true"}

// ruleRenderings are the renderings of the rules and the unit test files (testdata) that test them:
// with the default values, and with the state metrics on, whose rules are the defaults' and more.
var ruleRenderings = []struct {
	name  string
	extra []string
	tests []string
}{
	{name: "defaults", tests: []string{"rules_test.yaml"}},
	{name: "with state metrics", extra: stateMetricsOn, tests: []string{"rules_test.yaml", "state_rules_test.yaml"}},
}

// The rules the chart renders pass `promtool check rules` and the unit tests of testdata
// (`promtool test rules`), which test each alert firing and not firing.
func TestAlertRulesPassPromtool(t *testing.T) {
	promtool := promtoolBinary(t)
	for _, r := range ruleRenderings {
		t.Run(r.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, rulesFile), renderRules(t, r.extra...), 0o600); err != nil {
				t.Fatal(err)
			}
			t.Run("check rules", func(t *testing.T) {
				out := testenv.Run(t, exec.Command(promtool, "check", "rules", filepath.Join(dir, rulesFile)))
				t.Logf("%s", out)
			})
			for _, file := range r.tests {
				tests, err := os.ReadFile(filepath.Join("testdata", file))
				if err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(dir, file), tests, 0o600); err != nil {
					t.Fatal(err)
				}
				t.Run("test rules "+file, func(t *testing.T) {
					// Relative rule_files in the test file are read from the test file's directory.
					out := testenv.Run(t, exec.Command(promtool, "test", "rules", filepath.Join(dir, file)))
					t.Logf("%s", out)
				})
			}
		})
	}
}

// Each alert of the rules has unit tests in the test files of its rendering, at least one where
// it fires and one where it does not, and the tests name no alert the rules lack.
func TestEveryAlertHasUnitTests(t *testing.T) {
	for _, r := range ruleRenderings {
		t.Run(r.name, func(t *testing.T) { everyAlertTested(t, renderRules(t, r.extra...), r.tests) })
	}
}

func everyAlertTested(t *testing.T, rendered []byte, testFiles []string) {
	var rules struct {
		Groups []struct {
			Rules []struct {
				Alert string `json:"alert"`
			} `json:"rules"`
		} `json:"groups"`
	}
	if err := yaml.Unmarshal(rendered, &rules); err != nil {
		t.Fatal(err)
	}
	var alerts []string
	for _, g := range rules.Groups {
		for _, r := range g.Rules {
			if r.Alert != "" {
				alerts = append(alerts, r.Alert)
			}
		}
	}
	if len(alerts) == 0 {
		t.Fatal("the rendered PrometheusRule has no alert")
	}

	firing, silent := map[string]int{}, map[string]int{}
	for _, name := range testFiles {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		var file struct {
			RuleFiles []string `json:"rule_files"`
			Tests     []struct {
				AlertRuleTests []struct {
					Alertname string           `json:"alertname"`
					ExpAlerts []map[string]any `json:"exp_alerts"`
				} `json:"alert_rule_test"`
			} `json:"tests"`
		}
		if err := yaml.Unmarshal(data, &file); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(file.RuleFiles, []string{rulesFile}) {
			t.Errorf("testdata/%s loads %v, want [%s] (the rendered rules)", name, file.RuleFiles, rulesFile)
		}
		for _, tc := range file.Tests {
			for _, a := range tc.AlertRuleTests {
				if !slices.Contains(alerts, a.Alertname) {
					t.Errorf("testdata/%s tests alert %s, which the rules do not have", name, a.Alertname)
				}
				if len(a.ExpAlerts) > 0 {
					firing[a.Alertname]++
				} else {
					silent[a.Alertname]++
				}
			}
		}
	}
	for _, a := range alerts {
		if firing[a] == 0 {
			t.Errorf("alert %s has no unit test where it fires", a)
		}
		if silent[a] == 0 {
			t.Errorf("alert %s has no unit test where it does not fire", a)
		}
	}
}
