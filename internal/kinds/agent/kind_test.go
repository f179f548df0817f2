package agent

import (
	"context"
	"reflect"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
	"github.com/orq-ai/orq-operator/internal/managed"
	"github.com/orq-ai/orq-operator/internal/orqclient"
)

// Report records what the remote agent is and holds, as orq reports it; Holds gives the core
// what it holds, so that none of those is deleted from orq while it does.
func TestReportAndHoldsFollowTheRemoteAgent(t *testing.T) {
	a := newAgent("team", "lead")
	remote := &orqclient.Remote{ID: "01LEAD", Raw: orqclient.Body{
		"_id": "01LEAD", "project_id": "p1", "version": "2.1.0", "status": "live",
		"team_of_agents":  []any{map[string]any{"key": "writer-key"}, map[string]any{"role": "no key"}},
		"settings":        map[string]any{"tools": []any{map[string]any{"type": "current_date"}, map[string]any{"type": "http", "key": "orders-api"}}},
		"knowledge_bases": []any{map[string]any{"knowledge_id": "01KB"}},
		"memory_stores":   []any{"history-key", ""},
	}}
	Kind{}.Report(a, remote, false)
	st := a.Status
	if st.ProjectID != "p1" || st.Version != "2.1.0" || st.RemoteStatus != "live" {
		t.Errorf("project %q, version %q, status %q", st.ProjectID, st.Version, st.RemoteStatus)
	}
	if !reflect.DeepEqual(st.TeamKeys, []string{"writer-key"}) || !reflect.DeepEqual(st.ToolKeys, []string{"orders-api"}) ||
		!reflect.DeepEqual(st.KnowledgeBaseIDs, []string{"01KB"}) || !reflect.DeepEqual(st.MemoryStores, []string{"history-key"}) {
		t.Errorf("team %v, tools %v, knowledge bases %v, memory stores %v", st.TeamKeys, st.ToolKeys, st.KnowledgeBaseIDs, st.MemoryStores)
	}
	want := []managed.Held{
		{Kind: "Agent", Key: "writer-key"},
		{Kind: "Tool", Key: "orders-api"},
		{Kind: "KnowledgeBase", ID: "01KB"},
		{Kind: "MemoryStore", Key: "history-key", ID: "history-key"}, // orq accepts either
	}
	if got := (Kind{}).Holds(a); !reflect.DeepEqual(got, want) {
		t.Errorf("Holds = %+v, want %+v", got, want)
	}
	Kind{}.Report(a, &orqclient.Remote{ID: "01LEAD", Raw: orqclient.Body{"_id": "01LEAD"}}, false)
	if got := (Kind{}).Holds(a); len(got) != 0 {
		t.Errorf("an agent that holds nothing any more still holds %+v", got)
	}
}

// Drop removes from the remote team the members being deleted, and nothing else.
func TestDropRemovesOnlyLeavingMembers(t *testing.T) {
	remote := &orqclient.Remote{Raw: orqclient.Body{"team_of_agents": []any{
		map[string]any{"key": "writer-key", "role": "writes"}, map[string]any{"key": "outside"},
	}}}
	leaving := func(kind, key string) managed.Target {
		return managed.Target{Ref: managed.Reference{Kind: kind}, Key: key}
	}
	for _, tc := range []struct {
		name        string
		leaving     []managed.Target
		wantBody    orqclient.Body
		wantDropped []string
	}{
		{"a member being deleted", []managed.Target{leaving("Agent", "writer-key")},
			orqclient.Body{"team_of_agents": []any{map[string]any{"key": "outside"}}}, []string{"writer-key"}},
		{"a member the remote team no longer holds", []managed.Target{leaving("Agent", "gone-key")},
			orqclient.Body{"team_of_agents": []any{map[string]any{"key": "writer-key", "role": "writes"}, map[string]any{"key": "outside"}}}, nil},
		{"a tool being deleted: not dropped by the agent", []managed.Target{leaving("Tool", "writer-key")}, nil, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body, dropped := Kind{}.Drop(remote, tc.leaving)
			if !reflect.DeepEqual(dropped, tc.wantDropped) || (tc.wantDropped != nil && !reflect.DeepEqual(body, tc.wantBody)) {
				t.Errorf("Drop = %v, %v; want %v, %v", body, dropped, tc.wantBody, tc.wantDropped)
			}
		})
	}
}

// team is an orchestrator lead of namespace ns, synced with its member writer of namespace
// memberNS, which is being deleted; and the remote agents of both.
func team(t *testing.T, ns, memberNS string) (lead, writer *orqv1alpha1.Agent, leadRemote, writerRemote *orqclient.Remote) {
	writer = newAgent(memberNS, "writer")
	writer.Spec.Key = "writer-key"
	ready(writer, "01WRITER")
	writer.Finalizers = []string{orqv1alpha1.FinalizerName}
	writer.DeletionTimestamp = &metav1.Time{Time: metav1.Now().Time}
	writerRemote = remoteOf("01WRITER", desired(t, writer))

	lead = newAgent(ns, "lead")
	lead.Spec.TeamOfAgents = []orqv1alpha1.TeamMember{{AgentRef: &orqv1alpha1.AgentReference{Name: "writer", Namespace: memberNS}, Role: "writes"}}
	inline := lead.DeepCopy()
	inline.Spec.TeamOfAgents = []orqv1alpha1.TeamMember{{Key: "writer-key", Role: "writes"}}
	body := desired(t, inline)
	leadRemote = remoteOf("01LEAD", body)
	lead.Generation, lead.Finalizers = 1, []string{orqv1alpha1.FinalizerName}
	ready(lead, "01LEAD")
	lead.Status.ObservedGeneration, lead.Status.AppliedHash, lead.Status.RemoteUpdated = 1, managed.Hash(body), "t0"
	lead.Status.TeamKeys = []string{"writer-key"}
	lead.Status.Conditions = append(lead.Status.Conditions, metav1.Condition{Type: orqv1alpha1.ConditionSynced, Status: metav1.ConditionTrue,
		Reason: orqv1alpha1.ReasonSynced, Message: "The orq agent matches the spec", ObservedGeneration: 1})
	lead.Status.Conditions[0].ObservedGeneration = 1
	return lead, writer, leadRemote, writerRemote
}

// teamAPI answers for the remote agents of a team; the lead's PATCHes are applied and recorded.
func teamAPI(t *testing.T, leadRemote, writerRemote *orqclient.Remote, patches *[]orqclient.Body) *fakeAPI {
	return &fakeAPI{t: t,
		GetFn: func(key string) (*orqclient.Remote, error) {
			if key == "writer-key" {
				return writerRemote, nil
			}
			return leadRemote, nil
		},
		UpdateFn: func(_ string, body orqclient.Body) (*orqclient.Remote, error) {
			*patches = append(*patches, body)
			leadRemote = updated(leadRemote, body)
			return leadRemote, nil
		},
		DeleteFn: func(string) error { return nil },
	}
}

// Review R5: an orchestrator that lets a leaving member go changes its remote team away from the
// spec, which still names the member: it is then not Synced.
func TestDroppingALeavingMemberIsNotReportedAsSynced(t *testing.T) {
	lead, writer, leadRemote, writerRemote := team(t, "team", "team")
	var patches []orqclient.Body
	r := newReconciler(t, teamAPI(t, leadRemote, writerRemote, &patches), lead, writer)
	stored, _, _ := reconcile(t, r, lead)
	if len(patches) != 1 || len(stored.Status.TeamKeys) != 0 {
		t.Fatalf("want the member dropped from the remote team: patches %v, teamKeys %v", patches, stored.Status.TeamKeys)
	}
	if synced := condition(stored, orqv1alpha1.ConditionSynced); synced.Status != metav1.ConditionFalse {
		t.Errorf("Synced = %s %q at generation %d, right after the pass removed a member the spec names", synced.Status, synced.Message, synced.ObservedGeneration)
	}
}

// Review R7: a member being deleted is let go by its orchestrator whatever else is wrong with the
// reference, since dropping it only removes access: its namespace revoked its consent in the same
// change, or its credentials now reach another workspace. Otherwise it, and its namespace, would
// wait for ever on another team's orchestrator.
func TestALeavingMemberIsLetGoWhateverElseIsWrongWithTheReference(t *testing.T) {
	for _, tc := range []struct {
		name     string
		memberNS string
		edit     func(writer *orqv1alpha1.Agent)
		extra    []client.Object
	}{
		{name: "its namespace revoked its consent (allowReferencesFrom)", memberNS: "team-b"},
		{name: "its API key Secret now holds another workspace's key", memberNS: "team-a",
			edit: func(w *orqv1alpha1.Agent) {
				w.Spec.APIKeySecretRef = &orqv1alpha1.SecretKeyReference{Name: "creds", Key: "apiKey"}
			},
			extra: []client.Object{&corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: "team-a", Name: "creds"},
				Data: map[string][]byte{"apiKey": []byte("sk-another-workspace")}}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			lead, writer, leadRemote, writerRemote := team(t, "team-a", tc.memberNS)
			if tc.edit != nil {
				tc.edit(writer)
			}
			var patches []orqclient.Body
			api := teamAPI(t, leadRemote, writerRemote, &patches)
			r := newReconciler(t, api, append(tc.extra, lead, writer)...)

			stored, _, _ := reconcile(t, r, writer)
			if ready := condition(stored, orqv1alpha1.ConditionReady); ready.Reason != orqv1alpha1.ReasonInUse || !strings.Contains(ready.Message, "team-a/lead") {
				t.Fatalf("before the orchestrator's pass, the member is not held: Ready %+v", ready)
			}
			reconcile(t, r, lead)
			if len(patches) != 1 {
				t.Fatalf("the orchestrator sent %d PATCHes, want the one that drops the member", len(patches))
			}
			if _, _, err := reconcile(t, r, writer); err != nil {
				t.Fatal(err)
			}
			if err := r.Get(context.Background(), client.ObjectKeyFromObject(writer), &orqv1alpha1.Agent{}); err == nil {
				t.Error("the member stays Terminating")
			}
			if api.calls["delete"] != 1 {
				t.Errorf("calls %v: want the member's agent deleted", api.calls)
			}
		})
	}
}
