// Package policies tests the organisation policies of docs/policies.md, the
// ValidatingAdmissionPolicies of the chart (values policies.*) and of the kustomize component
// config/components/policies, on a real kube-apiserver (envtest's), which evaluates them itself:
// each policy refuses a manifest that breaks its rule with a message that says what to change,
// admits one that keeps it, and refuses nothing once its binding is gone. The chart and the
// component render the same policies.
//
// The tests need helm (env HELM, set by `make test` from hack/helm.sh), kubectl (for
// `kubectl kustomize`) and envtest's control plane (KUBEBUILDER_ASSETS, set by `make test`).
// Without helm or kubectl the tests that need them skip, except under CI=true, where they fail.
package policies

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/orq-ai/orq-operator/internal/testenv"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
)

const (
	repoRoot = "../.."
	// releaseName gives the chart's objects the names of the kustomize component.
	releaseName = "orq-operator"
	// operatorNamespace is the chart's release namespace.
	operatorNamespace = "orq-operator-system"
)

var (
	chartDir     = filepath.Join(repoRoot, "charts", "orq-operator")
	componentDir = filepath.Join(repoRoot, "config", "components", "policies")
	crdBasesDir  = filepath.Join(repoRoot, "config", "crd", "bases")
	// policyFiles are the policies, by file name (without .yaml), and their chart values.
	policyFiles = map[string]string{
		"require-orphan":            "requireOrphan",
		"require-adoption-approval": "requireAdoptionApproval",
		"require-fallback-models":   "requireFallbackModels",
		"forbid-inline-secrets":     "forbidInlineSecrets",
		"agent-limits":              "agentLimits",
	}
)

// The control plane, started by the first test that needs it and stopped by TestMain.
var (
	envOnce sync.Once
	testEnv *envtest.Environment
	k8s     client.Client
	envErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if testEnv != nil {
		if err := testEnv.Stop(); err != nil {
			fmt.Fprintln(os.Stderr, "stopping envtest:", err)
			if code == 0 {
				code = 1
			}
		}
	}
	os.Exit(code)
}

// apiServer returns a client of the package's envtest control plane, with the CRDs of
// config/crd/bases installed, starting it on first use.
func apiServer(t *testing.T) client.Client {
	t.Helper()
	envOnce.Do(func() {
		testEnv = &envtest.Environment{CRDDirectoryPaths: []string{crdBasesDir}, ErrorIfCRDPathMissing: true}
		cfg, err := testEnv.Start()
		if err != nil {
			testEnv = nil
			envErr = fmt.Errorf("starting envtest (it needs KUBEBUILDER_ASSETS: run `make test`): %w", err)
			return
		}
		k8s, envErr = client.New(cfg, client.Options{Scheme: scheme.Scheme})
	})
	if envErr != nil {
		t.Fatal(envErr)
	}
	return k8s
}

// missing skips the test, or fails it under CI=true: CI must run it.
func missing(t *testing.T, msg string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("CI=true: %s", msg)
	}
	t.Skip(msg)
}

// helmBinary returns the helm to render the chart with, from env HELM.
func helmBinary(t *testing.T) string {
	t.Helper()
	helm := os.Getenv("HELM")
	if helm == "" {
		missing(t, "HELM is not set: run `make test`, or HELM=$(hack/helm.sh) go test ./test/policies/...")
	}
	if strings.ContainsRune(helm, os.PathSeparator) && !filepath.IsAbs(helm) {
		helm = filepath.Join(repoRoot, helm) // relative to the repository, where make runs
	}
	return helm
}

// renderChart renders the chart's templates with `helm template` as release releaseName in
// operatorNamespace, with extra helm arguments such as --set.
func renderChart(t *testing.T, extra ...string) []*unstructured.Unstructured {
	t.Helper()
	args := append([]string{"template", releaseName, chartDir, "--namespace", operatorNamespace}, extra...)
	cmd := exec.Command(helmBinary(t), args...)
	home := t.TempDir()
	cmd.Env = append(os.Environ(), // keep the user's helm configuration out of the test
		"HELM_CONFIG_HOME="+filepath.Join(home, "config"),
		"HELM_CACHE_HOME="+filepath.Join(home, "cache"),
		"HELM_DATA_HOME="+filepath.Join(home, "data"))
	return testenv.DecodeAll(t, testenv.Run(t, cmd))
}

// renderComponent renders, with `kubectl kustomize`, a kustomization of the policies component
// and the binding components named (bindings/<name>), as a user's kustomization would list them.
func renderComponent(t *testing.T, bindings ...string) []*unstructured.Unstructured {
	t.Helper()
	kubectl, err := exec.LookPath("kubectl")
	if err != nil {
		missing(t, "kubectl is not installed: it renders config/components/policies (`kubectl kustomize`)")
	}
	dir := t.TempDir()
	abs, err := filepath.Abs(componentDir)
	if err != nil {
		t.Fatal(err)
	}
	rel, err := filepath.Rel(dir, abs) // kustomize refuses absolute paths to components
	if err != nil {
		t.Fatal(err)
	}
	kust := "components:\n- " + rel + "\n"
	for _, b := range bindings {
		kust += "- " + filepath.Join(rel, "bindings", b) + "\n"
	}
	if err := os.WriteFile(filepath.Join(dir, "kustomization.yaml"), []byte(kust), 0o600); err != nil {
		t.Fatal(err)
	}
	return testenv.DecodeAll(t, testenv.Run(t, exec.Command(kubectl, "kustomize", dir)))
}

// ofKind returns the objects of kind.
func ofKind(objs []*unstructured.Unstructured, kind string) []*unstructured.Unstructured {
	var out []*unstructured.Unstructured
	for _, o := range objs {
		if o.GetKind() == kind {
			out = append(out, o)
		}
	}
	return out
}
