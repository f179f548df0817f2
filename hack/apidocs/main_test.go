package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeFile(t *testing.T, name, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func readFile(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// gadgetCRD is smallCRD as another kind, to render a directory of several CRDs.
var gadgetCRD = strings.NewReplacer("widgets", "gadgets", "Widget", "Gadget", "widget", "gadget").Replace(smallCRD)

func TestRunWritesTheIndexAndAPagePerKind(t *testing.T) {
	dir := t.TempDir()
	crds, index, pages := filepath.Join(dir, "crds"), filepath.Join(dir, "docs", "api-reference.md"), filepath.Join(dir, "docs", "api")
	writeFile(t, filepath.Join(crds, "widgets.yaml"), smallCRD)
	writeFile(t, filepath.Join(crds, "gadgets.yaml"), gadgetCRD)
	writeFile(t, filepath.Join(pages, "old.md"), generatedMark+"\n\n# API reference: Old\n")
	writeFile(t, filepath.Join(pages, "notes.md"), "# Notes written by hand\n")

	if err := run(crds, index, pages); err != nil {
		t.Fatal(err)
	}
	idx := readFile(t, index)
	gadgetRow := strings.Index(idx, "| [Gadget](api/gadget.md) | `example.com` | `v1` | `wd` | Gadget is a gadget.")
	widgetRow := strings.Index(idx, "| [Widget](api/widget.md) | `example.com` | `v1` | `wd` | Widget is a widget.")
	if gadgetRow < 0 || widgetRow < gadgetRow {
		t.Errorf("the index does not list Gadget then Widget with links to their pages:\n%s", idx)
	}
	if !strings.Contains(idx, `<a id="how-to-read-the-tables"></a>`) {
		t.Errorf("the index has no anchor for the pages' link to how to read the tables:\n%s", idx)
	}
	for _, kind := range []string{"Gadget", "Widget"} {
		page := readFile(t, filepath.Join(pages, strings.ToLower(kind)+".md"))
		if !strings.HasPrefix(page, generatedMark+"\n\n# API reference: "+kind+"\n") ||
			!strings.Contains(page, "(../api-reference.md#how-to-read-the-tables)") {
			t.Errorf("the page of %s has not its title or its link to the index:\n%s", kind, page)
		}
	}
	if _, err := os.Stat(filepath.Join(pages, "old.md")); !os.IsNotExist(err) {
		t.Errorf("the generated page of a kind that is gone was not removed: %v", err)
	}
	if readFile(t, filepath.Join(pages, "notes.md")) != "# Notes written by hand\n" {
		t.Error("a page written by hand was touched")
	}
}

func TestRunRefusesBadInput(t *testing.T) {
	dir := t.TempDir()
	index, pages := filepath.Join(dir, "index.md"), filepath.Join(dir, "api")
	if err := run(filepath.Join(dir, "none"), index, pages); err == nil || !strings.Contains(err.Error(), "no CRD manifest") {
		t.Errorf("an empty directory: %v", err)
	}
	twice := filepath.Join(dir, "twice")
	writeFile(t, filepath.Join(twice, "a.yaml"), smallCRD)
	writeFile(t, filepath.Join(twice, "b.yaml"), smallCRD)
	if err := run(twice, index, pages); err == nil || !strings.Contains(err.Error(), "two CRDs of kind Widget") {
		t.Errorf("two CRDs of one kind: %v", err)
	}
	bad := filepath.Join(dir, "bad")
	writeFile(t, filepath.Join(bad, "cm.yaml"), "apiVersion: v1\nkind: ConfigMap\n")
	if err := run(bad, index, pages); err == nil || !strings.Contains(err.Error(), "cm.yaml") {
		t.Errorf("a file that is not a CRD is not named: %v", err)
	}
	if _, err := os.Stat(index); !os.IsNotExist(err) {
		t.Errorf("bad input still wrote the index: %v", err)
	}
}
