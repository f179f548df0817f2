package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/orq-ai/orq-operator/internal/controller"
	"github.com/orq-ai/orq-operator/internal/manifest"
)

// planJSON runs manager plan with --output json and decodes the plans.
func planJSON(t *testing.T, args []string, stdin string) (int, []controller.AgentPlan) {
	t.Helper()
	var out, errb bytes.Buffer
	code := runPlan(append(args, "--output", "json"), strings.NewReader(stdin), &out, &errb)
	var got struct{ Objects []controller.AgentPlan }
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatalf("%v\n%s%s", err, out.String(), errb.String())
	}
	return code, got.Objects
}

// `manager plan -f config/samples/` on an empty workspace plans every sample object for creation,
// in the order the operator creates them: what an object names before it. Nothing is blocked:
// the Tool, KnowledgeBase and MemoryStore the Agents name are in the samples too.
func TestPlanOfTheSamplesBlocksNothing(t *testing.T) {
	mem := planWorkspace(t)
	m, err := manifest.Read(samplesDir, nil, "default")
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, o := range m.Objects {
		if o.GetObjectKind().GroupVersionKind().Group == "orq.ai" {
			want = append(want, o.GetObjectKind().GroupVersionKind().Kind+" "+o.GetName())
		}
	}
	code, plans := planJSON(t, []string{"-f", samplesDir}, "")
	onlyReads(t, mem)
	if code != 2 {
		t.Errorf("exit status %d, want 2 (changes, none blocked)", code)
	}
	position := map[string]int{}
	for i, p := range plans {
		position[p.Kind+" "+p.Name] = i
		if p.Verdict != controller.VerdictCreate {
			t.Errorf("%s %s: %s (%s: %s), want create", p.Kind, p.Name, p.Verdict, p.Reason, p.Message)
		}
	}
	if len(plans) != len(want) || len(want) < 5 {
		t.Errorf("planned %d objects, want every sample object: %v", len(plans), want)
	}
	for _, w := range want {
		if _, ok := position[w]; !ok {
			t.Errorf("%s is not planned", w)
		}
	}
	for _, before := range [][2]string{{"Tool orders-api", "Agent order-lookup"}, {"Agent order-lookup", "Agent customer-support"},
		{"KnowledgeBase support-policies", "Agent customer-support"}, {"MemoryStore support.memory", "Agent customer-support"}} {
		if position[before[0]] > position[before[1]] {
			t.Errorf("%s is planned after %s, which names it", before[0], before[1])
		}
	}
	var out, errb bytes.Buffer
	if runPlan([]string{"-f", samplesDir}, nil, &out, &errb); strings.Contains(out.String(), "blocked") || strings.Contains(out.String(), "replace-me") {
		t.Errorf("a blocked line, or the sample Secret's value, in:\n%s", out.String())
	}
}

// graphManifests are an Agent, the Tool it names, its schedule and the Secret of the schedule's
// variable and the Tool's header, in an order that names each before it exists.
const graphManifests = `apiVersion: orq.ai/v1alpha1
kind: AgentSchedule
metadata: {name: nightly}
spec:
  agentRef: {name: fresh}
  expression: "0 0 9 * * *"
  payload:
    input: Summarise the day.
    variablesFrom: [{name: token, secretKeyRef: {name: creds, key: token}}]
---
apiVersion: orq.ai/v1alpha1
kind: Agent
metadata: {name: fresh}
spec:
  role: R
  description: D
  instructions: Hi.
  path: Default/plan
  model: {id: openai/gpt-4o}
  settings: {tools: [{type: http, toolRef: {name: orders}}]}
---
apiVersion: orq.ai/v1alpha1
kind: Tool
metadata: {name: orders}
spec:
  path: Default/plan
  description: Orders
  type: http
  http: {blueprint: {url: "https://orders.example/o", method: GET, headers: {Authorization: {valueFrom: {secretKeyRef: {name: creds, key: auth}}}}}}
---
apiVersion: v1
kind: Secret
metadata: {name: creds}
stringData: {token: tok-S3CRET-1, auth: Bearer tok-S3CRET-2}
`

// A graph in one file plans in dependency order, every object created, and no output format
// shows a value of its Secret.
func TestPlanOfAGraphInOneFile(t *testing.T) {
	mem := planWorkspace(t)
	code, plans := planJSON(t, []string{"-f", "-"}, graphManifests)
	onlyReads(t, mem)
	var order []string
	for _, p := range plans {
		order = append(order, p.Kind+"/"+p.Name+"="+string(p.Verdict))
	}
	if code != 2 || strings.Join(order, " ") != "Tool/orders=create Agent/fresh=create AgentSchedule/nightly=create" {
		t.Errorf("exit status %d, plans %v; want the Tool, the Agent, then the schedule, all created", code, order)
	}
	for _, format := range []string{"text", "markdown", "json"} {
		_, out, stderr := plan(t, []string{graphManifests}, "--output", format)
		if strings.Contains(out+stderr, "S3CRET") {
			t.Errorf("%s: a Secret's value is shown:\n%s%s", format, out, stderr)
		}
	}
	// Without the Secret, the plan takes its values as placeholders: the same verdicts.
	withoutSecret := graphManifests[:strings.Index(graphManifests, "---\napiVersion: v1\nkind: Secret")]
	if _, plans := planJSON(t, []string{"-f", "-"}, withoutSecret); len(plans) != 3 || plans[2].Verdict != controller.VerdictCreate {
		t.Errorf("without the Secret: %+v", plans)
	}
}
