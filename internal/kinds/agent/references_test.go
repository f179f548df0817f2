package agent

import (
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

func member(name, namespace string) orqv1alpha1.TeamMember {
	return orqv1alpha1.TeamMember{AgentRef: &orqv1alpha1.AgentReference{Name: name, Namespace: namespace}}
}

func objectRef(name string) *orqv1alpha1.ObjectReference {
	return &orqv1alpha1.ObjectReference{Name: name}
}

func promptFrom(name, key string) *orqv1alpha1.PromptSource {
	return &orqv1alpha1.PromptSource{ConfigMapKeyRef: orqv1alpha1.ConfigMapKeyReference{Name: name, Key: key}}
}

// References lists what the spec names, in the referrer's namespace by default, with the field
// that names it, in the order of the spec; entries named inline (a key, an id) are not
// references. Only team members are let go by the orchestrator itself.
func TestReferencesListsWhatTheSpecNames(t *testing.T) {
	a := newAgent("team", "lead")
	a.Spec.TeamOfAgents = []orqv1alpha1.TeamMember{member("writer", ""), {Key: "outside"}, member("shared", "other")}
	a.Spec.Settings.Tools = []orqv1alpha1.AgentTool{{Type: "current_date"}, {Type: "http", ToolRef: objectRef("orders")}}
	a.Spec.KnowledgeBases = []orqv1alpha1.AgentKnowledgeBase{{KnowledgeID: "faq"}, {KnowledgeBaseRef: &orqv1alpha1.ObjectReference{Name: "docs", Namespace: "kb"}}}
	a.Spec.MemoryStoreRefs = []orqv1alpha1.ObjectReference{{Name: "history"}}
	a.Spec.InstructionsFrom, a.Spec.SystemPromptFrom = promptFrom("prompts", "lead.md"), promptFrom("system", "system.md")
	want := []managed.Reference{
		{Kind: "Agent", Namespace: "team", Name: "writer", Field: "spec.teamOfAgents[0].agentRef", Droppable: true},
		{Kind: "Agent", Namespace: "other", Name: "shared", Field: "spec.teamOfAgents[2].agentRef", Droppable: true},
		{Kind: "Tool", Namespace: "team", Name: "orders", Field: "spec.settings.tools[1].toolRef"},
		{Kind: "KnowledgeBase", Namespace: "kb", Name: "docs", Field: "spec.knowledgeBases[1].knowledgeBaseRef"},
		{Kind: "MemoryStore", Namespace: "team", Name: "history", Field: "spec.memoryStoreRefs[0].name"},
		{Kind: "ConfigMap", Namespace: "team", Name: "prompts", Field: "spec.instructionsFrom"},
		{Kind: "ConfigMap", Namespace: "team", Name: "system", Field: "spec.systemPromptFrom"},
	}
	// The same list every time: the watches compare two lists to tell whether a referrer's
	// references changed (an order that varied would wake its targets at each status write).
	for range 20 {
		if got := (Kind{}).References(a); !reflect.DeepEqual(got, want) {
			t.Fatalf("References =\n%+v\nwant\n%+v", got, want)
		}
	}
	if refs := (Kind{}).References(newAgent("team", "plain")); len(refs) != 0 {
		t.Errorf("an Agent naming everything inline references %+v", refs)
	}
}

// targets are the objects an orchestrator names, each Ready: a member Agent, an http Tool, a
// KnowledgeBase and a MemoryStore, with the keys and ids of their remote objects.
func targets() (writer *orqv1alpha1.Agent, orders *orqv1alpha1.Tool, docs *orqv1alpha1.KnowledgeBase, history *orqv1alpha1.MemoryStore) {
	writer = newAgent("team", "writer")
	writer.Spec.Key = "writer-key"
	ready(writer, "01WRITER")
	orders = &orqv1alpha1.Tool{ObjectMeta: metav1.ObjectMeta{Namespace: "team", Name: "orders"}}
	orders.Spec.Type, orders.Spec.Key = "http", "orders-api"
	ready(orders, "01TOOL")
	docs = &orqv1alpha1.KnowledgeBase{ObjectMeta: metav1.ObjectMeta{Namespace: "team", Name: "docs"}}
	ready(docs, "01KB")
	history = &orqv1alpha1.MemoryStore{ObjectMeta: metav1.ObjectMeta{Namespace: "team", Name: "history"}}
	history.Spec.Key = "history-key"
	ready(history, "01MEM")
	return writer, orders, docs, history
}

// lead is an orchestrator that names the targets by reference.
func lead() *orqv1alpha1.Agent {
	a := newAgent("team", "lead")
	a.Spec.TeamOfAgents = []orqv1alpha1.TeamMember{{AgentRef: &orqv1alpha1.AgentReference{Name: "writer"}, Role: "writes"}, {Key: "outside"}}
	a.Spec.Settings.Tools = []orqv1alpha1.AgentTool{{Type: "current_date"}, {Type: "http", ToolRef: objectRef("orders")}}
	a.Spec.KnowledgeBases = []orqv1alpha1.AgentKnowledgeBase{{KnowledgeBaseRef: objectRef("docs")}}
	a.Spec.MemoryStoreRefs = []orqv1alpha1.ObjectReference{{Name: "history"}}
	return a
}

// The request of an Agent naming objects by reference is the request of the same Agent naming
// their remote objects inline, as orq knows them: a member's and a tool's key, a knowledge base's
// id, a memory store's key.
func TestReferencesAreSentAsOrqKnowsTheirObjects(t *testing.T) {
	writer, orders, docs, history := targets()
	a := lead()
	inline := a.DeepCopy()
	inline.Spec.TeamOfAgents = []orqv1alpha1.TeamMember{{Key: "writer-key", Role: "writes"}, {Key: "outside"}}
	inline.Spec.Settings.Tools = []orqv1alpha1.AgentTool{{Type: "current_date"}, {Type: "http", Key: "orders-api"}}
	inline.Spec.KnowledgeBases = []orqv1alpha1.AgentKnowledgeBase{{KnowledgeID: "01KB"}}
	inline.Spec.MemoryStoreRefs, inline.Spec.MemoryStores = nil, []string{"history-key"}
	want := desired(t, inline)
	var sent orqclient.Body
	api := &fakeAPI{t: t, CreateFn: func(body orqclient.Body) (*orqclient.Remote, error) {
		sent = body
		return remoteOf("01LEAD", body), nil
	}}
	r := newReconciler(t, api, a, writer, orders, docs, history)
	stored, _, err := reconcile(t, r, a)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(sent, want) {
		t.Errorf("sent\n%v\nwant\n%v", sent, want)
	}
	if c := condition(stored, orqv1alpha1.ConditionResolvedRefs); c.Status != metav1.ConditionTrue {
		t.Errorf("ResolvedRefs = %+v", c)
	}
	if a.Spec.TeamOfAgents[0].AgentRef == nil || stored.Spec.TeamOfAgents[0].AgentRef == nil {
		t.Error("resolving changed the Agent's spec")
	}
	if !reflect.DeepEqual(stored.Status.TeamKeys, []string{"writer-key", "outside"}) || !reflect.DeepEqual(stored.Status.ToolKeys, []string{"orders-api"}) ||
		!reflect.DeepEqual(stored.Status.KnowledgeBaseIDs, []string{"01KB"}) || !reflect.DeepEqual(stored.Status.MemoryStores, []string{"history-key"}) {
		t.Errorf("status holds team %v, tools %v, knowledge bases %v, memory stores %v", stored.Status.TeamKeys, stored.Status.ToolKeys,
			stored.Status.KnowledgeBaseIDs, stored.Status.MemoryStores)
	}
}

// A reference that cannot name its object's remote object yet (or may never) sends nothing, and
// says why in ResolvedRefs, naming the object: waiting for the cluster, or stalled when the spec
// or another team's object must change.
func TestAReferenceThatCannotBeNamedSaysWhy(t *testing.T) {
	for _, tc := range []struct {
		name string
		// edit changes the targets; extra are more objects of the cluster.
		edit    func(writer *orqv1alpha1.Agent, orders *orqv1alpha1.Tool)
		lead    func(a *orqv1alpha1.Agent)
		extra   []client.Object
		drop    string // a target left out of the cluster
		reason  string
		stalled bool
		message string
	}{
		{name: "the member does not exist", drop: "writer",
			reason: orqv1alpha1.ReasonDependencyNotReady, message: "Agent team/writer does not exist"},
		{name: "the member has not made its agent yet", edit: func(w *orqv1alpha1.Agent, _ *orqv1alpha1.Tool) { w.Status = orqv1alpha1.AgentStatus{} },
			reason: orqv1alpha1.ReasonDependencyNotReady, message: "Agent team/writer is not Ready"},
		{name: "the member's agent was replaced by someone else's (review R14)", edit: func(w *orqv1alpha1.Agent, _ *orqv1alpha1.Tool) {
			w.Status.Conditions = []metav1.Condition{
				{Type: orqv1alpha1.ConditionReady, Status: metav1.ConditionFalse, Reason: orqv1alpha1.ReasonAdoptionRequired, Message: "m"},
				{Type: orqv1alpha1.ConditionStalled, Status: metav1.ConditionTrue, Reason: orqv1alpha1.ReasonAdoptionRequired, Message: "m"},
			}
		}, reason: orqv1alpha1.ReasonDependencyNotReady, message: "Agent team/writer is not Ready"},
		{name: "the member's namespace does not allow references from this one", edit: func(w *orqv1alpha1.Agent, _ *orqv1alpha1.Tool) {
			w.Namespace = "other"
		}, lead: func(a *orqv1alpha1.Agent) { a.Spec.TeamOfAgents[0].AgentRef.Namespace = "other" },
			reason: orqv1alpha1.ReasonRefNotPermitted, stalled: true, message: "Agent other/writer does not allow references from namespace team"},
		{name: "the tool is in another workspace", edit: func(_ *orqv1alpha1.Agent, o *orqv1alpha1.Tool) {
			o.Spec.APIKeySecretRef = &orqv1alpha1.SecretKeyReference{Name: "creds", Key: "apiKey"}
		}, extra: []client.Object{&corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: "team", Name: "creds"}, Data: map[string][]byte{"apiKey": []byte("sk-another-workspace")}}},
			reason: orqv1alpha1.ReasonWorkspaceMismatch, stalled: true, message: "Tool team/orders"},
		{name: "the tool is of another type", edit: func(_ *orqv1alpha1.Agent, o *orqv1alpha1.Tool) { o.Spec.Type = "code" },
			reason: orqv1alpha1.ReasonRefMismatch, stalled: true, message: "spec.settings.tools[1].toolRef names Tool team/orders, of type code, for a tool of type http"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			writer, orders, docs, history := targets()
			if tc.edit != nil {
				tc.edit(writer, orders)
			}
			objs := []client.Object{orders, docs, history}
			if tc.drop != "writer" {
				objs = append(objs, writer)
			}
			a := lead()
			if tc.lead != nil {
				tc.lead(a)
			}
			r := newReconciler(t, &fakeAPI{t: t}, append(append(objs, a), tc.extra...)...)
			stored, _, _ := reconcile(t, r, a)
			refs := condition(stored, orqv1alpha1.ConditionResolvedRefs)
			if refs.Status != metav1.ConditionFalse || refs.Reason != tc.reason || !strings.Contains(refs.Message, tc.message) {
				t.Errorf("ResolvedRefs = %s %s %q; want False %s naming %q", refs.Status, refs.Reason, refs.Message, tc.reason, tc.message)
			}
			if got := condition(stored, orqv1alpha1.ConditionStalled).Status == metav1.ConditionTrue; got != tc.stalled {
				t.Errorf("Stalled = %v, want %v: %+v", got, tc.stalled, stored.Status.Conditions)
			}
			if ready := condition(stored, orqv1alpha1.ConditionReady); ready.Status != metav1.ConditionFalse || ready.Reason != tc.reason {
				t.Errorf("Ready = %+v", ready)
			}
		})
	}
}
