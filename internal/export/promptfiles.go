package export

import (
	"os"
	"path/filepath"
	"sort"
	"unicode/utf8"

	"sigs.k8s.io/yaml"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
)

// The layout of a directory exported with prompts as files: <dir>/<kind>-<name>.yaml per object
// (see WriteDir), an Agent's prompts in <dir>/prompts/<name>/, and <dir>/kustomization.yaml, which
// lists every object and whose configMapGenerator makes one ConfigMap <name>-prompts per Agent
// from its prompts (without the name's hash suffix, so that it is the name the Agent refers to).
const (
	promptsDir        = "prompts"
	promptsSuffix     = "-prompts"
	instructionsKey   = "instructions.md"
	systemPromptKey   = "system-prompt.md"
	kustomizationFile = "kustomization.yaml"
)

// DirOptions say how WriteDir lays out an export.
type DirOptions struct {
	// PromptsAsFiles writes each prompt of at least PromptMinLength characters to a file of its
	// own, and a kustomization.yaml that turns the files into the ConfigMaps the Agents take their
	// prompts from (instructionsFrom, systemPromptFrom).
	PromptsAsFiles  bool
	PromptMinLength int
}

// promptFile is a prompt moved out of an Agent: the ConfigMap key that holds it, and its text.
type promptFile struct {
	key, text string
}

// externalize returns a copy of a whose prompts of at least minLength characters (and not empty)
// come from the ConfigMap <name>-prompts, and those prompts by key.
func externalize(a *orqv1alpha1.Agent, minLength int) (*orqv1alpha1.Agent, []promptFile) {
	out := a.DeepCopy()
	long := func(s string) bool { return s != "" && utf8.RuneCountInString(s) >= minLength }
	from := func(key string) *orqv1alpha1.PromptSource {
		return &orqv1alpha1.PromptSource{ConfigMapKeyRef: orqv1alpha1.ConfigMapKeyReference{Name: promptsConfigMap(a.Name), Key: key}}
	}
	var files []promptFile
	if out.Spec.InstructionsFrom == nil && long(out.Spec.Instructions) {
		files = append(files, promptFile{instructionsKey, out.Spec.Instructions})
		out.Spec.Instructions, out.Spec.InstructionsFrom = "", from(instructionsKey)
	}
	if sp := out.Spec.SystemPrompt; sp != nil && long(*sp) {
		files = append(files, promptFile{systemPromptKey, *sp})
		out.Spec.SystemPrompt, out.Spec.SystemPromptFrom = nil, from(systemPromptKey)
	}
	return out, files
}

// promptsConfigMap names the ConfigMap of an Agent's prompts, within the bound of a name.
func promptsConfigMap(agent string) string { return withSuffix(agent, promptsSuffix) }

// writePromptFiles writes an Agent's prompts, exactly as they are (kustomize keeps a file's
// bytes), and returns the configMapGenerator entry that makes their ConfigMap.
func writePromptFiles(dir string, a *orqv1alpha1.Agent, files []promptFile) (map[string]any, error) {
	sub := filepath.Join(promptsDir, a.Name)
	if err := os.MkdirAll(filepath.Join(dir, sub), 0o755); err != nil {
		return nil, err
	}
	var sources []string
	for _, f := range files {
		if err := os.WriteFile(filepath.Join(dir, sub, f.key), []byte(f.text), 0o644); err != nil {
			return nil, err
		}
		sources = append(sources, f.key+"="+filepath.ToSlash(filepath.Join(sub, f.key)))
	}
	gen := map[string]any{
		"name":    promptsConfigMap(a.Name),
		"files":   sources,
		"options": map[string]any{"disableNameSuffixHash": true},
	}
	if a.Namespace != "" {
		gen["namespace"] = a.Namespace
	}
	return gen, nil
}

// writeKustomization writes the kustomization.yaml of the exported objects and the Agents' prompts.
func writeKustomization(dir string, resources []string, generators []map[string]any) error {
	sort.Strings(resources)
	k := map[string]any{
		"apiVersion": "kustomize.config.k8s.io/v1beta1",
		"kind":       "Kustomization",
		"resources":  resources,
	}
	if len(generators) > 0 {
		k["configMapGenerator"] = generators
	}
	raw, err := yaml.Marshal(k)
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, kustomizationFile), raw, 0o644)
}
