package planreport

import (
	"fmt"
	"io"
	"strings"

	"github.com/orq-ai/orq-operator/internal/controller"
)

// symbols mark each verdict, as terraform marks its actions.
var symbols = map[controller.Verdict]string{
	controller.VerdictCreate: "+", controller.VerdictUpdate: "~", controller.VerdictNoChange: "=",
	controller.VerdictBlocked: "!", controller.VerdictSkipped: "-",
}

func writeText(w io.Writer, plans []controller.AgentPlan) error {
	var b strings.Builder
	fmt.Fprintf(&b, "Plan: %s.\n", Summarize(plans))
	for _, p := range plans {
		fmt.Fprintf(&b, "\n%s %s %s", symbols[p.Verdict], p.Verdict, nameOf(p))
		if p.Key != "" {
			fmt.Fprintf(&b, " (key %s)", p.Key)
		}
		if details := detailsOf(p); details != "" {
			fmt.Fprintf(&b, ": %s", details)
		}
		b.WriteString("\n")
		for _, note := range []string{p.Note, p.Unverified} {
			if note != "" {
				fmt.Fprintf(&b, "    note: %s\n", note)
			}
		}
		for _, t := range p.Texts {
			fmt.Fprintf(&b, "    %s:\n%s", t.Field, indent(lineDiff(t.Before, t.After), "      "))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// nameOf names the object of a plan: its kind, then namespace/name.
func nameOf(p controller.AgentPlan) string {
	if p.Kind != "" {
		return p.Kind + " " + p.Namespace + "/" + p.Name
	}
	return p.Namespace + "/" + p.Name
}

// detailsOf is the one-line detail of a verdict: the fields an update patches, why one is blocked.
func detailsOf(p controller.AgentPlan) string {
	switch p.Verdict {
	case controller.VerdictUpdate:
		return strings.Join(p.Changed, ", ")
	case controller.VerdictBlocked:
		return p.Reason + ": " + p.Message
	}
	return ""
}

func indent(s, prefix string) string {
	lines := strings.SplitAfter(s, "\n")
	var b strings.Builder
	for _, l := range lines {
		if l != "" {
			b.WriteString(prefix + l)
		}
	}
	return b.String()
}
