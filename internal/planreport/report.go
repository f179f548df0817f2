// Package planreport prints the plan of `manager plan` as text, markdown (a pull-request
// comment) or JSON (a bot), and gives its exit code.
package planreport

import (
	"fmt"
	"io"

	"github.com/orq-ai/orq-operator/internal/controller"
)

// Exit codes, as `terraform plan -detailed-exitcode`: a blocked Agent is an error of the merge,
// not a change, since the operator would not converge: a check must fail on it.
const (
	ExitNoChanges = 0
	ExitError     = 1
	ExitChanges   = 2
)

// Formats are the --output values.
var Formats = []string{"text", "markdown", "json"}

// Summary counts the verdicts of a plan.
type Summary struct {
	Create   int `json:"create"`
	Update   int `json:"update"`
	NoChange int `json:"noChange"`
	Blocked  int `json:"blocked"`
	Skipped  int `json:"skipped"`
	// Unverified counts the Agents planned as the holders of their agents without proof: the
	// plan had no cluster state (see controller.PlanOptions.Live).
	Unverified int `json:"unverified"`
}

// Summarize counts the verdicts.
func Summarize(plans []controller.AgentPlan) Summary {
	var s Summary
	for _, p := range plans {
		if p.Unverified != "" {
			s.Unverified++
		}
		switch p.Verdict {
		case controller.VerdictCreate:
			s.Create++
		case controller.VerdictUpdate:
			s.Update++
		case controller.VerdictNoChange:
			s.NoChange++
		case controller.VerdictBlocked:
			s.Blocked++
		case controller.VerdictSkipped:
			s.Skipped++
		}
	}
	return s
}

func (s Summary) String() string {
	out := fmt.Sprintf("%d to create, %d to update, %d unchanged", s.Create, s.Update, s.NoChange)
	if s.Blocked > 0 {
		out += fmt.Sprintf(", %d blocked", s.Blocked)
	}
	if s.Skipped > 0 {
		out += fmt.Sprintf(", %d skipped", s.Skipped)
	}
	if s.Unverified > 0 {
		out += fmt.Sprintf("; ownership of %d not checked (no cluster state: use --live)", s.Unverified)
	}
	return out
}

// ExitCode is the exit code of a plan that was made.
func ExitCode(plans []controller.AgentPlan) int {
	s := Summarize(plans)
	switch {
	case s.Blocked > 0:
		return ExitError
	case s.Create+s.Update > 0:
		return ExitChanges
	}
	return ExitNoChanges
}

// Write prints the plan in format (one of Formats).
func Write(w io.Writer, format string, plans []controller.AgentPlan) error {
	switch format {
	case "text":
		return writeText(w, plans)
	case "markdown":
		return writeMarkdown(w, plans)
	case "json":
		return writeJSON(w, plans)
	}
	return fmt.Errorf("unknown output %q: one of text, markdown, json", format)
}
