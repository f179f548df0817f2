package planreport

import (
	"strings"

	"github.com/pmezard/go-difflib/difflib"
)

// lineDiff is a unified diff of a prompt, from what orq holds to what the spec asks for.
func lineDiff(before, after string) string {
	d, err := difflib.GetUnifiedDiffString(difflib.UnifiedDiff{
		A: lines(before), B: lines(after),
		FromFile: "orq", ToFile: "spec", Context: 3,
	})
	if err != nil {
		return err.Error()
	}
	return d
}

// lines splits a text into lines that each end with a newline, the last one included, so that a
// prompt with or without a final newline diffs the same (difflib.SplitLines would add a line).
func lines(s string) []string {
	if s == "" {
		return nil
	}
	out := strings.SplitAfter(strings.TrimSuffix(s, "\n"), "\n")
	out[len(out)-1] += "\n"
	return out
}
