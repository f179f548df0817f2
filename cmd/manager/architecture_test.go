package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// docs/architecture.md is how a newcomer finds the file a change belongs in: every file and
// directory it names must exist, and every step it lists must be a step of the controller.
func TestArchitectureDocNamesWhatExists(t *testing.T) {
	doc := readDoc(t, "../../docs/architecture.md")
	paths := regexp.MustCompile("`((?:api|internal|cmd|test|hack|charts|docs)/[A-Za-z0-9_./-]+)`").FindAllStringSubmatch(doc, -1)
	if len(paths) < 15 {
		t.Fatalf("found only %d paths: is the scan broken?", len(paths))
	}
	for _, m := range paths {
		if _, err := os.Stat(filepath.Join("../..", m[1])); err != nil {
			t.Errorf("docs/architecture.md names %s: %v", m[1], err)
		}
	}
	// Bare file names in a row name files of the row's package (`create.go`, `marker.go`).
	for _, row := range strings.Split(doc, "\n") {
		dir := regexp.MustCompile("`((?:internal|api)/[a-z0-9/]+)[/`]").FindStringSubmatch(row)
		if dir == nil {
			continue
		}
		for _, f := range regexp.MustCompile("[ (,]`([a-z_]+\\.go)`").FindAllStringSubmatch(row, -1) {
			if _, err := os.Stat(filepath.Join("../..", dir[1], f[1])); err != nil {
				t.Errorf("docs/architecture.md names %s in %s: %v", f[1], dir[1], err)
			}
		}
	}
	steps := readDoc(t, "../../internal/managed/steps.go")
	flow := doc[strings.Index(doc, "manage    "):strings.Index(doc, "finish (finish.go)")]
	for _, name := range regexp.MustCompile(`\b([a-z][A-Za-z]+)\b`).FindAllString(flow, -1) {
		if name != "manage" && name != "observe" && name != "delete" && !strings.Contains(steps, "(*Reconciler)."+name+",") {
			t.Errorf("docs/architecture.md lists step %s, which steps.go does not", name)
		}
	}
}
