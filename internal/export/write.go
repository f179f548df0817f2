package export

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"

	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
)

// Write writes the manifests as one YAML stream, in their order, each after its notes as comments.
func Write(w io.Writer, ms []Manifest) error {
	for i, m := range ms {
		doc, err := document(m)
		if err != nil {
			return err
		}
		if i > 0 {
			if _, err := io.WriteString(w, "---\n"); err != nil {
				return err
			}
		}
		if _, err := w.Write(doc); err != nil {
			return err
		}
	}
	return nil
}

// WriteDir writes each manifest to <dir>/<kind>-<name>.yaml, the kind in lower case
// (agent-support.yaml, tool-lookup.yaml). With o.PromptsAsFiles, it also writes the Agents' long
// prompts and a kustomization.yaml listing every file (see promptfiles.go), to be applied with
// kubectl apply -k.
func WriteDir(dir string, ms []Manifest, o DirOptions) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	var resources []string
	var generators []map[string]any
	for _, m := range ms {
		if a, ok := m.Object.(*orqv1alpha1.Agent); ok && o.PromptsAsFiles {
			var files []promptFile
			if a, files = externalize(a, o.PromptMinLength); len(files) > 0 {
				gen, err := writePromptFiles(dir, a, files)
				if err != nil {
					return err
				}
				generators = append(generators, gen)
				m.Object = a
			}
		}
		doc, err := document(m)
		if err != nil {
			return err
		}
		file := fileName(m)
		if err := os.WriteFile(filepath.Join(dir, file), doc, 0o644); err != nil {
			return err
		}
		resources = append(resources, file)
	}
	if !o.PromptsAsFiles {
		return nil
	}
	return writeKustomization(dir, resources, generators)
}

// fileName is the file of a manifest in a directory.
func fileName(m Manifest) string {
	return strings.ToLower(m.Kind()) + "-" + m.Object.GetName() + ".yaml"
}

// document is a manifest as YAML, after its notes as comments.
func document(m Manifest) ([]byte, error) {
	body, err := render(m.Object)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	for _, n := range m.Notes {
		buf.WriteString("# " + n + "\n")
	}
	buf.Write(body)
	return buf.Bytes(), nil
}

// render is an object as YAML without the fields a manifest does not carry (status,
// creationTimestamp).
func render(o client.Object) ([]byte, error) {
	raw, err := yaml.Marshal(o)
	if err != nil {
		return nil, err
	}
	var obj map[string]any
	if err := yaml.Unmarshal(raw, &obj); err != nil {
		return nil, err
	}
	delete(obj, "status")
	if md, ok := obj["metadata"].(map[string]any); ok {
		delete(md, "creationTimestamp")
	}
	if spec, ok := obj["spec"].(map[string]any); ok && spec["instructionsFrom"] != nil && spec["instructions"] == "" {
		delete(spec, "instructions") // always encoded (see AgentSpec.Instructions); unset here
	}
	return yaml.Marshal(obj)
}
