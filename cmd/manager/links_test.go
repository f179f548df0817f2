package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestDocsLinksResolve: every relative link of README.md and docs/ (the generated API reference
// included) names a file that exists and, when it has a fragment, an anchor of that file: an
// explicit <a id>, or a heading as GitHub makes anchors of them.
func TestDocsLinksResolve(t *testing.T) {
	docs, err := filepath.Glob("../../docs/*.md")
	if err != nil {
		t.Fatal(err)
	}
	pages, _ := filepath.Glob("../../docs/api/*.md")
	docs = append(append(docs, pages...), "../../README.md")
	if len(pages) < 5 {
		t.Fatalf("found %d pages in docs/api: expected one per kind", len(pages))
	}
	link := regexp.MustCompile(`\]\(([^)\s]+)\)`)
	codeSpan := regexp.MustCompile("``[^`]*``|`[^`]*`")
	checked := 0
	for _, doc := range docs {
		for _, m := range link.FindAllStringSubmatch(codeSpan.ReplaceAllString(readDoc(t, doc), ""), -1) {
			target := m[1]
			if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
				continue
			}
			file, fragment, _ := strings.Cut(target, "#")
			path := doc
			if file != "" {
				path = filepath.Join(filepath.Dir(doc), file)
			}
			checked++
			if _, err := os.Stat(path); err != nil {
				t.Errorf("%s links to %s: %v", rel(doc), target, err)
				continue
			}
			if fragment != "" && strings.HasSuffix(path, ".md") && !anchors(t, path)[fragment] {
				t.Errorf("%s links to %s: %s has no anchor %q", rel(doc), target, rel(path), fragment)
			}
		}
	}
	if checked < 30 {
		t.Errorf("checked only %d links: is the scan broken?", checked)
	}
}

func rel(path string) string { return strings.TrimPrefix(filepath.ToSlash(path), "../../") }

// anchors are the fragments a Markdown file answers to on GitHub.
func anchors(t *testing.T, path string) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	doc := readDoc(t, path)
	for _, m := range regexp.MustCompile(`<a id="([^"]+)"`).FindAllStringSubmatch(doc, -1) {
		out[m[1]] = true
	}
	seen := map[string]int{}
	fenced := false
	for _, line := range strings.Split(doc, "\n") {
		if strings.HasPrefix(line, "```") {
			fenced = !fenced
		}
		if fenced || !strings.HasPrefix(line, "#") {
			continue
		}
		slug := headingSlug(strings.TrimLeft(line, "#"))
		if n := seen[slug]; n > 0 {
			out[slug+"-"+strconv.Itoa(n)] = true
		} else {
			out[slug] = true
		}
		seen[slug]++
	}
	return out
}

// headingSlug is GitHub's anchor of a heading: lower case, punctuation dropped, spaces as '-'.
func headingSlug(heading string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(strings.TrimSpace(heading)) {
		switch {
		case r == ' ':
			b.WriteRune('-')
		case r == '-' || r == '_' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r > 127:
			b.WriteRune(r)
		}
	}
	return b.String()
}
