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
