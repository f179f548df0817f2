package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRestates(t *testing.T) {
	for _, tc := range []struct {
		desc, path string
		want       bool
	}{
		{"The tool type.", "spec.settings.tools[].type", true},
		{"Skills of the agent.", "spec.skills", true},
		{"Whether the agent is exposed in chat.", "spec.settings.chatExposed", true},
		{"The name of the object.", "spec.memoryStoreRefs[].name", true},
		{"The load balancing strategy.", "spec.model.parameters.loadBalancer.type", false},
		{"The Agent's metadata.name, in this namespace.", "spec.agentRef.name", false},
		{"The tool's kind: a built-in tool (current_date, ...), http, code or mcp.", "spec.settings.tools[].type", false},
		{"Maximum cost of an execution; 0 means no limit.", "spec.settings.maxCost", false},
	} {
		if got := restates(tc.desc, tc.path, "Agent"); got != tc.want {
			t.Errorf("restates(%q, %s) = %v, want %v", tc.desc, tc.path, got, tc.want)
		}
	}
}

func TestMentions(t *testing.T) {
	for _, tc := range []struct {
		text, value string
		want        bool
	}{
		{"none, low or high", "none", true},
		{"nonempty", "none", false},
		{"read_only (the default)", "read_only", true},
		{"read_only", "read", false},
		{"`5m` or 1h", "5m", true},
		{"a provider tool, provider:name", "name", true},
	} {
		if got := mentions(tc.text, tc.value); got != tc.want {
			t.Errorf("mentions(%q, %q) = %v, want %v", tc.text, tc.value, got, tc.want)
		}
	}
}

// badCRD has one field for each problem lint reports, and one field that has none.
const badCRD = `
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: tools.example.com}
spec:
  names: {kind: Tool, plural: tools}
  versions:
  - name: v1
    schema:
      openAPIV3Schema:
        type: object
        properties:
          metadata: {type: object}
          spec:
            type: object
            description: The desired state of the tool.
            x-kubernetes-validations:
            - rule: "self.kind in ['http', 'code'] || self.kind.matches('^p:.+$')"
            properties:
              good:
                type: string
                enum: [read_only, read_write]
                description: Whether the agent may only read (read_only) or also write (read_write).
              wrapped:
                type: string
                description: "A description that kubectl explain shows\nbroken in the middle."
              bare:
                type: string
                description: The spec bare.
              undescribed:
                type: string
              mode:
                type: string
                enum: [fast, slow]
                description: How fast it goes, fast or not.
              kind:
                type: string
                description: "The kind of the tool: http, or a provider tool p:name."
              modes:
                type: array
                description: The ways it runs.
                items:
                  type: string
                  enum: [up, down]
`

func TestLintReportsEachProblem(t *testing.T) {
	crd, err := decode([]byte(badCRD))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range lint(crd) {
		got = append(got, p.String())
	}
	all := strings.Join(got, "\n")
	for _, want := range []string{
		"spec.wrapped: line 2 of the description continues its paragraph",
		`spec.bare: the description "The spec bare." only restates the field's name`,
		"spec.undescribed: has no description",
		"spec.mode: the description does not name the accepted values `slow`",
		"spec.kind: the description does not name the accepted values `code`",
		"spec.modes[]: the description does not name the accepted values `up`, `down`",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("missing %q in:\n%s", want, all)
		}
	}
	if len(got) != 6 {
		t.Errorf("got %d problems, want 6 (metadata, spec and spec.good have none):\n%s", len(got), all)
	}
}

func TestRunCheckListsProblems(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "crd.yaml")
	if err := os.WriteFile(path, []byte(badCRD), 0o644); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	err := run([]string{path}, true, &out)
	if err == nil || !strings.Contains(err.Error(), "6 descriptions to fix") {
		t.Errorf("run -check: %v", err)
	}
	if !strings.Contains(out.String(), path+": spec.bare: ") {
		t.Errorf("the problems are not listed with their file:\n%s", out.String())
	}
	before, _ := os.ReadFile(path)
	if err := run([]string{path}, false, &out); err != nil {
		t.Fatal(err)
	}
	after, _ := os.ReadFile(path)
	crd, err := decode(after)
	if err != nil {
		t.Fatal(err)
	}
	wrapped := at(t, crd, "spec.versions[0].schema.openAPIV3Schema.properties.spec.properties.wrapped")
	if bytes.Equal(before, after) || wrapped["description"] != "A description that kubectl explain shows broken in the middle." {
		t.Errorf("run without -check did not unwrap the file:\n%s", after)
	}
}
