package main

// The checks of the committed reference against the CRDs of config/crd/bases.

import (
	"os"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"
)

const (
	crdFile = "../../config/crd/bases/orq.ai_agents.yaml"
	refFile = "../../docs/api-reference.md"
)

// TestReferenceIsUpToDate fails when docs/api-reference.md is not what the generator makes of the
// CRD manifest as it is now: the API changed and `make docs` was not run.
func TestReferenceIsUpToDate(t *testing.T) {
	in, err := os.ReadFile(crdFile)
	if err != nil {
		t.Fatal(err)
	}
	want, err := render(in)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(refFile)
	if err != nil {
		t.Fatalf("%v: run `make docs`", err)
	}
	if string(got) == string(want) {
		return
	}
	gl, wl := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
	for i := 0; i < max(len(gl), len(wl)); i++ {
		var g, w string
		if i < len(gl) {
			g = gl[i]
		}
		if i < len(wl) {
			w = wl[i]
		}
		if g != w {
			t.Fatalf("docs/api-reference.md is stale (run `make docs`); first difference at line %d:\n have: %s\n want: %s", i+1, g, w)
		}
	}
}

// TestEveryFieldAndRuleIsListed walks the CRD's schema on its own and checks that the reference
// has a row for every field and lists every CEL rule with its message.
func TestEveryFieldAndRuleIsListed(t *testing.T) {
	in, err := os.ReadFile(crdFile)
	if err != nil {
		t.Fatal(err)
	}
	out, err := render(in)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(out)
	var c struct {
		Spec struct {
			Versions []struct {
				Schema struct {
					OpenAPIV3Schema map[string]any `json:"openAPIV3Schema"`
				} `json:"schema"`
			} `json:"versions"`
		} `json:"spec"`
	}
	if err := yaml.Unmarshal(in, &c); err != nil {
		t.Fatal(err)
	}
	fields, rules := 0, 0
	var walk func(path string, s map[string]any)
	walk = func(path string, s map[string]any) {
		for _, r := range asList(s["x-kubernetes-validations"]) {
			r := r.(map[string]any)
			rules++
			if rl := cell(code(r["rule"].(string))); !strings.Contains(doc, rl) {
				t.Errorf("%s: rule %s is missing", displayPath(path), rl)
			}
			if msg, ok := r["message"].(string); ok && !strings.Contains(doc, cell(text(msg))) {
				t.Errorf("%s: message %q is missing", displayPath(path), msg)
			}
		}
		if props, ok := s["properties"].(map[string]any); ok {
			for name, p := range props {
				fields++
				fp := join(path, name)
				if !strings.Contains(doc, "| "+code(fp)+" | ") {
					t.Errorf("no row for %s", fp)
				}
				walk(fp, p.(map[string]any))
			}
		}
		if items, ok := s["items"].(map[string]any); ok {
			walk(path+"[]", items)
		}
		if values, ok := s["additionalProperties"].(map[string]any); ok {
			walk(path+".*", values)
		}
	}
	for _, v := range c.Spec.Versions {
		walk("", v.Schema.OpenAPIV3Schema)
	}
	if fields < 100 || rules < 10 {
		t.Errorf("walked only %d fields and %d rules: is the CRD the Agent CRD?", fields, rules)
	}
}

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}
