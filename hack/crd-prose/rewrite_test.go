package main

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// wrappedCRD has descriptions wrapped as controller-gen copies them from Go comments, and strings
// that are not descriptions (a default, an enum value, a rule's message, a field named
// description) that hold line breaks or look like descriptions and must stay as they are.
const wrappedCRD = `---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  annotations:
    controller-gen.kubebuilder.io/version: v0.23.0
  name: widgets.example.com
spec:
  group: example.com
  names:
    kind: Widget
    listKind: WidgetList
    plural: widgets
    singular: widget
  scope: Namespaced
  versions:
  - additionalPrinterColumns:
    - description: |-
        How big
        it is.
      jsonPath: .spec.size
      name: Size
      type: number
    name: v1
    schema:
      openAPIV3Schema:
        description: |-
          Widget is a widget,
          managed declaratively.
        properties:
          spec:
            description: |-
              The desired
              state.

              Second paragraph.
            properties:
              description:
                default: |-
                  keep
                  this
                description: |-
                  What the widget
                  is for.
                type: string
              labels:
                additionalProperties:
                  description: |-
                    A label
                    value.
                  type: string
                type: object
              parts:
                items:
                  description: |-
                    A part
                    of it.
                  enum:
                  - "a\nb"
                  type: string
                type: array
              size:
                description: Its size, 0.5 to 10.
                maximum: 10
                minimum: 0.5
                type: number
                x-kubernetes-validations:
                - message: |-
                    keep
                    this too
                  rule: self > 1
            type: object
        type: object
    served: true
    storage: true
    subresources:
      status: {}
`

func TestProseRewritesOnlyDescriptions(t *testing.T) {
	out, err := prose([]byte(wrappedCRD))
	if err != nil {
		t.Fatal(err)
	}
	got, err := decode(out)
	if err != nil {
		t.Fatal(err)
	}
	want, err := decode([]byte(wrappedCRD))
	if err != nil {
		t.Fatal(err)
	}
	root := "spec.versions[0].schema.openAPIV3Schema"
	wantDescs := map[string]string{
		"spec.versions[0].additionalPrinterColumns[0]": "How big it is.",
		root:                      "Widget is a widget, managed declaratively.",
		root + ".properties.spec": "The desired state.\n\nSecond paragraph.",
		root + ".properties.spec.properties.description":                 "What the widget is for.",
		root + ".properties.spec.properties.labels.additionalProperties": "A label value.",
		root + ".properties.spec.properties.parts.items":                 "A part of it.",
		root + ".properties.spec.properties.size":                        "Its size, 0.5 to 10.",
	}
	for path, desc := range wantDescs {
		if d := at(t, got, path)["description"]; d != desc {
			t.Errorf("%s: description %q, want %q", path, d, desc)
		}
		at(t, want, path)["description"] = desc
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("something other than the descriptions changed:\n%s", out)
	}
	if !strings.HasPrefix(string(out), "---\napiVersion: apiextensions.k8s.io/v1\n") {
		t.Errorf("the output does not start as controller-gen's does:\n%s", out)
	}
	again, err := prose(out)
	if err != nil || string(again) != string(out) {
		t.Errorf("a second pass changed the manifest (%v):\n%s", err, again)
	}
}

// at returns the map at a path of the form a.b[0].c.
func at(t *testing.T, obj map[string]any, path string) map[string]any {
	t.Helper()
	var v any = obj
	for _, part := range strings.Split(path, ".") {
		name, index, indexed := strings.Cut(strings.TrimSuffix(part, "]"), "[")
		v = v.(map[string]any)[name]
		if indexed {
			v = v.([]any)[int(index[0]-'0')]
		}
	}
	m, ok := v.(map[string]any)
	if !ok {
		t.Fatalf("%s is not an object", path)
	}
	return m
}

func TestProseFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "crd.yaml")
	if err := os.WriteFile(path, []byte(wrappedCRD), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := proseFile(path); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	if !strings.Contains(string(b), "description: What the widget is for.\n") {
		t.Errorf("the file was not rewritten:\n%s", b)
	}
	notCRD := filepath.Join(dir, "cm.yaml")
	if err := os.WriteFile(notCRD, []byte("apiVersion: v1\nkind: ConfigMap\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := proseFile(notCRD); err == nil || !strings.Contains(err.Error(), "cm.yaml") {
		t.Errorf("a ConfigMap was not refused with its file name: %v", err)
	}
	if err := proseFile(filepath.Join(dir, "missing.yaml")); err == nil {
		t.Error("a missing file is not an error")
	}
}
