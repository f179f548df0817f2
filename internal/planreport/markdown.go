package planreport

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/orq-ai/orq-operator/internal/controller"
)

// Sizes of a comment. GitHub refuses a comment above 65536 characters, and then the pull
// request gets no plan at all: every part of a comment is counted against maxComment (in bytes,
// never fewer than characters), the closing note within it.
const (
	maxComment = 60000
	// noteRoom is kept for the closing note that counts what was left out.
	noteRoom = 300
	// maxCell bounds the details of one Agent in the table: one long message must not crowd out
	// the other rows.
	maxCell = 1000
)

// writeMarkdown prints the plan as a pull-request comment: a summary, a table (blocked Agents
// first, then changes, then the rest), and each prompt diff folded in a <details>. What does not
// fit in a comment is left out and counted at its end.
func writeMarkdown(w io.Writer, plans []controller.AgentPlan) error {
	c := &comment{room: maxComment - noteRoom}
	c.add(fmt.Sprintf("### orq-operator plan\n\n**%s**\n", Summarize(plans)))
	rows := byImportance(plans)
	if len(rows) > 0 {
		c.add("\n| | Object | Key | Verdict | Details |\n|---|---|---|---|---|\n")
	}
	shown := len(rows)
	for i, p := range rows {
		if !c.add(row(p)) {
			shown = i // the rows are of similar size: the next ones would not fit either
			break
		}
	}
	diffsLeft := 0
	for i, p := range rows {
		for _, t := range p.Texts {
			if i >= shown || !c.add(diffOf(p, t)) {
				diffsLeft++
			}
		}
	}
	c.b.WriteString(leftOutNote(len(rows)-shown, diffsLeft))
	_, err := io.WriteString(w, c.b.String())
	return err
}

// comment is a comment being written, with the room left in it.
type comment struct {
	b    strings.Builder
	room int
}

// add writes part if it fits in the room left, and tells whether it did.
func (c *comment) add(part string) bool {
	if len(part) > c.room {
		return false
	}
	c.b.WriteString(part)
	c.room -= len(part)
	return true
}

// rank orders the rows of the table: what a reviewer must see first.
var rank = map[controller.Verdict]int{
	controller.VerdictBlocked: 0, controller.VerdictCreate: 1, controller.VerdictUpdate: 1,
	controller.VerdictNoChange: 2, controller.VerdictSkipped: 2,
}

func byImportance(plans []controller.AgentPlan) []controller.AgentPlan {
	out := slices.Clone(plans)
	slices.SortStableFunc(out, func(a, b controller.AgentPlan) int { return cmp.Compare(rank[a.Verdict], rank[b.Verdict]) })
	return out
}

func row(p controller.AgentPlan) string {
	details := detailsOf(p)
	for _, note := range []string{p.Note, p.Unverified} {
		if note != "" {
			details = strings.TrimPrefix(details+"; "+note, "; ")
		}
	}
	key := ""
	if p.Key != "" {
		key = "`" + p.Key + "`"
	}
	return fmt.Sprintf("| %s | `%s` | %s | %s | %s |\n", symbols[p.Verdict], nameOf(p), key, p.Verdict, cell(details))
}

func diffOf(p controller.AgentPlan, t controller.TextChange) string {
	return fmt.Sprintf("\n<details><summary><code>%s/%s</code>: %s</summary>\n\n```diff\n%s```\n\n</details>\n",
		p.Namespace, p.Name, t.Field, fence(lineDiff(t.Before, t.After)))
}

// leftOutNote ends a comment that could not hold the whole plan: it says how much is missing.
func leftOutNote(agents, diffs int) string {
	var parts []string
	if agents > 0 {
		parts = append(parts, plural(agents, "more Agent"))
	}
	if diffs > 0 {
		parts = append(parts, plural(diffs, "more prompt diff"))
	}
	if len(parts) == 0 {
		return ""
	}
	return "\nand " + strings.Join(parts, " and ") +
		", left out to keep this comment within GitHub's limit: run `manager plan` to see the whole plan.\n"
}

func plural(n int, thing string) string {
	if n == 1 {
		return "1 " + thing
	}
	return fmt.Sprintf("%d %ss", n, thing)
}

// cell keeps a text within one table cell: no line breaks, no column separators, at most
// maxCell bytes.
func cell(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > maxCell {
		cut := maxCell - len("…")
		for !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	return strings.ReplaceAll(s, "|", `\|`)
}

// fence keeps a prompt from closing the code block it is shown in.
func fence(s string) string { return strings.ReplaceAll(s, "```", "` ` `") }
