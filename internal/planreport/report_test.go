package planreport

import (
	"bytes"
	"encoding/json"
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
		Agents   []controller.AgentPlan
	}
	if err := json.Unmarshal(js.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if got.ExitCode != ExitError || got.Summary.Update != 1 || got.Summary.Blocked != 1 || got.Agents[1].Reason != "KeyConflict" {
		t.Errorf("json: %+v", got)
	}
	if err := Write(&js, "yaml", nil); err == nil {
		t.Error("an unknown format was accepted")
	}
}

func TestMarkdownStaysWithinTheSizeOfAComment(t *testing.T) {
	big := strings.Repeat("a long line of a prompt\n", 1500) // about 36 kB a diff
	var ps []controller.AgentPlan
	for _, name := range []string{"one", "two", "three"} {
		ps = append(ps, controller.AgentPlan{Namespace: "ns", Name: name, Key: name, Verdict: controller.VerdictUpdate, Changed: []string{"instructions"},
			Texts: []controller.TextChange{{Field: "instructions", Before: big, After: "short\n"}}})
	}
	var b bytes.Buffer
	if err := Write(&b, "markdown", ps); err != nil {
		t.Fatal(err)
	}
	if b.Len() > 65536 {
		t.Errorf("%d characters: GitHub refuses a comment above 65536", b.Len())
	}
	if !strings.Contains(b.String(), "2 prompt diffs left out") || !strings.Contains(b.String(), "<code>ns/one</code>") {
		t.Errorf("the first diff is shown and the two others counted:\n%s", b.String()[:200])
	}
	if !strings.Contains(b.String(), "| ~ | `ns/three` | `three` | update | instructions |") {
		t.Error("every Agent keeps its row")
	}
}
