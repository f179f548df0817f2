package main

import (
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
	"github.com/orq-ai/orq-operator/internal/manifest"
)

// jsonFields are the JSON names of a struct's fields, those of inlined structs included.
func jsonFields(t reflect.Type) []string {
	var out []string
	for i := range t.NumField() {
		f := t.Field(i)
		name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "" && strings.Contains(opts, "inline") {
			out = append(out, jsonFields(f.Type)...)
			continue
		}
		if name != "" && name != "-" {
			out = append(out, name)
		}
	}
	return out
}

// TestReadmeStatusTableListsEveryAgentStatusField: the Status table of README.md, where a user
// of an Agent looks first, has a row naming each field of the Agent's status.
func TestReadmeStatusTableListsEveryAgentStatusField(t *testing.T) {
	readme := readDoc(t, "../../README.md")
	start := strings.Index(readme, "\n### Status\n")
	if start < 0 {
		t.Fatal("README.md has no ### Status section")
	}
	section := readme[start+1:]
	if end := strings.Index(section, "\n## "); end >= 0 {
		section = section[:end]
	}
	var rows []string
	for _, line := range strings.Split(section, "\n") {
		if strings.HasPrefix(line, "| `") {
			first, _, _ := strings.Cut(line[2:], " | ")
			rows = append(rows, first)
		}
	}
	fields := jsonFields(reflect.TypeFor[orqv1alpha1.AgentStatus]())
	if len(fields) < 15 {
		t.Fatalf("found only %v in AgentStatus: is the walk broken?", fields)
	}
	for _, f := range fields {
		found := false
		for _, first := range rows {
			found = found || strings.Contains(first, "`"+f+"`") || strings.Contains(first, "`"+f+"[")
		}
		if !found {
			t.Errorf("status.%s has no row in the Status table of README.md", f)
		}
	}
}

// TestReadmeManifestsAreAdmitted: every manifest README.md shows (a yaml block of orq.ai objects)
// is one the apiserver admits, as a reader would copy it.
func TestReadmeManifestsAreAdmitted(t *testing.T) {
	raw, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	blocks := 0
	for i, block := range strings.Split(string(raw), "```yaml\n")[1:] {
		body, _, _ := strings.Cut(block, "```")
		if !strings.Contains(body, "apiVersion: orq.ai/") {
			continue
		}
		blocks++
		m, err := manifest.Decode(strings.NewReader(body), fmt.Sprintf("README.md yaml block %d", i+1), "default")
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range m.Refused {
			t.Errorf("refused %s %s (%s): %v", r.Kind, r.Name, r.Source, r.Err)
		}
	}
	if blocks == 0 {
		t.Error("README.md shows no orq.ai manifest")
	}
}
