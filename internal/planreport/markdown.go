package planreport

import (
	"fmt"
	"io"
	"strings"

	"github.com/orq-ai/orq-operator/internal/controller"
)

// writeMarkdown prints the plan as a pull-request comment: a summary, a table, and each prompt
// diff folded in a <details>.
func writeMarkdown(w io.Writer, plans []controller.AgentPlan) error {
	var b strings.Builder
	fmt.Fprintf(&b, "### orq-operator plan\n\n**%s**\n", Summarize(plans))
	if len(plans) > 0 {
		b.WriteString("\n| | Agent | Key | Verdict | Details |\n|---|---|---|---|---|\n")
	}
	for _, p := range plans {
		details := detailsOf(p)
		if p.Note != "" {
			details = strings.TrimPrefix(details+"; "+p.Note, "; ")
		}
		fmt.Fprintf(&b, "| %s | `%s/%s` | `%s` | %s | %s |\n", symbols[p.Verdict], p.Namespace, p.Name, p.Key, p.Verdict, cell(details))
	}
	left := 0
	for _, p := range plans {
		for _, t := range p.Texts {
			d := fmt.Sprintf("\n<details><summary><code>%s/%s</code>: %s</summary>\n\n```diff\n%s```\n\n</details>\n",
				p.Namespace, p.Name, t.Field, fence(lineDiff(t.Before, t.After)))
			if b.Len()+len(d) > maxComment {
				left++
				continue
			}
			b.WriteString(d)
		}
	}
	if left > 0 {
		fmt.Fprintf(&b, "\n%d prompt diffs left out, to keep within the size of a comment: run `manager plan` to see them.\n", left)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// maxComment keeps a comment within GitHub's limit (65536 characters), with room for the note.
const maxComment = 60000

// cell keeps a text within one table cell: no line breaks, no column separators.
func cell(s string) string {
	s = strings.ReplaceAll(s, "|", `\|`)
	return strings.Join(strings.Fields(s), " ")
}

// fence keeps a prompt from closing the code block it is shown in.
func fence(s string) string { return strings.ReplaceAll(s, "```", "` ` `") }
