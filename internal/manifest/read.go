// Package manifest reads the objects of the operator's kinds (Agent, Tool, KnowledgeBase,
// MemoryStore, AgentSchedule), and the ConfigMaps and Secrets they use, from Kubernetes manifests
// as `kustomize build` or `kubectl get -o yaml` print them, as the apiserver would store them.
// The values of Secrets are never kept: see redactSecret.
package manifest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	utiljson "k8s.io/apimachinery/pkg/util/json"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/controller-runtime/pkg/client"
	kjson "sigs.k8s.io/json"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
)

// Manifests are the objects of a set of manifests, as the apiserver would take them.
type Manifests struct {
	// Objects are the objects of the orq.ai kinds (with their CRDs' defaults), ConfigMaps and
	// Secrets (their values redacted) it would store.
	Objects []client.Object
	// Refused are the manifests it would refuse: kubectl apply, and so the merge, fails on them.
	Refused []Refusal
}

func (m *Manifests) add(more Manifests) {
	m.Objects = append(m.Objects, more.Objects...)
	m.Refused = append(m.Refused, more.Refused...)
}

// Refusal is a manifest the apiserver would refuse, and its answer.
type Refusal struct {
	Kind, Namespace, Name string
	// Source names the manifest: its file (or standard input) and document.
	Source string
	// Err is the apiserver's answer, an *apierrors.StatusError: apierrors.ReasonForError tells
	// BadRequest (it cannot be decoded: unknown fields, a version not served) from Invalid (the
	// field errors of its schema and CEL rules).
	Err error
}

// Read reads path: a file, the *.yaml, *.yml and *.json files under a directory, or standard
// input for "-". Objects without a namespace get namespace, as kubectl apply gives them its own.
// A manifest the apiserver would refuse is a Refusal, not an error: the others are still read.
func Read(path string, stdin io.Reader, namespace string) (Manifests, error) {
	if path == "-" {
		return Decode(stdin, "standard input", namespace)
	}
	info, err := os.Stat(path)
	if err != nil {
		return Manifests{}, err
	}
	if !info.IsDir() {
		return readFile(path, namespace)
	}
	var out Manifests
	err = filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !manifestFile(p) {
			return err
		}
		m, err := readFile(p, namespace)
		out.add(m)
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

func readFile(path, namespace string) (Manifests, error) {
	f, err := os.Open(path)
	if err != nil {
		return Manifests{}, err
	}
	defer func() { _ = f.Close() }()
	return Decode(f, path, namespace)
}

// Decode reads multi-document YAML or JSON; source names it in errors and refusals. Kinds other
// than those of the embedded CRDs, ConfigMap and Secret are skipped; a List's items are read. A document that is no object (bad YAML) is an error: it names no object to
// refuse.
func Decode(r io.Reader, source, namespace string) (Manifests, error) {
	reader := utilyaml.NewYAMLReader(bufio.NewReader(r))
	var out Manifests
	for n := 1; ; n++ {
		doc, err := reader.Read()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return Manifests{}, fmt.Errorf("%s: %w", source, err)
		}
		m, err := decodeDoc(doc, fmt.Sprintf("%s, document %d", source, n), namespace)
		if err != nil {
			return Manifests{}, fmt.Errorf("%s: document %d: %w", source, n, err)
		}
		out.add(m)
	}
}

// typeMeta is what tells a document's kind.
type typeMeta struct {
	APIVersion string            `json:"apiVersion"`
	Kind       string            `json:"kind"`
	Items      []json.RawMessage `json:"items"`
}

func decodeDoc(doc []byte, source, namespace string) (Manifests, error) {
	raw, err := utilyaml.ToJSON(doc)
	if err != nil {
		return Manifests{}, err
	}
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return Manifests{}, nil // an empty document
	}
	var tm typeMeta
	if err := json.Unmarshal(raw, &tm); err != nil {
		return Manifests{}, err
	}
	switch {
	case tm.Kind == "List" || strings.HasSuffix(tm.Kind, "List") && tm.Items != nil:
		var out Manifests
		for _, item := range tm.Items {
			m, err := decodeDoc(item, source, namespace)
			if err != nil {
				return Manifests{}, err
			}
			out.add(m)
		}
		return out, nil
	case tm.APIVersion == "v1" && tm.Kind == "ConfigMap":
		return decodeConfigMap(raw, source, namespace), nil
	case tm.APIVersion == "v1" && tm.Kind == "Secret":
		return decodeSecret(raw, source, namespace), nil
	}
	return decodeCustom(raw, source, namespace)
}

// decodeConfigMap reads a ConfigMap, refusing unknown fields as kubectl's strict field
// validation does.
func decodeConfigMap(raw []byte, source, namespace string) Manifests {
	cm := &corev1.ConfigMap{}
	if err := strictJSON(raw, cm); err != nil {
		defaultNamespace(cm, namespace)
		return refused("ConfigMap", cm.Namespace, cm.Name, source,
			apierrors.NewBadRequest(`ConfigMap in version "v1" cannot be handled as a ConfigMap: `+err.Error()))
	}
	defaultNamespace(cm, namespace)
	return Manifests{Objects: []client.Object{cm}}
}

// decodeCustom admits an object of a kind of the embedded CRDs (see admit), and decodes it into
// its Go type. Other kinds are skipped.
func decodeCustom(raw []byte, source, namespace string) (Manifests, error) {
	var obj map[string]any
	if err := utiljson.Unmarshal(raw, &obj); err != nil { // integers as int64, as the apiserver reads them
		return Manifests{}, err
	}
	u := &unstructured.Unstructured{Object: obj}
	// No deadline: the CEL rules are bounded by the apiserver's cost budget.
	ok, refusal, err := admit(context.Background(), u, namespace)
	switch {
	case err != nil:
		return Manifests{}, err
	case !ok:
		return Manifests{}, nil
	case refusal != nil:
		return refused(u.GetKind(), u.GetNamespace(), u.GetName(), source, refusal), nil
	}
	o, err := decodeTyped(u)
	if err != nil {
		return refused(u.GetKind(), u.GetNamespace(), u.GetName(), source, apierrors.NewBadRequest(err.Error())), nil
	}
	return Manifests{Objects: []client.Object{o}}, nil
}

// typed knows the Go types of the embedded CRDs' kinds.
var typed = func() *runtime.Scheme {
	s := runtime.NewScheme()
	utilruntime.Must(orqv1alpha1.AddToScheme(s))
	return s
}()

// decodeTyped decodes an admitted object into its Go type; it refuses what that type does not
// declare, which the CRD generated from it already refused.
func decodeTyped(u *unstructured.Unstructured) (client.Object, error) {
	gvk := u.GroupVersionKind()
	o, err := typed.New(gvk)
	if err != nil {
		return nil, fmt.Errorf("%s has no Go type in this build: %w", gvk, err)
	}
	obj, ok := o.(client.Object)
	if !ok {
		return nil, fmt.Errorf("%s is not an object", gvk)
	}
	defaulted, err := json.Marshal(u.Object)
	if err != nil {
		return nil, err
	}
	return obj, strictJSON(defaulted, obj)
}

func refused(kind, namespace, name, source string, err error) Manifests {
	return Manifests{Refused: []Refusal{{Kind: kind, Namespace: namespace, Name: name, Source: source, Err: err}}}
}

// strictJSON decodes raw into a typed object as the apiserver does under strict field
// validation: field names are case-sensitive, unknown and duplicate fields refused (into holds
// what could be decoded all the same).
func strictJSON(raw []byte, into any) error {
	strict, err := kjson.UnmarshalStrict(raw, into)
	if err != nil {
		return err
	}
	if len(strict) > 0 {
		return runtime.NewStrictDecodingError(strict)
	}
	return nil
}

func defaultNamespace(o client.Object, namespace string) {
	if o.GetNamespace() == "" {
		o.SetNamespace(namespace)
	}
}
