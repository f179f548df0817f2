package export

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
	schedulekind "github.com/orq-ai/orq-operator/internal/kinds/agentschedule"
	"github.com/orq-ai/orq-operator/internal/orqclient"
)

// remoteSchedule is a schedule of the agent agentKey as orq answers it, its members given as JSON
// (the server's fields added).
func remoteSchedule(t *testing.T, agentKey, id, doc string) orqclient.Remote {
	t.Helper()
	var body orqclient.Body
	if err := json.Unmarshal([]byte(doc), &body); err != nil {
		t.Fatal(err)
	}
	for k, v := range map[string]any{"_id": id, "agent_key": agentKey, "generation": 1.0, "trigger_count": 3.0,
		"created_by_id": "k1", "created": "2026-01-01T00:00:00Z", "updated": "2026-01-01T00:00:00Z", "last_triggered_at": "2026-01-02T09:00:00Z"} {
		body[k] = v
	}
	return *orqclient.DecodeRemote(body)
}

// workspaceWithSchedules is a workspace of agents (by key) and their schedules.
func workspaceWithSchedules(schedules map[string][]orqclient.Remote, agents ...string) fakeLister {
	l := fakeLister{}
	for _, key := range agents {
		l[orqclient.Agents.Path] = append(l[orqclient.Agents.Path], remote(key))
	}
	for key, s := range schedules {
		l[schedulekind.Endpoint.Path+"@"+key] = s
	}
	return l
}

// Each schedule of an exported agent is exported as an AgentSchedule naming that Agent, adopting
// the schedule by its id, its spec what orq echoes.
func TestScheduleSpecs(t *testing.T) {
	cases := []struct {
		name, doc string
		want      orqv1alpha1.AgentScheduleSpec
	}{{
		name: "weekly, pinned, with input, plain variables, metadata and a memory entity",
		doc: `{"type":"cron","expression":"0 0 9 * * 1","display_name":"Weekly report","agent_tag":"v2.1.0","is_active":true,
			"payload":{"input":"Write the report.","variables":{"region":"EMEA","limit":3},"metadata":{"team":"ops"},"memory_entity_id":"user-1"}}`,
		want: orqv1alpha1.AgentScheduleSpec{DisplayName: "Weekly report", Expression: "0 0 9 * * 1", AgentTag: "v2.1.0",
			Payload: orqv1alpha1.SchedulePayload{Input: rawJSON(`"Write the report."`),
				Variables: map[string]apiextensionsv1.JSON{"region": *rawJSON(`"EMEA"`), "limit": *rawJSON(`3`)},
				Metadata:  map[string]string{"team": "ops"}, MemoryEntityID: "user-1"}},
	}, {
		name: "inactive: suspended; input items kept as they are",
		doc:  `{"type":"cron","expression":"0 0 * * * *","display_name":"hourly","is_active":false,"payload":{"input":[{"role":"user","content":"Go"}]}}`,
		want: orqv1alpha1.AgentScheduleSpec{DisplayName: "hourly", Expression: "0 0 * * * *", Suspend: true,
			Payload: orqv1alpha1.SchedulePayload{Input: rawJSON(`[{"role":"user","content":"Go"}]`)}},
	}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := exportAll(t, workspaceWithSchedules(map[string][]orqclient.Remote{"digest": {remoteSchedule(t, "digest", "01SCHED", tc.doc)}}, "digest"), Options{})
			schedules := objectsOf[orqv1alpha1.AgentSchedule](res)
			if len(schedules) != 1 {
				t.Fatalf("exported %v (skipped: %v), want one AgentSchedule", schedules, res.Skipped)
			}
			for _, s := range schedules {
				tc.want.AgentRef = orqv1alpha1.LocalAgentReference{Name: "digest"}
				tc.want.ScheduleID = "01SCHED"
				tc.want.AdoptionPolicy = orqv1alpha1.AdoptionPolicyAdopt
				if got := applied(t, s); !reflect.DeepEqual(sameJSON(t, got.Spec), sameJSON(t, tc.want)) {
					t.Errorf("spec\n got %s\nwant %s", mustJSON(t, got.Spec), mustJSON(t, tc.want))
				}
			}
		})
	}
}

// Schedules come after their Agents, named after the agent and their display name, one file each.
func TestSchedulesFollowTheirAgents(t *testing.T) {
	l := workspaceWithSchedules(map[string][]orqclient.Remote{
		"digest": {
			remoteSchedule(t, "digest", "01B", `{"type":"cron","expression":"0 0 9 * * *","display_name":"Nightly","is_active":true,"payload":{}}`),
			remoteSchedule(t, "digest", "01A", `{"type":"cron","expression":"0 0 9 * * 1","display_name":"Nightly","is_active":true,"payload":{}}`),
		},
		"report": {remoteSchedule(t, "report", "01C", `{"type":"cron","expression":"0 0 * * * *","display_name":"hourly","is_active":true,"payload":{}}`)},
	}, "report", "digest")
	res := exportAll(t, l, Options{Namespace: "team"})
	var got []string
	for _, m := range res.Manifests {
		got = append(got, m.Kind()+"/"+m.Object.GetName()+"@"+m.ID)
	}
	want := "Agent/digest@01IDdigest Agent/report@01IDreport AgentSchedule/digest-nightly@01A AgentSchedule/digest-nightly-2@01B AgentSchedule/report-hourly@01C"
	if strings.Join(got, " ") != want {
		t.Errorf("manifests %v\nwant %s", got, want)
	}
	if s := res.Summary(); s != "0 memory stores, 0 knowledge bases, 0 tools, 2 agents, 3 schedules" {
		t.Errorf("summary %q", s)
	}
	dir := t.TempDir()
	if err := WriteDir(dir, res.Manifests, DirOptions{}); err != nil {
		t.Fatal(err)
	}
}

// No secret variable's value appears in an export, even though orq may echo it: it comes from a
// Secret named after the schedule, which the notes say to create, and the schedule only observes
// until then.
func TestSecretVariablesAreNeverExported(t *testing.T) {
	r := remoteSchedule(t, "digest", "01S", `{"type":"cron","expression":"0 0 9 * * *","display_name":"nightly","is_active":true,
		"payload":{"variables":{"token":{"secret":true,"value":"s3cret-token"},"API key":{"secret":true,"value":"s3cret-key"},"region":"EMEA"}}}`)
	res := exportAll(t, workspaceWithSchedules(map[string][]orqclient.Remote{"digest": {r}}, "digest"), Options{Namespace: "team"})
	var out bytes.Buffer
	if err := Write(&out, res.Manifests); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.String(), "s3cret") {
		t.Fatalf("a secret variable's value is in the export:\n%s", out.String())
	}
	s := objectsOf[orqv1alpha1.AgentSchedule](res)["digest-nightly"]
	if s == nil {
		t.Fatalf("no AgentSchedule digest-nightly:\n%s", out.String())
	}
	p := s.Spec.Payload
	wantFrom := []orqv1alpha1.ScheduleVariableSource{
		{Name: "API key", SecretKeyRef: orqv1alpha1.SecretKeyReference{Name: "digest-nightly-variables", Key: "api-key"}},
		{Name: "token", SecretKeyRef: orqv1alpha1.SecretKeyReference{Name: "digest-nightly-variables", Key: "token"}},
	}
	if !reflect.DeepEqual(p.VariablesFrom, wantFrom) || len(p.Variables) != 1 || string(p.Variables["region"].Raw) != `"EMEA"` {
		t.Errorf("variables %s, variablesFrom %s", mustJSON(t, p.Variables), mustJSON(t, p.VariablesFrom))
	}
	if s.Spec.ManagementPolicy != orqv1alpha1.ManagementPolicyObserve || s.Spec.AdoptionPolicy != orqv1alpha1.AdoptionPolicyAdopt {
		t.Errorf("policies %+v, want Observe and Adopt", s.Spec.Policies)
	}
	for _, want := range []string{
		"# Create Secret digest-nightly-variables first",
		"api-key (variable API key)",
		"kubectl create secret generic digest-nightly-variables -n team --from-literal=api-key=... --from-literal=token=...",
		"# managementPolicy Observe",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the export does not say %q:\n%s", want, out.String())
		}
	}
}

// A schedule the kind cannot hold is left out, saying why; one without a display name only
// observes (applying it would set one).
func TestSchedulesLeftOutOrObserved(t *testing.T) {
	res := exportAll(t, workspaceWithSchedules(map[string][]orqclient.Remote{"digest": {
		remoteSchedule(t, "digest", "01LEGACY", `{"type":"interval","expression":"@every 1h","is_active":true,"payload":{}}`),
		remoteSchedule(t, "digest", "01NEWER", `{"type":"cron","expression":"0 0 9 * * *","display_name":"n","is_active":true,"payload":{},"timezone":"CET"}`),
		remoteSchedule(t, "digest", "01NONAME", `{"type":"cron","expression":"0 0 9 * * *","is_active":true,"payload":{}}`),
	}}, "digest"), Options{})
	schedules := objectsOf[orqv1alpha1.AgentSchedule](res)
	if s := schedules["digest"]; len(schedules) != 1 || s == nil || s.Spec.ManagementPolicy != orqv1alpha1.ManagementPolicyObserve || s.Spec.DisplayName != "" {
		t.Errorf("exported %s, want only the one without a display name, observed", mustJSON(t, schedules))
	}
	want := []string{`schedule 01LEGACY of agent digest: of type "interval"`, `schedule 01NEWER of agent digest: json: unknown field "timezone"`}
	if len(res.Skipped) != len(want) {
		t.Fatalf("skipped = %q", res.Skipped)
	}
	for i, w := range want {
		if !strings.HasPrefix(res.Skipped[i], w) {
			t.Errorf("skipped[%d] = %q, want it to start with %q", i, res.Skipped[i], w)
		}
	}
}
