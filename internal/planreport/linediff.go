package planreport

import (
	"strings"

	"github.com/pmezard/go-difflib/difflib"
)

// lineDiff is a unified diff of a prompt, from what orq holds to what the spec asks for.
func lineDiff(before, after string) string {
	d, err := difflib.GetUnifiedDiffString(difflib.UnifiedDiff{
		A: difflib.SplitLines(withNewline(before)), B: difflib.SplitLines(withNewline(after)),
		FromFile: "orq", ToFile: "spec", Context: 3,
	})
	if err != nil {
		return err.Error()
	}
	return d
}

// withNewline ends a non-empty text with a newline, so that its last line diffs as a line.
func withNewline(s string) string {
	if s == "" || strings.HasSuffix(s, "\n") {
		return s
	}
	return s + "\n"
}
