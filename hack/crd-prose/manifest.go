package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sort"

	"sigs.k8s.io/yaml"
)

// docStart is how controller-gen starts each CRD file.
const docStart = "---\n"

// decode reads a CRD manifest as controller-gen writes it: one YAML document. Numbers are kept
// as written (json.Number), so that encode writes them back unchanged.
func decode(manifest []byte) (map[string]any, error) {
	body := bytes.TrimPrefix(manifest, []byte(docStart))
	if bytes.Contains(body, []byte("\n---\n")) {
		return nil, errors.New("more than one YAML document: expected one CRD per file, as controller-gen writes them")
	}
	js, err := yaml.YAMLToJSON(body)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(js))
	dec.UseNumber()
	var obj map[string]any
	if err := dec.Decode(&obj); err != nil {
		return nil, err
	}
	if obj["kind"] != "CustomResourceDefinition" {
		return nil, fmt.Errorf("not a CustomResourceDefinition (kind %v)", obj["kind"])
	}
	return obj, nil
}

// encode writes a CRD manifest the way controller-gen does (sigs.k8s.io/yaml after "---"), so
// that only the descriptions differ from its output.
func encode(obj map[string]any) ([]byte, error) {
	out, err := yaml.Marshal(obj)
	if err != nil {
		return nil, err
	}
	return append([]byte(docStart), out...), nil
}

// kindOf is the CRD's kind (spec.names.kind).
func kindOf(crd map[string]any) string {
	kind, _ := dig(crd, "spec", "names", "kind").(string)
	return kind
}

// node is a schema of the CRD, with the path of the field it describes (spec.settings.tools[].type;
// "" for the object itself) and the schema holding it (nil for the root).
type node struct {
	path   string
	schema map[string]any
	parent *node
}

// schemas calls fn for every schema of every version of the CRD, depth first, properties by name.
func schemas(crd map[string]any, fn func(n *node)) {
	versions, _ := dig(crd, "spec", "versions").([]any)
	for _, v := range versions {
		root, ok := dig(v, "schema", "openAPIV3Schema").(map[string]any)
		if ok {
			walk(&node{schema: root}, fn)
		}
	}
}

func walk(n *node, fn func(n *node)) {
	fn(n)
	s := n.schema
	if props, ok := s["properties"].(map[string]any); ok {
		names := make([]string, 0, len(props))
		for name := range props {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range names {
			if p, ok := props[name].(map[string]any); ok {
				walk(&node{path: join(n.path, name), schema: p, parent: n}, fn)
			}
		}
	}
	if items, ok := s["items"].(map[string]any); ok {
		walk(&node{path: n.path + "[]", schema: items, parent: n}, fn)
	}
	if values, ok := s["additionalProperties"].(map[string]any); ok {
		walk(&node{path: n.path + ".*", schema: values, parent: n}, fn)
	}
	for _, keyword := range []string{"allOf", "anyOf", "oneOf"} {
		list, _ := s[keyword].([]any)
		for _, sub := range list {
			if m, ok := sub.(map[string]any); ok {
				walk(&node{path: n.path, schema: m, parent: n}, fn)
			}
		}
	}
}

// printerColumns returns the additionalPrinterColumns of every version.
func printerColumns(crd map[string]any) []map[string]any {
	var out []map[string]any
	versions, _ := dig(crd, "spec", "versions").([]any)
	for _, v := range versions {
		cols, _ := dig(v, "additionalPrinterColumns").([]any)
		for _, c := range cols {
			if m, ok := c.(map[string]any); ok {
				out = append(out, m)
			}
		}
	}
	return out
}

func dig(v any, keys ...string) any {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

func join(parent, name string) string {
	if parent == "" {
		return name
	}
	return parent + "." + name
}
