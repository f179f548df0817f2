package main

import (
	"strings"
	"testing"
)

const smallCRD = `
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  names: {kind: Widget, listKind: WidgetList, plural: widgets, singular: widget, shortNames: [wd]}
  scope: Namespaced
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        description: "Widget is a widget.\n\nMore about it."
        x-kubernetes-validations:
        - rule: "self.metadata.name != 'x'"
          message: "not x"
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

// renderSmall renders the page of a CRD manifest, linking to an index at ../index.md.
func renderSmall(t *testing.T, manifest string) (string, error) {
	t.Helper()
	c, err := parseCRD([]byte(manifest))
	if err != nil {
		t.Fatal(err)
	}
	out, err := renderPage(c, "../index.md#"+readingAnchor)
	return string(out), err
}

func TestRenderSmallCRD(t *testing.T) {
	doc, err := renderSmall(t, smallCRD)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"| `spec.size` | number | **required** | `2` | minimum: `0.5`<br>exclusiveMaximum: `10` |",
		"| `spec.labels` | map[string]string | optional |  | each value: maxLength: `63` |",
		"| `spec.port` | int or string |",
		"| `spec.codes` | []integer | optional |  | each item: enum: `200`, `404`<br>each item: rule `self != 500`: no 500 |",
		"| `self.size > 1 \\|\\| has(self.labels)` | size must be > 1 \\| labels set |",
		"Use &lt;name>, not `<name>`.<br><br>Second paragraph.",
		"| `spec` | [object](#spec) | optional |  | rules: see [`spec`](#spec) |",
		"# API reference: Widget\n\nWidget is a widget.\n\nThis page is generated",
		"[All kinds, and how to read the tables](../index.md#how-to-read-the-tables)",
		"Rules on the whole object (`self` is the Widget: `self.spec`, `self.metadata`)",
		"| short names | `wd` |",
	} {
		if !strings.Contains(doc, want) {
			t.Errorf("missing %q in:\n%s", want, doc)
		}
	}
	if again, _ := renderSmall(t, smallCRD); again != doc {
		t.Error("the output is not deterministic")
	}
}

func TestParseCRDRefusesWhatIsNotACRD(t *testing.T) {
	for name, manifest := range map[string]string{
		"another kind": "apiVersion: v1\nkind: ConfigMap\n",
		"no kind name": strings.Replace(smallCRD, "kind: Widget, ", "", 1),
		"no versions":  smallCRD[:strings.Index(smallCRD, "  versions:")],
		"not YAML":     "kind: [",
	} {
		if _, err := parseCRD([]byte(manifest)); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}
