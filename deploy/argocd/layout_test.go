package argocd

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/orq-ai/orq-operator/internal/manifest"
)

// repoRoot is the repository root seen from this package's directory.
const repoRoot = "../.."

// TestEveryKindHasTheHealthCheck: the kinds with a directory of resource customizations are
// exactly the kinds of the CRDs, and each directory's health.lua is the one script.
func TestEveryKindHasTheHealthCheck(t *testing.T) {
	script := readFile(t, scriptFile)
	entries, err := os.ReadDir(customizations)
	if err != nil {
		t.Fatal(err)
	}
	var dirs []string
	for _, e := range entries {
		if e.IsDir() {
			dirs = append(dirs, e.Name())
		}
	}
	if want := kinds(t); !slices.Equal(dirs, want) {
		t.Errorf("%s holds %v, want a directory per kind of the CRDs: %v", customizations, dirs, want)
	}
	for _, kind := range dirs {
		if readFile(t, filepath.Join(customizations, kind, "health.lua")) != script {
			t.Errorf("%s/%s/health.lua differs from health.lua: run `make manifests`", customizations, kind)
		}
	}
}

// TestGeneratedFilesAreCurrent: the copies of health.lua are what hack/argocd-health writes.
func TestGeneratedFilesAreCurrent(t *testing.T) {
	for path, want := range Files(readFile(t, scriptFile), kinds(t)) {
		got, err := os.ReadFile(filepath.Join(repoRoot, path))
		if err != nil {
			t.Errorf("%v: run `make manifests`", err)
			continue
		}
		if !bytes.Equal(got, []byte(want)) {
			t.Errorf("%s is not what hack/argocd-health writes: run `make manifests`", path)
		}
	}
}

// TestArgoCDConfigMapEmbedsHealthScript reads examples/argocd/argocd-cm.yaml as Argo CD does: the
// ConfigMap argocd-cm, whose health key of each kind holds the script, byte for byte, and no
// other key.
func TestArgoCDConfigMapEmbedsHealthScript(t *testing.T) {
	script := readFile(t, scriptFile)
	path := filepath.Join(repoRoot, ConfigMapPath)
	var cm struct {
		APIVersion string `json:"apiVersion"`
		Kind       string `json:"kind"`
		Metadata   struct {
			Name      string            `json:"name"`
			Namespace string            `json:"namespace"`
			Labels    map[string]string `json:"labels"`
		} `json:"metadata"`
		Data map[string]string `json:"data"`
	}
	if err := yaml.UnmarshalStrict([]byte(readFile(t, path)), &cm); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if cm.APIVersion != "v1" || cm.Kind != "ConfigMap" || cm.Metadata.Name != "argocd-cm" || cm.Metadata.Namespace != "argocd" {
		t.Errorf("%s is a %s %s named %s/%s, want the v1 ConfigMap argocd/argocd-cm", path, cm.APIVersion, cm.Kind, cm.Metadata.Namespace, cm.Metadata.Name)
	}
	ks := kinds(t)
	if len(cm.Data) != len(ks) {
		t.Errorf("%s has %d keys, want one per kind (%v)", path, len(cm.Data), ks)
	}
	for _, kind := range ks {
		embedded, ok := cm.Data[ConfigMapKey(kind)]
		if !ok {
			t.Errorf("%s has no key %q", path, ConfigMapKey(kind))
			continue
		}
		if embedded != script {
			t.Errorf("the Lua under %q in %s differs from health.lua: run `make manifests`", ConfigMapKey(kind), path)
		}
	}
}

// TestTestdataIsAdmittedByTheCRDs holds the fixtures to the CRDs, as the apiserver would take
// them: a fixture the current types refuse shows a state the operator cannot be in.
func TestTestdataIsAdmittedByTheCRDs(t *testing.T) {
	for _, kind := range kinds(t) {
		for _, f := range testdata(t, kind) {
			t.Run(kind+"/"+filepath.Base(f), func(t *testing.T) {
				file, err := os.Open(f)
				if err != nil {
					t.Fatal(err)
				}
				defer func() { _ = file.Close() }()
				m, err := manifest.Decode(file, f, "")
				if err != nil {
					t.Fatal(err)
				}
				for _, r := range m.Refused {
					t.Errorf("refused %s %s/%s: %v", r.Kind, r.Namespace, r.Name, r.Err)
				}
			})
		}
	}
}
