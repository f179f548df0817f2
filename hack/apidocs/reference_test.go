package main

// The checks of the committed reference (docs/api-reference.md and docs/api/) against the CRDs of
// config/crd/bases.

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"
)

const (
	crdDir    = "../../config/crd/bases"
	indexFile = "../../docs/api-reference.md"
	pagesDir  = "../../docs/api"
)

// TestReferenceIsUpToDate fails when the index or a page is not what the generator makes of the
// CRD manifests as they are now (the API changed and `make docs` was not run), or when a page of
// a kind that is gone is left.
func TestReferenceIsUpToDate(t *testing.T) {
	files, err := generate(crdDir, indexFile, pagesDir)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 6 {
		t.Fatalf("generated %d files: expected the index and the pages of the five kinds", len(files))
	}
	for name, want := range files {
		got, err := os.ReadFile(name)
		if err != nil {
			t.Errorf("%v: run `make docs`", err)
			continue
		}
		if line, g, w := firstDifference(string(got), string(want)); line > 0 {
			t.Errorf("%s is stale (run `make docs`); first difference at line %d:\n have: %s\n want: %s", name, line, g, w)
		}
	}
	old, err := stale(pagesDir, files)
	if err != nil || len(old) > 0 {
		t.Errorf("pages of kinds that are gone (run `make docs`): %v %v", old, err)
	}
}

func firstDifference(got, want string) (line int, g, w string) {
	gl, wl := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := 0; i < max(len(gl), len(wl)); i++ {
		g, w = "", ""
		if i < len(gl) {
			g = gl[i]
		}
		if i < len(wl) {
			w = wl[i]
		}
		if g != w {
			return i + 1, g, w
		}
	}
	return 0, "", ""
}

// TestEveryFieldAndRuleIsListed walks the schema of each CRD on its own and checks that its page
// has a row for every field and lists every CEL rule with its message, and that the index links
// to the page.
func TestEveryFieldAndRuleIsListed(t *testing.T) {
	files, err := generate(crdDir, indexFile, pagesDir)
	if err != nil {
		t.Fatal(err)
	}
	manifests, err := filepath.Glob(filepath.Join(crdDir, "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range manifests {
		in, err := os.ReadFile(m)
		if err != nil {
			t.Fatal(err)
		}
		c, err := parseCRD(in)
		if err != nil {
			t.Fatal(err)
		}
		page := string(files[filepath.Join(pagesDir, c.pageName())])
		fields, rules := checkListed(t, c.Spec.Names.Kind, in, page)
		if fields < 20 || rules < 1 || c.Spec.Names.Kind == "Agent" && (fields < 100 || rules < 10) {
			t.Errorf("%s: walked only %d fields and %d rules: is the walk broken?", c.Spec.Names.Kind, fields, rules)
		}
		if link := "[" + c.Spec.Names.Kind + "](api/" + c.pageName() + ")"; !strings.Contains(string(files[indexFile]), link) {
			t.Errorf("the index has no link %s", link)
		}
	}
	if len(manifests) < 5 {
		t.Errorf("found %d CRDs: expected the five kinds", len(manifests))
	}
}

// checkListed checks a page against the CRD manifest it documents and counts its fields and rules.
func checkListed(t *testing.T, kind string, manifest []byte, doc string) (fields, rules int) {
	t.Helper()
	var c struct {
		Spec struct {
			Versions []struct {
				Schema struct {
					OpenAPIV3Schema map[string]any `json:"openAPIV3Schema"`
				} `json:"schema"`
			} `json:"versions"`
		} `json:"spec"`
	}
	if err := yaml.Unmarshal(manifest, &c); err != nil {
		t.Fatal(err)
	}
	var walk func(path string, s map[string]any)
	walk = func(path string, s map[string]any) {
		for _, r := range asList(s["x-kubernetes-validations"]) {
			r := r.(map[string]any)
			rules++
			if rl := cell(code(r["rule"].(string))); !strings.Contains(doc, rl) {
				t.Errorf("%s %s: rule %s is missing", kind, displayPath(path), rl)
			}
			if msg, ok := r["message"].(string); ok && !strings.Contains(doc, cell(text(msg))) {
				t.Errorf("%s %s: message %q is missing", kind, displayPath(path), msg)
			}
		}
		if props, ok := s["properties"].(map[string]any); ok {
			for name, p := range props {
				fields++
				fp := join(path, name)
				if !strings.Contains(doc, "| "+code(fp)+" | ") {
					t.Errorf("%s: no row for %s", kind, fp)
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
	return fields, rules
}

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}
