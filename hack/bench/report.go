package main

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"time"
)

// This file holds the pure helpers of the report: bounds, ratios, percentiles and markdown.

// pageSize is the largest page of GET /v2/agents: the fewest reads that cover N agents are
// ceil(N/pageSize) list pages.
const pageSize = 200

// ceilDiv is ceil(a/b) for positive b.
func ceilDiv(a, b int) int {
	if b <= 0 || a <= 0 {
		return 0
	}
	return (a + b - 1) / b
}

// listPages is the lower bound of reads that check n agents for drift once.
func listPages(n int) int { return ceilDiv(n, pageSize) }

// apiBound is the time the orq API alone needs for calls requests: calls × latency spread over
// the workers, or, when the operator paces requests (qps > 0), the time the token bucket needs
// for the calls beyond its burst, whichever is longer.
func apiBound(calls int, latency time.Duration, workers int, qps float64, burst int) time.Duration {
	if calls <= 0 {
		return 0
	}
	if workers < 1 {
		workers = 1
	}
	t := time.Duration(float64(calls) * float64(latency) / float64(workers))
	if qps > 0 {
		paced := time.Duration(float64(max(calls-burst, 0)) / qps * float64(time.Second))
		t = max(t, paced)
	}
	return t
}

// noBound marks a figure without a lower bound.
var noBound = math.NaN()

// fmtRatio renders measured/bound: "—" without a bound, "at bound" for 0 of 0, "∞" above a
// bound of 0.
func fmtRatio(measured, bound float64) string {
	switch {
	case math.IsNaN(bound) || math.IsNaN(measured):
		return "—"
	case bound == 0 && measured == 0:
		return "at bound"
	case bound == 0:
		return "∞ (bound 0)"
	}
	return fmt.Sprintf("%.2f×", measured/bound)
}

// fmtCount renders a count or a per-agent figure: integers as such, fractions with 2 decimals.
func fmtCount(v float64) string {
	switch {
	case math.IsNaN(v):
		return "—"
	case v == math.Trunc(v) && math.Abs(v) < 1e15:
		return fmt.Sprintf("%d", int64(v))
	case math.Abs(v) >= 100:
		return fmt.Sprintf("%.0f", v)
	}
	return fmt.Sprintf("%.2f", v)
}

// fmtDuration renders a duration with a precision suited to its size.
func fmtDuration(d time.Duration) string {
	switch {
	case d < 0:
		return "-" + fmtDuration(-d)
	case d < time.Millisecond:
		return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond))
	case d < time.Second:
		return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond))
	case d < 100*time.Second:
		return fmt.Sprintf("%.2f s", d.Seconds())
	}
	return fmt.Sprintf("%.0f s", d.Seconds())
}

// fmtMiB renders bytes in MiB.
func fmtMiB(b uint64) string {
	if b == 0 {
		return "—"
	}
	return fmt.Sprintf("%.0f MiB", float64(b)/(1<<20))
}

// percentile returns the nearest-rank p-th percentile (0 < p ≤ 100) of ds, 0 when empty.
func percentile(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	rank := int(math.Ceil(p / 100 * float64(len(s))))
	rank = min(max(rank, 1), len(s))
	return s[rank-1]
}

// table is a markdown table.
type table struct {
	header []string
	rows   [][]string
}

func (t *table) add(cells ...string) { t.rows = append(t.rows, cells) }

// escapeCell keeps a cell on one line and its pipes literal.
func escapeCell(s string) string {
	s = strings.ReplaceAll(s, "\n", " ")
	return strings.ReplaceAll(s, "|", `\|`)
}

// String renders the table; short rows are padded with empty cells.
func (t *table) String() string {
	var b strings.Builder
	line := func(cells []string) {
		b.WriteString("|")
		for i := range t.header {
			c := ""
			if i < len(cells) {
				c = escapeCell(cells[i])
			}
			b.WriteString(" " + c + " |")
		}
		b.WriteString("\n")
	}
	line(t.header)
	b.WriteString("|")
	for range t.header {
		b.WriteString(" --- |")
	}
	b.WriteString("\n")
	for _, r := range t.rows {
		line(r)
	}
	return b.String()
}

// Markers of a generated section of a document (see -doc and -doc-section).
func sectionMarkers(name string) (string, string) {
	return fmt.Sprintf("<!-- BEGIN GENERATED BENCH RESULTS (%s): written by hack/bench -doc, do not edit -->", name),
		fmt.Sprintf("<!-- END GENERATED BENCH RESULTS (%s) -->", name)
}

// replaceSection replaces what lies between the markers of section name in doc with generated.
func replaceSection(doc, name, generated string) (string, error) {
	begin, end := sectionMarkers(name)
	i := strings.Index(doc, begin)
	j := strings.Index(doc, end)
	if i < 0 || j < 0 || j < i {
		return "", fmt.Errorf("the document has no generated section %q (markers %q ... %q)", name, begin, end)
	}
	return doc[:i+len(begin)] + "\n\n" + strings.TrimSpace(generated) + "\n\n" + doc[j:], nil
}
