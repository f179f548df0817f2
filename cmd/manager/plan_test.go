package main

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"regexp"
	"strings"
	"testing"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
	"github.com/orq-ai/orq-operator/internal/controller"
	"github.com/orq-ai/orq-operator/internal/orqmem"
	"github.com/orq-ai/orq-operator/internal/testenv"
)

// plan runs manager plan on manifests piped in, and returns its exit status and outputs.
func plan(t *testing.T, manifests []string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	in := strings.NewReader(strings.Join(manifests, "---\n"))
	code := runPlan(append([]string{"-f", "-"}, args...), in, &out, &errb)
	return code, out.String(), errb.String()
}

func TestPlanVerdictsAgainstTheInMemoryAPI(t *testing.T) {
	unchanged := agentYAML("unchanged", "Be brief.", true)
	mem := planWorkspace(t,
		unchanged,
		agentYAML("changed", "Greet the user.\nAnswer in English.\nBe brief.", true),
		agentYAML("foreign", "Someone else's.", false),
	)
	manifests := []string{
		agentYAML("new-agent", "Hello.", false),
		agentYAML("changed", "Greet the user.\nAnswer in French.\nBe brief.", true),
		unchanged,
		agentYAML("foreign", "Mine now.", false),
		agentYAML("twin", "Me too.", false) + "  key: new-agent\n",
	}
	code, out, stderr := plan(t, manifests, "--output", "json")
	onlyReads(t, mem)
	if code != 1 {
		t.Errorf("exit status %d with an Agent blocked, want 1; stderr: %s", code, stderr)
	}
	var got struct {
		Objects []controller.AgentPlan
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	verdicts := map[string]controller.AgentPlan{}
	for _, a := range got.Objects {
		verdicts[a.Name] = a
	}
	want := map[string]controller.Verdict{"new-agent": controller.VerdictCreate, "changed": controller.VerdictUpdate,
		"unchanged": controller.VerdictNoChange, "foreign": controller.VerdictUpdate, "twin": controller.VerdictBlocked}
	for name, v := range want {
		if verdicts[name].Verdict != v {
			t.Errorf("%s: verdict %q (%s: %s), want %q", name, verdicts[name].Verdict, verdicts[name].Reason, verdicts[name].Message, v)
		}
	}
	if c := verdicts["changed"].Changed; len(c) != 1 || c[0] != "instructions" {
		t.Errorf("changed fields %v, want [instructions]", c)
	}
	// Without --live, an agent the Agent may not adopt is planned as its own, unverified: the
	// plan cannot tell whether the operator created it. What the plan sees stays blocked.
	if p := verdicts["foreign"]; p.Unverified != unverified || verdicts["changed"].Unverified != "" {
		t.Errorf("foreign: %+v, want ownership not checked (and not for changed, which adopts)", p)
	}
	if r := verdicts["twin"].Reason; r != orqv1alpha1.ReasonKeyConflict {
		t.Errorf("twin: reason %q, want KeyConflict", r)
	}
	if _, ok := mem.Agent("new-agent"); ok {
		t.Error("the plan created the agent")
	}
}

func TestPlanShowsALineDiffOfThePrompt(t *testing.T) {
	planWorkspace(t, agentYAML("changed", "Greet the user.\nAnswer in English.\nBe brief.", true))
	code, out, _ := plan(t, []string{agentYAML("changed", "Greet the user.\nAnswer in French.\nBe brief.", true)})
	if code != 2 {
		t.Errorf("exit status %d for an update, want 2", code)
	}
	for _, line := range []string{"~ update Agent default/changed (key changed): instructions", "-Answer in English.", "+Answer in French.", " Be brief."} {
		if !strings.Contains(out, line) {
			t.Errorf("no %q in:\n%s", line, out)
		}
	}
}

func TestPlanExitsZeroWhenNothingChanges(t *testing.T) {
	m := agentYAML("same", "Be brief.", true)
	mem := planWorkspace(t, m)
	code, out, stderr := plan(t, []string{m, "apiVersion: v1\nkind: Service\nmetadata:\n  name: ignored\n"})
	onlyReads(t, mem)
	if code != 0 || !strings.Contains(out, "= no change Agent default/same") {
		t.Errorf("exit status %d, want 0:\n%s%s", code, out, stderr)
	}
}

func TestPlanOfANewAgentExitsTwo(t *testing.T) {
	mem := planWorkspace(t)
	code, out, _ := plan(t, []string{agentYAML("fresh", "Hi.", false)}, "--output", "markdown")
	onlyReads(t, mem)
	if code != 2 || !strings.Contains(out, "| + | `Agent default/fresh` | `fresh` | create |") {
		t.Errorf("exit status %d, want 2:\n%s", code, out)
	}
}

func TestPlanRefusesBadInvocations(t *testing.T) {
	planWorkspace(t)
	for name, args := range map[string][]string{
		"no -f":          {"--output", "text"},
		"unknown output": {"-f", "-", "--output", "yaml"},
	} {
		var out, errb bytes.Buffer
		if code := runPlan(args, strings.NewReader(""), &out, &errb); code != 1 || errb.Len() == 0 {
			t.Errorf("%s: exit status %d, stderr %q; want 1 and a message", name, code, errb.String())
		}
	}
	t.Setenv(envAPIKey, "")
	if code, _, stderr := plan(t, nil); code != 1 || !strings.Contains(stderr, envAPIKey) {
		t.Errorf("without a key: exit status %d, stderr %q", code, stderr)
	}
}

// helpOf runs a command with -h, as a user would, and returns what it prints (the help goes to
// standard output, an error to standard error).
func helpOf(t *testing.T, run func() int) string {
	t.Helper()
	f, err := os.CreateTemp(t.TempDir(), "help")
	if err != nil {
		t.Fatal(err)
	}
	stdout, stderr := os.Stdout, os.Stderr
	os.Stdout, os.Stderr = f, f
	run()
	os.Stdout, os.Stderr = stdout, stderr
	out, err := os.ReadFile(f.Name())
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

// The flag package names a flag's argument after the first back-quoted word of its usage: -f
// takes a path, not "kustomize build".
func TestPlanHelpNamesTheArgumentOfF(t *testing.T) {
	help := helpOf(t, func() int { return runPlan([]string{"-h"}, strings.NewReader(""), io.Discard, io.Discard) })
	if !regexp.MustCompile(`(?m)^  -f path$`).MatchString(help) {
		t.Errorf("-f is not shown as `-f path`:\n%s", help)
	}
	if strings.Contains(help, "-f kustomize") {
		t.Errorf("the argument of -f is named after a command:\n%s", help)
	}
}

// refusedManifests are Agents kubectl apply refuses: the apiserver checks the CRD's schema and
// its CEL rules; each comes with the field error it answers.
var refusedManifests = map[string]struct{ manifest, reason, message string }{
	"hot": {`apiVersion: orq.ai/v1alpha1
kind: Agent
metadata: {name: hot}
spec: {role: R, description: D, instructions: I, path: Default/plan, model: {id: openai/gpt-4o, parameters: {temperature: 2.5}}}
`, "Invalid", `Agent.orq.ai "hot" is invalid: spec.model.parameters.temperature: Invalid value: 2.5: spec.model.parameters.temperature in body should be less than or equal to 2`},
	"1st-agent": {`apiVersion: orq.ai/v1alpha1
kind: Agent
metadata: {name: 1st-agent}
spec: {role: R, description: D, instructions: I, path: Default/plan, model: {id: openai/gpt-4o}}
`, "Invalid", `metadata.name is not a valid orq agent key`},
	"both": {`apiVersion: orq.ai/v1alpha1
kind: Agent
metadata: {name: both}
spec: {role: R, description: D, instructions: I, instructionsFrom: {configMapKeyRef: {name: p, key: k}}, path: Default/plan, model: {id: openai/gpt-4o}}
`, "Invalid", `spec: Invalid value: set exactly one of instructions and instructionsFrom`},
}

// A manifest the apiserver refuses never reaches the operator: the merge fails in Argo CD or
// Flux, so the plan must fail too, naming the field, and still plan the other manifests.
func TestPlanBlocksWhatTheAPIServerWouldRefuse(t *testing.T) {
	mem := planWorkspace(t)
	manifests := []string{agentYAML("fine", "Hi.", false)}
	for _, r := range refusedManifests {
		manifests = append(manifests, r.manifest)
	}
	code, out, stderr := plan(t, manifests, "--output", "json")
	if code != 1 {
		t.Errorf("exit status %d, want 1: the merge would fail; stderr: %s", code, stderr)
	}
	var got struct{ Objects []controller.AgentPlan }
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	verdicts := map[string]controller.AgentPlan{}
	for _, a := range got.Objects {
		verdicts[a.Name] = a
	}
	if v := verdicts["fine"].Verdict; v != controller.VerdictCreate {
		t.Errorf("fine: %q, want create: a refused manifest does not stop the others", v)
	}
	for name, r := range refusedManifests {
		p := verdicts[name]
		if p.Verdict != controller.VerdictBlocked || p.Reason != r.reason || !strings.Contains(p.Message, r.message) {
			t.Errorf("%s: %+v, want blocked %s with %q", name, p, r.reason, r.message)
		}
	}
	if _, ok := mem.Agent("fine"); ok {
		t.Error("the plan created an agent")
	}
}

// A misspelled field (refused under kubectl's strict field validation) blocks its Agent, not the
// whole plan.
func TestPlanOfAnUnknownFieldBlocksOnlyItsAgent(t *testing.T) {
	planWorkspace(t)
	typo := "apiVersion: orq.ai/v1alpha1\nkind: Agent\nmetadata: {name: typo}\nspec: {instructons: I, role: R, description: D, path: Default/plan, model: {id: openai/gpt-4o}}\n"
	code, out, stderr := plan(t, []string{typo, agentYAML("fine", "Hi.", false)})
	if code != 1 {
		t.Errorf("exit status %d, want 1; stderr: %s", code, stderr)
	}
	for _, want := range []string{`! blocked Agent default/typo: BadRequest: `, `unknown field "spec.instructons"`, "+ create Agent default/fine (key fine)"} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in:\n%s%s", want, out, stderr)
		}
	}
}

// unverified is what a plan says of an agent it plans as the operator's without proof.
const unverified = "ownership not checked: no cluster state; use --live"

// Without --live a plan cannot tell an agent the operator created from anyone else's (orq keeps
// no mark of it): it plans it as the Agent's own, and says so, in every format.
func TestPlanWithoutLiveOfAnUnchangedAgentIsNoChangeUnverified(t *testing.T) {
	m := agentYAML("managed", "Be brief.", false)
	mem := planWorkspace(t, m)
	for _, format := range []string{"text", "markdown", "json"} {
		code, out, stderr := plan(t, []string{m}, "--output", format)
		if code != 0 || !strings.Contains(out, unverified) {
			t.Errorf("%s: exit status %d, want 0 and %q:\n%s%s", format, code, unverified, out, stderr)
		}
	}
	_, out, _ := plan(t, []string{m}, "--output", "json")
	var got struct {
		Objects []controller.AgentPlan
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil || len(got.Objects) != 1 {
		t.Fatalf("%v\n%s", err, out)
	}
	if p := got.Objects[0]; p.Verdict != controller.VerdictNoChange || p.Unverified != unverified {
		t.Errorf("%+v, want no change, unverified", p)
	}
	onlyReads(t, mem)
	// Planning it again as its own reads nothing more: 2 reads a plan, as the first pass makes
	// (the create's check of the key, and the read after its 409).
	if n := len(mem.Requests()); n != 4*2 {
		t.Errorf("%d reads for 4 plans of one agent, want 8", n)
	}
}

func TestPlanWithoutLiveOfAChangedAgentIsAnUnverifiedUpdate(t *testing.T) {
	mem := planWorkspace(t, agentYAML("managed", "Answer in English.", false))
	code, out, stderr := plan(t, []string{agentYAML("managed", "Answer in French.", false)})
	for _, want := range []string{"~ update Agent default/managed (key managed): instructions", "-Answer in English.", "+Answer in French.", unverified} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in:\n%s", want, out)
		}
	}
	if code != 2 {
		t.Errorf("exit status %d, want 2; stderr: %s", code, stderr)
	}
	onlyReads(t, mem)
}

// The plan tests' manifests and workspace: see internal/testenv.
const planKey = testenv.PlanKey

func agentYAML(name, instructions string, adopt bool) string {
	return testenv.AgentManifest(name, instructions, adopt)
}

func planWorkspace(t *testing.T, existing ...string) *orqmem.Server {
	t.Helper()
	return testenv.PlanWorkspace(t, envAPIKey, envBaseURL, existing...)
}

func onlyReads(t *testing.T, mem *orqmem.Server) { t.Helper(); testenv.OnlyReads(t, mem) }
