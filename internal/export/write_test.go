package export

import (
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"
)

// With --output-dir, each object is a file <kind>-<name>.yaml, its notes as comments at its top,
// and the kustomization lists every file.
func TestWriteDirEveryKind(t *testing.T) {
	res := exportAll(t, graphWorkspace(t), Options{Namespace: "team"})
	dir := t.TempDir()
	if err := WriteDir(dir, res.Manifests, DirOptions{PromptsAsFiles: true}); err != nil {
		t.Fatal(err)
	}
	want := []string{"agent-mixed.yaml", "agent-user.yaml", "knowledgebase-faq.yaml", "knowledgebase-search.yaml",
		"memorystore-prefs.yaml", "memorystore-user.notes.yaml", "tool-lookup.yaml", "tool-orders-api.yaml"}
	files, _ := filepath.Glob(filepath.Join(dir, "*-*.yaml"))
	for i := range files {
		files[i] = filepath.Base(files[i])
	}
	sort.Strings(files)
	if !reflect.DeepEqual(files, want) {
		t.Errorf("files = %v, want %v", files, want)
	}
	raw, err := os.ReadFile(filepath.Join(dir, kustomizationFile))
	if err != nil {
		t.Fatal(err)
	}
	var k struct{ Resources []string }
	if err := yaml.Unmarshal(raw, &k); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(k.Resources, want) {
		t.Errorf("kustomization resources = %v, want %v", k.Resources, want)
	}
	search, _ := os.ReadFile(filepath.Join(dir, "knowledgebase-search.yaml"))
	if !strings.HasPrefix(string(search), "# Create Secret search-api-key first") {
		t.Errorf("knowledgebase-search.yaml does not begin with its notes:\n%s", search)
	}

	kubectl, err := exec.LookPath("kubectl")
	if err != nil {
		t.Skip("kubectl is not installed: it renders the kustomization (kubectl kustomize)")
	}
	out, err := exec.Command(kubectl, "kustomize", dir).Output()
	if err != nil {
		t.Fatalf("kubectl kustomize: %v", err)
	}
	kinds := map[string]int{}
	for _, doc := range strings.Split(string(out), "\n---\n") {
		var o struct{ Kind string }
		if err := yaml.Unmarshal([]byte(doc), &o); err != nil {
			t.Fatal(err)
		}
		kinds[o.Kind]++
	}
	// Every prompt is written as a file (no minimum length): a ConfigMap per Agent.
	if w := map[string]int{"MemoryStore": 2, "KnowledgeBase": 2, "Tool": 2, "Agent": 2, "ConfigMap": 2}; !reflect.DeepEqual(kinds, w) {
		t.Errorf("kustomize rendered %v, want %v:\n%s", kinds, w, out)
	}
}
