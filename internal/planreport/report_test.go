package planreport

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/orq-ai/orq-operator/internal/controller"
)

func plans(verdicts ...controller.Verdict) []controller.AgentPlan {
	var out []controller.AgentPlan
	for i, v := range verdicts {
		out = append(out, controller.AgentPlan{Namespace: "ns", Name: string(rune('a' + i)), Key: string(rune('a' + i)), Verdict: v})
	}
	return out
}

func TestExitCodes(t *testing.T) {
	for _, c := range []struct {
		verdicts []controller.Verdict
		want     int
	}{
		{nil, ExitNoChanges},
		{[]controller.Verdict{controller.VerdictNoChange, controller.VerdictSkipped}, ExitNoChanges},
		{[]controller.Verdict{controller.VerdictNoChange, controller.VerdictCreate}, ExitChanges},
		{[]controller.Verdict{controller.VerdictUpdate}, ExitChanges},
		{[]controller.Verdict{controller.VerdictCreate, controller.VerdictBlocked}, ExitError},
	} {
		if got := ExitCode(plans(c.verdicts...)); got != c.want {
			t.Errorf("%v: exit code %d, want %d", c.verdicts, got, c.want)
		}
	}
}

func TestLineDiff(t *testing.T) {
	got := lineDiff("a\nb\nc", "a\nB\nc\n")
	want := "--- orq\n+++ spec\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n"
	if got != want {
		t.Errorf("got\n%q\nwant\n%q", got, want)
	}
	if lineDiff("same\n", "same") != "" {
		t.Error("a final newline alone is no difference of lines")
	}
}

func blocked() []controller.AgentPlan {
	return []controller.AgentPlan{
		{Namespace: "ns", Name: "up", Key: "up", Verdict: controller.VerdictUpdate, Changed: []string{"instructions", "model"},
			Texts: []controller.TextChange{{Field: "instructions", Before: "old\n```\n", After: "new\n"}}},
		{Namespace: "ns", Name: "x", Key: "x", Verdict: controller.VerdictBlocked, Reason: "KeyConflict", Message: "held by a|b\nolder"},
	}
}

func TestMarkdownKeepsEachAgentOnOneRow(t *testing.T) {
	var b bytes.Buffer
	if err := Write(&b, "markdown", blocked()); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		"**0 to create, 1 to update, 0 unchanged, 1 blocked**",
		"| ~ | `ns/up` | `up` | update | instructions, model |",
		"| ! | `ns/x` | `x` | blocked | KeyConflict: held by a\\|b older |",
		"<details><summary><code>ns/up</code>: instructions</summary>",
		"-old\n-` ` `\n+new\n```",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in:\n%s", want, out)
		}
	}
}

func TestTextAndJSON(t *testing.T) {
	var text, js bytes.Buffer
	if err := Write(&text, "text", blocked()); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text.String(), "! blocked ns/x (key x): KeyConflict: held by a|b\nolder") ||
		!strings.Contains(text.String(), "    instructions:\n      --- orq\n") {
		t.Errorf("text:\n%s", text.String())
	}
	if err := Write(&js, "json", blocked()); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Summary  Summary
		ExitCode int
		Objects  []controller.AgentPlan
	}
	if err := json.Unmarshal(js.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if got.ExitCode != ExitError || got.Summary.Update != 1 || got.Summary.Blocked != 1 || got.Objects[1].Reason != "KeyConflict" {
		t.Errorf("json: %+v", got)
	}
	if err := Write(&js, "yaml", nil); err == nil {
		t.Error("an unknown format was accepted")
	}
}

// githubLimit is the largest comment GitHub accepts, in characters; bytes count at least as many.
const githubLimit = 65536

// leftOut reads the closing note of a comment: how many Agents and prompt diffs it says it left
// out (-1 when it does not end with the note).
func leftOut(t *testing.T, comment string) (agents, diffs int) {
	t.Helper()
	m := regexp.MustCompile(`\nand (\d+ more Agents?)?( and )?(\d+ more prompt diffs?)?, left out to keep this comment within GitHub's limit: run ` + "`manager plan`" + ` to see the whole plan\.\n$`).FindStringSubmatch(comment)
	if m == nil {
		return -1, -1
	}
	count := func(s string) int {
		n, _ := strconv.Atoi(strings.Fields(s + " 0")[0])
		return n
	}
	return count(m[1]), count(m[3])
}

func TestMarkdownOfManyLongBlockedAgentsStaysWithinAComment(t *testing.T) {
	long := strings.Repeat("the operator would stall on this Agent for a reason told at length; ", 30) // about 2 kB
	var ps []controller.AgentPlan
	for i := range 60 {
		name := fmt.Sprintf("agent-%02d", i)
		ps = append(ps, controller.AgentPlan{Namespace: "ns", Name: name, Key: name, Verdict: controller.VerdictBlocked,
			Reason: "AdoptionRequired", Message: long, Note: long})
	}
	var b bytes.Buffer
	if err := Write(&b, "markdown", ps); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if b.Len() >= githubLimit {
		t.Errorf("%d characters: GitHub refuses a comment of %d or more", b.Len(), githubLimit)
	}
	shown := strings.Count(out, "\n| ! | `ns/agent-")
	agents, _ := leftOut(t, out)
	if agents <= 0 || shown+agents != len(ps) {
		t.Errorf("%d rows shown, %d said left out, of %d Agents; ends with:\n%s", shown, agents, len(ps), out[max(0, len(out)-300):])
	}
	if !strings.Contains(out, "**0 to create, 0 to update, 0 unchanged, 60 blocked**") {
		t.Error("the summary counts every Agent, shown or not")
	}
}

func TestMarkdownOfOneHugeMessageKeepsItsRow(t *testing.T) {
	ps := []controller.AgentPlan{{Namespace: "ns", Name: "x", Key: "x", Verdict: controller.VerdictBlocked,
		Reason: "APIRejected", Message: strings.Repeat("y", 200000)}}
	var b bytes.Buffer
	if err := Write(&b, "markdown", ps); err != nil {
		t.Fatal(err)
	}
	if b.Len() >= githubLimit || !strings.Contains(b.String(), "| ! | `ns/x` | `x` | blocked | APIRejected: yyy") {
		t.Errorf("%d characters; the row is cut, not dropped:\n%.300s", b.Len(), b.String())
	}
}

func TestMarkdownStaysWithinTheSizeOfAComment(t *testing.T) {
	big := strings.Repeat("a long line of a prompt\n", 1500) // about 36 kB a diff
	var ps []controller.AgentPlan
	for _, name := range []string{"one", "two", "three"} {
		ps = append(ps, controller.AgentPlan{Namespace: "ns", Name: name, Key: name, Verdict: controller.VerdictUpdate, Changed: []string{"instructions"},
			Texts: []controller.TextChange{{Field: "instructions", Before: big, After: "short\n"}, {Field: "system_prompt", Before: big + big + big, After: "x"}}})
	}
	var b bytes.Buffer
	if err := Write(&b, "markdown", ps); err != nil {
		t.Fatal(err)
	}
	if b.Len() >= githubLimit {
		t.Errorf("%d characters: GitHub refuses a comment of %d or more", b.Len(), githubLimit)
	}
	if agents, diffs := leftOut(t, b.String()); agents != 0 || diffs != 5 || !strings.Contains(b.String(), "<code>ns/one</code>: instructions") {
		t.Errorf("the first diff is shown and the 5 others counted (said: %d Agents, %d diffs):\n%s", agents, diffs, b.String()[b.Len()-300:])
	}
	if !strings.Contains(b.String(), "| ~ | `ns/three` | `three` | update | instructions |") {
		t.Error("every Agent keeps its row")
	}
}

func TestEveryFormatSaysOwnershipWasNotChecked(t *testing.T) {
	const note = "ownership not checked: no cluster state; use --live"
	ps := []controller.AgentPlan{{Namespace: "ns", Name: "m", Key: "m", Verdict: controller.VerdictNoChange, Unverified: note}}
	for format, want := range map[string]string{
		"text":     "= no change ns/m (key m)\n    note: " + note + "\n",
		"markdown": "| = | `ns/m` | `m` | no change | " + note + " |",
		"json":     `"unverified": "` + note + `"`,
	} {
		var b bytes.Buffer
		if err := Write(&b, format, ps); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(b.String(), want) || (format != "json" && !strings.Contains(b.String(), "ownership of 1 not checked")) {
			t.Errorf("%s: no %q, or no count in the summary:\n%s", format, want, b.String())
		}
	}
	if ExitCode(ps) != ExitNoChanges {
		t.Error("an unverified plan exits as its changes do")
	}
}
