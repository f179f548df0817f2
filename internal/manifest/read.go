// Package manifest reads the Agents, and the ConfigMaps they use, from Kubernetes manifests as
// `kustomize build` or `kubectl get -o yaml` print them, as the apiserver would store them.
package manifest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/controller-runtime/pkg/client"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
)

// Read reads path: a file, the *.yaml, *.yml and *.json files under a directory, or standard
// input for "-". Objects without a namespace get namespace, as kubectl apply gives them its own.
func Read(path string, stdin io.Reader, namespace string) ([]client.Object, error) {
	if path == "-" {
		return Decode(stdin, "standard input", namespace)
	}
	info, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !info.IsDir() {
		return readFile(path, namespace)
	}
	var out []client.Object
	err = filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !manifestFile(p) {
			return err
		}
		objs, err := readFile(p, namespace)
		out = append(out, objs...)
		return err
	})
	return out, err
}

func manifestFile(p string) bool {
	switch strings.ToLower(filepath.Ext(p)) {
	case ".yaml", ".yml", ".json":
		return true
	}
	return false
}

func readFile(path, namespace string) ([]client.Object, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer func() { _ = f.Close() }()
	return Decode(f, path, namespace)
}

// Decode reads multi-document YAML or JSON; source names it in errors. Kinds other than Agent
// and ConfigMap are skipped; a List's items are read.
func Decode(r io.Reader, source, namespace string) ([]client.Object, error) {
	reader := utilyaml.NewYAMLReader(bufio.NewReader(r))
	var out []client.Object
	for n := 1; ; n++ {
		doc, err := reader.Read()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", source, err)
		}
		objs, err := decodeDoc(doc, namespace)
		if err != nil {
			return nil, fmt.Errorf("%s: document %d: %w", source, n, err)
		}
		out = append(out, objs...)
	}
}

// typeMeta is what tells a document's kind.
type typeMeta struct {
	APIVersion string            `json:"apiVersion"`
	Kind       string            `json:"kind"`
	Items      []json.RawMessage `json:"items"`
}

func decodeDoc(doc []byte, namespace string) ([]client.Object, error) {
	raw, err := utilyaml.ToJSON(doc)
	if err != nil {
		return nil, err
	}
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil // an empty document
	}
	var tm typeMeta
	if err := json.Unmarshal(raw, &tm); err != nil {
		return nil, err
	}
	switch {
	case tm.Kind == "List" || strings.HasSuffix(tm.Kind, "List") && tm.Items != nil:
		var out []client.Object
		for _, item := range tm.Items {
			objs, err := decodeDoc(item, namespace)
			if err != nil {
				return nil, err
			}
			out = append(out, objs...)
		}
		return out, nil
	case tm.APIVersion == orqv1alpha1.GroupVersion.String() && tm.Kind == "Agent":
		return one(decodeAgent(raw, namespace))
	case tm.APIVersion == "v1" && tm.Kind == "ConfigMap":
		cm := &corev1.ConfigMap{}
		if err := strictJSON(raw, cm); err != nil {
			return nil, fmt.Errorf("ConfigMap: %w", err)
		}
		defaultNamespace(cm, namespace)
		return []client.Object{cm}, nil
	}
	return nil, nil
}

func one(o client.Object, err error) ([]client.Object, error) {
	if err != nil {
		return nil, err
	}
	return []client.Object{o}, nil
}

// decodeAgent decodes an Agent with the CRD's defaults, refusing unknown fields as kubectl's
// strict field validation does: a misspelled field must not plan as absent.
func decodeAgent(raw []byte, namespace string) (*orqv1alpha1.Agent, error) {
	var obj map[string]any
	if err := json.Unmarshal(raw, &obj); err != nil {
		return nil, err
	}
	if err := applyDefaults(obj); err != nil {
		return nil, err
	}
	defaulted, err := json.Marshal(obj)
	if err != nil {
		return nil, err
	}
	a := &orqv1alpha1.Agent{}
	if err := strictJSON(defaulted, a); err != nil {
		// a.Name may not be decoded yet: name the Agent from the raw object.
		name, _, _ := unstructured.NestedString(obj, "metadata", "name")
		return nil, fmt.Errorf("Agent %q: %w", name, err)
	}
	if a.Name == "" {
		return nil, errors.New("an Agent without metadata.name")
	}
	defaultNamespace(a, namespace)
	return a, nil
}

func strictJSON(raw []byte, into any) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	return dec.Decode(into)
}

func defaultNamespace(o client.Object, namespace string) {
	if o.GetNamespace() == "" {
		o.SetNamespace(namespace)
	}
}
