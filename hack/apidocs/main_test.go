package main

import (
	"os"
	"path/filepath"
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

const smallCRD = `
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  names: {kind: Widget, listKind: WidgetList, plural: widgets, singular: widget}
  scope: Namespaced
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            required: [size]
            x-kubernetes-validations:
            - rule: "self.size > 1 || has(self.labels)"
              message: "size must be > 1 | labels set"
            properties:
              size:
                type: number
                minimum: 0.5
                exclusiveMaximum: true
                maximum: 10
                default: 2
              labels:
                type: object
                additionalProperties:
                  type: string
                  maxLength: 63
              port:
                x-kubernetes-int-or-string: true
              codes:
                type: array
                items:
                  type: integer
                  enum: [200, 404]
                  x-kubernetes-validations:
                  - rule: "self != 500"
                    message: "no 500"
              note:
                type: string
                description: "Use <name>, not ` + "`<name>`" + `.\n\nSecond paragraph."
`

func TestRenderSmallCRD(t *testing.T) {
	out, err := render([]byte(smallCRD))
	if err != nil {
		t.Fatal(err)
	}
	doc := string(out)
	for _, want := range []string{
		"| `spec.size` | number | **required** | `2` | minimum: `0.5`<br>exclusiveMaximum: `10` |",
		"| `spec.labels` | map[string]string | optional |  | each value: maxLength: `63` |",
		"| `spec.port` | int or string |",
		"| `spec.codes` | []integer | optional |  | each item: enum: `200`, `404`<br>each item: rule `self != 500`: no 500 |",
		"| `self.size > 1 \\|\\| has(self.labels)` | size must be > 1 \\| labels set |",
		"Use &lt;name>, not `<name>`.<br><br>Second paragraph.",
		"| `spec` | [object](#spec) | optional |  | rules: see [`spec`](#spec) |",
	} {
		if !strings.Contains(doc, want) {
			t.Errorf("missing %q in:\n%s", want, doc)
		}
	}
	again, _ := render([]byte(smallCRD))
	if string(again) != doc {
		t.Error("the output is not deterministic")
	}
}

func TestUnknownSchemaKeywordIsAnError(t *testing.T) {
	crd := strings.Replace(smallCRD, "              port:\n", "              port:\n                anyOf: [{type: integer}, {type: string}]\n", 1)
	if _, err := render([]byte(crd)); err == nil || !strings.Contains(err.Error(), "anyOf") || !strings.Contains(err.Error(), "spec.port") {
		t.Errorf("anyOf was not refused with the field's path: %v", err)
	}
}

func TestRunWritesTheFile(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "crd.yaml")
	if err := os.WriteFile(in, []byte(smallCRD), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "ref.md")
	if err := run(in, out); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(out)
	if err != nil || !strings.Contains(string(b), "# API reference: Widget") {
		t.Errorf("got %q, %v", b, err)
	}
	if err := run(filepath.Join(dir, "missing.yaml"), out); err == nil {
		t.Error("a missing CRD file is not an error")
	}
}
