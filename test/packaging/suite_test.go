// Package packaging tests the two ways the operator is packaged, the kustomize deployment
// (config/default) and the Helm chart (charts/orq-operator): that they stay in sync, and that a
// real kube-apiserver accepts every object of both, their pods under the restricted Pod Security
// Standard included.
//
// The tests need helm (env HELM, set by `make test` from hack/helm.sh), kubectl (for
// `kubectl kustomize`) and envtest's control plane (KUBEBUILDER_ASSETS, set by `make test`).
// Without helm or kubectl the tests that need them skip.
package packaging

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
	// releaseName gives the chart's objects the names kustomize's namePrefix gives.
	releaseName = "orq-operator"
	// kustomizeNamespace is the namespace config/operator puts everything in.
	kustomizeNamespace = "orq-operator-system"
)

var (
	chartDir     = filepath.Join(repoRoot, "charts", "orq-operator")
	kustomizeDir = filepath.Join(repoRoot, "config", "default")
	crdBasesDir  = filepath.Join(repoRoot, "config", "crd", "bases")
)

// The control plane, started by the first test that needs it and stopped by TestMain: one
// envtest start for the whole package.
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
		testEnv = &envtest.Environment{
			CRDDirectoryPaths:     []string{crdBasesDir},
			ErrorIfCRDPathMissing: true,
		}
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

// helmBinary returns the helm to render the chart with, from env HELM, or skips the test.
func helmBinary(t *testing.T) string {
	t.Helper()
	helm := os.Getenv("HELM")
	if helm == "" {
		t.Skip("HELM is not set: run `make test`, or HELM=$(hack/helm.sh) go test ./test/packaging/...")
	}
	if strings.ContainsRune(helm, os.PathSeparator) && !filepath.IsAbs(helm) {
		helm = filepath.Join(repoRoot, helm) // relative to the repository, where make runs
	}
	return helm
}

// renderChart renders the chart with `helm template` (CRDs included) as release releaseName in
// namespace, with extra helm arguments such as --set.
func renderChart(t *testing.T, namespace string, extra ...string) []*unstructured.Unstructured {
	t.Helper()
	helm := helmBinary(t)
	args := append([]string{"template", releaseName, chartDir, "--namespace", namespace, "--include-crds"}, extra...)
	cmd := exec.Command(helm, args...)
	cmd.Env = isolatedHelmEnv(t)
	return nonEmpty(t, testenv.DecodeAll(t, testenv.Run(t, cmd)))
}

// isolatedHelmEnv keeps the user's helm configuration, repositories and plugins out of the test.
func isolatedHelmEnv(t *testing.T) []string {
	t.Helper()
	home := t.TempDir()
	return append(os.Environ(),
		"HELM_CONFIG_HOME="+filepath.Join(home, "config"),
		"HELM_CACHE_HOME="+filepath.Join(home, "cache"),
		"HELM_DATA_HOME="+filepath.Join(home, "data"))
}

// renderKustomize renders config/default with `kubectl kustomize`, as `make deploy` does.
func renderKustomize(t *testing.T) []*unstructured.Unstructured {
	t.Helper()
	kubectl, err := exec.LookPath("kubectl")
	if err != nil {
		t.Skip("kubectl is not installed: it renders config/default (`kubectl kustomize`)")
	}
	return nonEmpty(t, testenv.DecodeAll(t, testenv.Run(t, exec.Command(kubectl, "kustomize", kustomizeDir))))
}

// find returns the only object of kind in objs, failing the test unless there is exactly one.
func find(t *testing.T, objs []*unstructured.Unstructured, kind string) *unstructured.Unstructured {
	t.Helper()
	var found []*unstructured.Unstructured
	for _, o := range objs {
		if o.GetKind() == kind {
			found = append(found, o)
		}
	}
	if len(found) != 1 {
		t.Fatalf("want exactly one %s in the rendering, found %d", kind, len(found))
	}
	return found[0]
}

// findNamed returns the object of kind whose name ends with suffix, failing the test unless
// there is exactly one.
func findNamed(t *testing.T, objs []*unstructured.Unstructured, kind, suffix string) *unstructured.Unstructured {
	t.Helper()
	var found []*unstructured.Unstructured
	for _, o := range objs {
		if o.GetKind() == kind && strings.HasSuffix(o.GetName(), suffix) {
			found = append(found, o)
		}
	}
	if len(found) != 1 {
		t.Fatalf("want exactly one %s named *%s in the rendering, found %d", kind, suffix, len(found))
	}
	return found[0]
}

// nonEmpty fails the test when a rendering holds no object.
func nonEmpty(t *testing.T, objs []*unstructured.Unstructured) []*unstructured.Unstructured {
	t.Helper()
	if len(objs) == 0 {
		t.Fatal("the rendering is empty")
	}
	return objs
}
