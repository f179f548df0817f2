package export

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
	"github.com/orq-ai/orq-operator/internal/agentdiff"
	"github.com/orq-ai/orq-operator/internal/orqclient"
)

const longPrompt = "You help {{customer}} with orders.\n\n## Rules\n- Be brief.\n- Never guess a price.\n"

func promptRemotes() []orqclient.Remote {
	long := remote("long")
	long.Raw["instructions"] = longPrompt
	long.Raw["variables"] = map[string]any{"customer": ""}
	long.Raw["system_prompt"] = "You are a careful assistant of the shop."
	short := remote("short") // instructions "Hi {{name}}": under the threshold
	return []orqclient.Remote{long, short}
}

// Long prompts go to files, short ones stay inline, and the Agents name the ConfigMaps that the
// kustomization makes.
func TestWriteDirPromptsAsFiles(t *testing.T) {
	res := exportAll(t, agentsOnly(promptRemotes()...), Options{Namespace: "team"})
	dir := t.TempDir()
	if err := WriteDir(dir, res.Manifests, DirOptions{PromptsAsFiles: true, PromptMinLength: 20}); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		file, want string
	}{
		{"prompts/long/instructions.md", longPrompt},
		{"prompts/long/system-prompt.md", "You are a careful assistant of the shop."},
	}
	for _, tc := range cases {
		if got, err := os.ReadFile(filepath.Join(dir, tc.file)); err != nil || string(got) != tc.want {
			t.Errorf("%s = %q (%v), want %q", tc.file, got, err, tc.want)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "prompts", "short")); !os.IsNotExist(err) {
		t.Errorf("a short prompt was written as a file: %v", err)
	}
	long, short := readAgent(t, dir, "long"), readAgent(t, dir, "short")
	if from := long.Spec.InstructionsFrom; from == nil || from.ConfigMapKeyRef != (orqv1alpha1.ConfigMapKeyReference{Name: "long-prompts", Key: "instructions.md"}) {
		t.Errorf("long: instructionsFrom = %+v", from)
	}
	if long.Spec.Instructions != "" || long.Spec.SystemPrompt != nil || long.Spec.SystemPromptFrom == nil {
		t.Errorf("long: the prompts are still inline: %+v", long.Spec)
	}
	if short.Spec.Instructions != "Hi {{name}}" || short.Spec.InstructionsFrom != nil {
		t.Errorf("short: %+v", short.Spec)
	}
	raw, _ := os.ReadFile(filepath.Join(dir, "agent-long.yaml"))
	if strings.Contains(string(raw), "instructions: \"\"") {
		t.Errorf("agent-long.yaml carries an empty instructions beside instructionsFrom:\n%s", raw)
	}
}

// Rendered by kustomize as kubectl apply -k does, the export gives ConfigMaps whose prompts,
// resolved into the Agents, make the request the remote agents answer to: no difference.
func TestPromptsAsFilesRoundTripThroughKustomize(t *testing.T) {
	kubectl, err := exec.LookPath("kubectl")
	if err != nil {
		t.Skip("kubectl is not installed: it renders the kustomization (kubectl kustomize)")
	}
	remotes := promptRemotes()
	res := exportAll(t, agentsOnly(remotes...), Options{Namespace: "team"})
	dir := t.TempDir()
	if err := WriteDir(dir, res.Manifests, DirOptions{PromptsAsFiles: true}); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(kubectl, "kustomize", dir).Output()
	if err != nil {
		t.Fatalf("kubectl kustomize: %v", err)
	}
	configMaps, applied := decodeRendered(t, out)
	if len(applied) != len(remotes) || len(configMaps) != len(remotes) {
		t.Fatalf("rendered %d Agents and %d ConfigMaps, want %d of each:\n%s", len(applied), len(configMaps), len(remotes), out)
	}
	byKey := map[string]orqclient.Remote{}
	for _, r := range remotes {
		byKey[r.Key] = r
	}
	for _, a := range applied {
		resolveFrom(t, a, configMaps)
		desired, err := agentdiff.Desired(a)
		if err != nil {
			t.Fatal(err)
		}
		if d := agentdiff.Diff(desired, agentdiff.Observed(byKey[a.Spec.Key].Raw)); len(d) != 0 {
			t.Errorf("%s differs from its remote agent in %v", a.Name, d)
		}
	}
}

func readAgent(t *testing.T, dir, name string) *orqv1alpha1.Agent {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(dir, "agent-"+name+".yaml"))
	if err != nil {
		t.Fatal(err)
	}
	a := &orqv1alpha1.Agent{}
	if err := yaml.UnmarshalStrict(raw, a); err != nil {
		t.Fatal(err)
	}
	return a
}

// decodeRendered splits kustomize's output into ConfigMaps ("namespace/name") and Agents.
func decodeRendered(t *testing.T, out []byte) (map[string]*corev1.ConfigMap, []*orqv1alpha1.Agent) {
	t.Helper()
	configMaps := map[string]*corev1.ConfigMap{}
	var agents []*orqv1alpha1.Agent
	for _, doc := range bytes.Split(out, []byte("\n---\n")) {
		var kind struct{ Kind string }
		if err := yaml.Unmarshal(doc, &kind); err != nil {
			t.Fatal(err)
		}
		switch kind.Kind {
		case "ConfigMap":
			cm := &corev1.ConfigMap{}
			if err := utilyaml.Unmarshal(doc, cm); err != nil {
				t.Fatal(err)
			}
			configMaps[cm.Namespace+"/"+cm.Name] = cm
		case "Agent":
			a := &orqv1alpha1.Agent{}
			if err := yaml.UnmarshalStrict(doc, a); err != nil {
				t.Fatal(err)
			}
			agents = append(agents, a)
		}
	}
	return configMaps, agents
}

// resolveFrom fills an Agent's prompts from the rendered ConfigMaps, as the operator does.
func resolveFrom(t *testing.T, a *orqv1alpha1.Agent, configMaps map[string]*corev1.ConfigMap) {
	t.Helper()
	value := func(from *orqv1alpha1.PromptSource) string {
		cm, ok := configMaps[a.Namespace+"/"+from.ConfigMapKeyRef.Name]
		if !ok {
			t.Fatalf("%s names ConfigMap %s, which the kustomization does not make", a.Name, from.ConfigMapKeyRef.Name)
		}
		v, ok := cm.Data[from.ConfigMapKeyRef.Key]
		if !ok {
			t.Fatalf("ConfigMap %s has no key %s", cm.Name, from.ConfigMapKeyRef.Key)
		}
		return v
	}
	if from := a.Spec.InstructionsFrom; from != nil {
		a.Spec.Instructions, a.Spec.InstructionsFrom = value(from), nil
	}
	if from := a.Spec.SystemPromptFrom; from != nil {
		v := value(from)
		a.Spec.SystemPrompt, a.Spec.SystemPromptFrom = &v, nil
	}
}
