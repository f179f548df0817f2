package ksm

import (
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"k8s.io/klog/v2"
	"k8s.io/kube-state-metrics/v2/pkg/customresourcestate"
	yaml "sigs.k8s.io/yaml/goyaml.v3"
)

const repoRoot = "../.."

var (
	chartDir             = filepath.Join(repoRoot, "charts", "orq-operator")
	crdBasesDir          = filepath.Join(repoRoot, "config", "crd", "bases")
	objectsDashboardFile = filepath.Join(chartDir, "dashboards", "orq-objects.json")
	stateRulesTestFile   = filepath.Join(repoRoot, "test", "monitoring", "testdata", "state_rules_test.yaml")
)

// TestMain keeps kube-state-metrics' logging (a line for each compiled resource) out of the
// test's output.
func TestMain(m *testing.M) {
	klog.LogToStderr(false)
	klog.SetOutput(io.Discard)
	os.Exit(m.Run())
}

// helmBinary returns helm from env HELM; without it the test skips, or fails under CI=true.
func helmBinary(t *testing.T) string {
	t.Helper()
	helm := os.Getenv("HELM")
	if helm == "" {
		msg := "HELM is not set: run `make test`, or cd test/ksm && HELM=$(../../hack/helm.sh) go test ./..."
		if os.Getenv("CI") == "true" {
			t.Fatal("CI=true: " + msg)
		}
		t.Skip(msg)
	}
	return helm
}

// render runs `helm template` of the chart with the state metrics on and extra arguments, and
// returns the YAML documents of the templates named by --show-only in extra, or all of them.
func render(t *testing.T, extra ...string) [][]byte {
	t.Helper()
	args := append([]string{"template", "orq-operator", chartDir, "--namespace", "orq-operator-system",
		"--set", "monitoring.stateMetrics.enabled=true"}, extra...)
	cmd := exec.Command(helmBinary(t), args...)
	home := t.TempDir()
	cmd.Env = append(os.Environ(),
		"HELM_CONFIG_HOME="+filepath.Join(home, "config"),
		"HELM_CACHE_HOME="+filepath.Join(home, "cache"),
		"HELM_DATA_HOME="+filepath.Join(home, "data"))
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("helm %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	var docs [][]byte
	for _, d := range strings.Split(stdout.String(), "\n---\n") {
		if strings.TrimSpace(d) != "" {
			docs = append(docs, []byte(d))
		}
	}
	return docs
}

// configText returns the configuration of the chart's state metrics ConfigMap.
func configText(t *testing.T) []byte {
	t.Helper()
	for _, doc := range render(t, "--show-only", "templates/state-metrics.yaml") {
		var cm struct {
			Kind string            `yaml:"kind"`
			Data map[string]string `yaml:"data"`
		}
		if err := yaml.Unmarshal(doc, &cm); err != nil {
			t.Fatal(err)
		}
		if cm.Kind == "ConfigMap" {
			config, ok := cm.Data["config.yaml"]
			if !ok {
				t.Fatalf("the state metrics ConfigMap has no key config.yaml: %v", cm.Data)
			}
			return []byte(config)
		}
	}
	t.Fatal("no state metrics ConfigMap in the rendering")
	return nil
}

// decodeStrict decodes a CustomResourceState configuration into kube-state-metrics' own type,
// refusing any field the type does not have (kube-state-metrics itself would ignore it).
func decodeStrict(data []byte) (customresourcestate.Metrics, error) {
	var m customresourcestate.Metrics
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&m); err != nil {
		return m, err
	}
	var extra any
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return m, errors.New("more than one YAML document")
	}
	return m, nil
}

// config returns the chart's configuration, decoded strictly.
func config(t *testing.T) customresourcestate.Metrics {
	t.Helper()
	m, err := decodeStrict(configText(t))
	if err != nil {
		t.Fatalf("the chart's state metrics configuration does not decode strictly into kube-state-metrics' customresourcestate.Metrics: %v", err)
	}
	return m
}
