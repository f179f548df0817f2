// Package monitoring tests the chart's monitoring (charts/orq-operator, values monitoring.*): the
// ServiceMonitor, the PrometheusRule and the Grafana dashboard. The alerts pass promtool's check
// and its unit tests (testdata/rules_test.yaml); every metric the alerts and the dashboard read is
// one the operator registers; the chart renders these objects only when asked, and well formed.
//
// The tests need helm (env HELM, set by `make test` from hack/helm.sh) and promtool (env
// PROMTOOL, else on PATH; Debian's prometheus package ships it, and .ci/run installs it). Without
// them the tests that need them skip, except under CI=true, where they fail: CI must check them.
package monitoring

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/orq-ai/orq-operator/internal/testenv"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

const (
	repoRoot    = "../.."
	releaseName = "orq-operator"
	namespace   = "orq-operator-system"
)

var (
	chartDir      = filepath.Join(repoRoot, "charts", "orq-operator")
	dashboardFile = filepath.Join(chartDir, "dashboards", "orq-operator.json")
	// objectsDashboardFile reads kube-state-metrics' series (monitoring.stateMetrics).
	objectsDashboardFile = filepath.Join(chartDir, "dashboards", "orq-objects.json")
	// allOn turns on every monitoring object of the chart.
	allOn = []string{"--set", "monitoring.serviceMonitor.enabled=true,monitoring.prometheusRule.enabled=true,monitoring.dashboard.enabled=true"}
)

// inCI tells whether a missing tool must fail the test instead of skipping it.
func inCI() bool { return os.Getenv("CI") == "true" }

// missing skips the test, or fails it in CI.
func missing(t *testing.T, msg string) {
	t.Helper()
	if inCI() {
		t.Fatalf("CI=true: %s", msg)
	}
	t.Skip(msg)
}

// helmBinary returns the helm to render the chart with, from env HELM.
func helmBinary(t *testing.T) string {
	t.Helper()
	helm := os.Getenv("HELM")
	if helm == "" {
		missing(t, "HELM is not set: run `make test`, or HELM=$(hack/helm.sh) go test ./test/monitoring/...")
	}
	if strings.ContainsRune(helm, os.PathSeparator) && !filepath.IsAbs(helm) {
		helm = filepath.Join(repoRoot, helm) // relative to the repository, where make runs
	}
	return helm
}

// promtoolBinary returns promtool, from env PROMTOOL or PATH.
func promtoolBinary(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("PROMTOOL"); p != "" {
		return p
	}
	p, err := exec.LookPath("promtool")
	if err != nil {
		missing(t, "promtool is not installed (Debian: apt-get install prometheus; or set PROMTOOL): the alert rules and the dashboard queries are not checked")
	}
	return p
}

// renderChart renders the chart with `helm template` as release releaseName in namespace, with
// extra helm arguments such as --set.
func renderChart(t *testing.T, extra ...string) []*unstructured.Unstructured {
	t.Helper()
	return testenv.DecodeAll(t, testenv.Run(t, renderCmd(t, extra...)))
}

// renderCmd is the `helm template` command of renderChart.
func renderCmd(t *testing.T, extra ...string) *exec.Cmd {
	t.Helper()
	args := append([]string{"template", releaseName, chartDir, "--namespace", namespace}, extra...)
	cmd := exec.Command(helmBinary(t), args...)
	home := t.TempDir() // keeps the user's helm configuration, repositories and plugins out
	cmd.Env = append(os.Environ(),
		"HELM_CONFIG_HOME="+filepath.Join(home, "config"),
		"HELM_CACHE_HOME="+filepath.Join(home, "cache"),
		"HELM_DATA_HOME="+filepath.Join(home, "data"))
	return cmd
}

// ofKind returns the objects of kind in objs.
func ofKind(objs []*unstructured.Unstructured, kind string) []*unstructured.Unstructured {
	var out []*unstructured.Unstructured
	for _, o := range objs {
		if o.GetKind() == kind {
			out = append(out, o)
		}
	}
	return out
}

// only returns the one object of kind in objs, failing the test unless there is exactly one.
func only(t *testing.T, objs []*unstructured.Unstructured, kind string) *unstructured.Unstructured {
	t.Helper()
	found := ofKind(objs, kind)
	if len(found) != 1 {
		t.Fatalf("want exactly one %s in the rendering, found %d", kind, len(found))
	}
	return found[0]
}

// named returns the object of kind and name, failing the test when there is none.
func named(t *testing.T, objs []*unstructured.Unstructured, kind, name string) *unstructured.Unstructured {
	t.Helper()
	for _, o := range objs {
		if o.GetKind() == kind && o.GetName() == name {
			return o
		}
	}
	t.Fatalf("no %s %s in the rendering", kind, name)
	return nil
}
