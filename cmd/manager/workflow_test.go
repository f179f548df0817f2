package main

import (
	"encoding/json"
	"flag"
	"io"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/orq-ai/orq-operator/internal/cli"
)

const planWorkflow = "../../examples/github-actions/plan.yaml"

// workflow is what the test reads of a GitHub Actions workflow; decoded strictly, so that a
// misspelled key fails.
type workflow struct {
	Name        string            `json:"name"`
	On          map[string]any    `json:"on"`
	Permissions map[string]string `json:"permissions"`
	Env         map[string]string `json:"env"`
	Jobs        map[string]struct {
		RunsOn string `json:"runs-on"`
		Steps  []struct {
			Name string            `json:"name"`
			ID   string            `json:"id"`
			With map[string]any    `json:"with"`
			Uses string            `json:"uses"`
			Run  string            `json:"run"`
			Env  map[string]string `json:"env"`
			If   string            `json:"if"`
		} `json:"steps"`
	} `json:"jobs"`
}

// The example workflow pipes a kustomize build into manager plan with flags that exist, posts the
// markdown as a comment, and fails on exit status 1 only.
func TestPlanWorkflowExample(t *testing.T) {
	raw, err := os.ReadFile(planWorkflow)
	if err != nil {
		t.Fatal(err)
	}
	wf := readWorkflow(t, raw)
	if _, ok := wf.On["pull_request"]; !ok || wf.Permissions["pull-requests"] != "write" {
		t.Errorf("the workflow must run on pull requests and may comment on them: on %v, permissions %v", wf.On, wf.Permissions)
	}
	var planned, commented, failsOnOne bool
	for _, step := range wf.Jobs["plan"].Steps {
		if line := planLine(step.Run); line != "" {
			planned = true
			checkPlanArgs(t, line)
			if !regexp.MustCompile(`(kustomize build|kubectl kustomize) .*\| *manager plan`).MatchString(line) {
				t.Errorf("the plan does not read a kustomize build: %q", line)
			}
			if step.Env["ORQ_API_KEY"] != "${{ secrets.ORQ_API_KEY }}" {
				t.Errorf("the plan step takes ORQ_API_KEY from %q, not the repository secret", step.Env["ORQ_API_KEY"])
			}
		}
		commented = commented || strings.Contains(step.Run, "gh pr comment") && strings.Contains(step.Run, "plan.md")
		failsOnOne = failsOnOne || strings.Contains(step.If, "!= '0'") && strings.Contains(step.If, "!= '2'") && strings.Contains(step.Run, "exit 1")
	}
	if !planned || !commented || !failsOnOne {
		t.Errorf("plan step %v, comment step %v, failing step on exit status 1 %v", planned, commented, failsOnOne)
	}
}

// planLine returns the line of a script that runs manager plan.
func planLine(script string) string {
	for _, l := range strings.Split(script, "\n") {
		if strings.Contains(l, "manager plan") {
			return strings.TrimSpace(l)
		}
	}
	return ""
}

// checkPlanArgs parses the arguments of manager plan in line with the flags of manager plan.
func checkPlanArgs(t *testing.T, line string) {
	t.Helper()
	args := strings.Fields(line[strings.Index(line, "manager plan")+len("manager plan"):])
	if i := slices.IndexFunc(args, func(a string) bool { return a == ">" || a == "2>" || a == "|" }); i >= 0 {
		args = args[:i]
	}
	var pf cli.PlanOptions
	fs := flag.NewFlagSet("plan", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	(&options{}).bind(fs)
	pf.Bind(fs)
	if err := fs.Parse(args); err != nil {
		t.Fatalf("manager plan %v: %v", args, err)
	}
	if pf.File != "-" || pf.Output != "markdown" {
		t.Errorf("manager plan %v: -f %q --output %q, want -f - --output markdown", args, pf.File, pf.Output)
	}
}

// readWorkflow decodes a workflow. YAML 1.1 reads the key on as true; GitHub reads it as "on".
func readWorkflow(t *testing.T, raw []byte) workflow {
	t.Helper()
	var doc map[string]any
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("%s: %v", planWorkflow, err)
	}
	if v, ok := doc["true"]; ok {
		doc["on"] = v
		delete(doc, "true")
	}
	js, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	var wf workflow
	if err := yaml.UnmarshalStrict(js, &wf); err != nil {
		t.Fatalf("%s: %v", planWorkflow, err)
	}
	return wf
}
