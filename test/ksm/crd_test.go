package ksm

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	yaml "sigs.k8s.io/yaml/goyaml.v3"
)

// schema is the part of an OpenAPI v3 schema of a CRD the path walk reads.
type schema struct {
	Type       string             `yaml:"type"`
	Properties map[string]*schema `yaml:"properties"`
	Items      *schema            `yaml:"items"`
}

// crd is the part of a CustomResourceDefinition the tests read.
type crd struct {
	Spec struct {
		Group string `yaml:"group"`
		Names struct {
			Kind   string `yaml:"kind"`
			Plural string `yaml:"plural"`
		} `yaml:"names"`
		Versions []struct {
			Name   string `yaml:"name"`
			Served bool   `yaml:"served"`
			Schema struct {
				OpenAPIV3Schema *schema `yaml:"openAPIV3Schema"`
			} `yaml:"schema"`
		} `yaml:"versions"`
	} `yaml:"spec"`
}

// crds returns the CRDs of config/crd/bases by group/kind.
func crds(t *testing.T) map[string]crd {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(crdBasesDir, "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no CRDs in %s: %v", crdBasesDir, err)
	}
	out := map[string]crd{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var c crd
		if err := yaml.Unmarshal(data, &c); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		out[c.Spec.Group+"/"+c.Spec.Names.Kind] = c
	}
	return out
}

// objectMeta are the fields of metadata a CRD's schema leaves out (the apiserver's ObjectMeta).
var objectMeta = map[string]bool{"name": true, "namespace": true, "uid": true, "labels": true, "annotations": true, "generation": true}

// walk follows a kube-state-metrics path from s and returns the schema it ends at, or the part
// of the path that does not exist. A list lookup ("[type=Ready]") selects an element of an
// array; a number, an element by index.
func walk(s *schema, path []string) (*schema, string) {
	for i, part := range path {
		switch {
		case s == nil:
			return nil, strings.Join(path[:i+1], ".")
		case s.Type == "array" && (strings.HasPrefix(part, "[") || isIndex(part)):
			if lookup := strings.Trim(part, "[]"); strings.Contains(part, "=") {
				key, _, _ := strings.Cut(lookup, "=")
				if s.Items == nil || s.Items.Properties[key] == nil {
					return nil, strings.Join(path[:i+1], ".") + " (no field " + key + " in its elements)"
				}
			}
			s = s.Items
		case s.Type == "object" && s.Properties == nil && objectMeta[part] && i > 0 && path[i-1] == "metadata":
			s = &schema{Type: "string"}
		default:
			next, ok := s.Properties[part]
			if !ok {
				return nil, strings.Join(path[:i+1], ".")
			}
			s = next
		}
	}
	return s, ""
}

func isIndex(part string) bool {
	for _, r := range part {
		if r < '0' || r > '9' {
			return false
		}
	}
	return part != ""
}

// elements returns the schema each element of a metric's path stands for: the items of an
// array (kube-state-metrics makes a series of each), else the schema itself.
func elements(s *schema) *schema {
	if s != nil && s.Type == "array" {
		return s.Items
	}
	return s
}
