package main

import (
	"context"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
	"github.com/orq-ai/orq-operator/internal/controller"
	"github.com/orq-ai/orq-operator/internal/manifest"
	"github.com/orq-ai/orq-operator/internal/orqclient"
)

// An agent the operator created holds no mark of it in orq: only the Agent's status.id says it is
// its own. Planned from Git alone it looks foreign; with the cluster's state, it is an update.
func TestLiveStateMakesTheOperatorsAgentItsOwn(t *testing.T) {
	old := agentYAML("mine", "Answer in English.", false)
	mem := planWorkspace(t, old)
	doc, _ := mem.Agent("mine")
	id, _ := doc["_id"].(string)

	decoded, err := manifest.Decode(strings.NewReader(agentYAML("mine", "Answer in French.", false)), "test", "default")
	if err != nil {
		t.Fatal(err)
	}
	objs := decoded.Objects
	api, err := orqclient.New(orqclient.Options{BaseURL: baseURLFromEnv(t), APIKey: planKey, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	verdict := func() controller.AgentPlan {
		t.Helper()
		plans, err := controller.Plan(context.Background(), objs, api)
		if err != nil || len(plans) != 1 {
			t.Fatalf("%v, %v", plans, err)
		}
		return plans[0]
	}
	if v := verdict(); v.Verdict != controller.VerdictBlocked || v.Reason != orqv1alpha1.ReasonAdoptionRequired {
		t.Errorf("from Git alone: %+v, want blocked AdoptionRequired", v)
	}

	live := objs[0].DeepCopyObject().(*orqv1alpha1.Agent)
	live.UID, live.Finalizers, live.Status.ID = "uid-in-the-cluster", []string{orqv1alpha1.FinalizerName}, id
	cluster := fake.NewClientBuilder().WithScheme(scheme).WithObjects(live).WithStatusSubresource(live).Build()
	others, err := withLiveState(context.Background(), cluster, objs)
	if err != nil || len(others) != 0 {
		t.Fatalf("others %v, %v: the only Agent of the cluster is in the manifests", others, err)
	}
	if a := objs[0].(*orqv1alpha1.Agent); a.UID != "uid-in-the-cluster" || a.Status.ID != id {
		t.Fatalf("live state not taken: %+v", a.ObjectMeta)
	}
	if v := verdict(); v.Verdict != controller.VerdictUpdate || len(v.Changed) != 1 || v.Changed[0] != "instructions" || v.Note != "" {
		t.Errorf("with the cluster's state: %+v, want an update of instructions, no adoption", v)
	}
	onlyReads(t, mem)
}

// The cluster's other Agents take part: an older one holds a key (KeyConflict), a Ready one
// answers an agentRef.
func TestLiveStateBringsTheClustersOtherAgents(t *testing.T) {
	mem := planWorkspace(t, agentYAML("member", "Help.", false))
	doc, _ := mem.Agent("member")
	memberID, _ := doc["_id"].(string)
	manifests := agentYAML("newcomer", "Hi.", false) + "  key: taken\n---\n" +
		agentYAML("lead", "Hand off.", false) + "  teamOfAgents: [{agentRef: {name: member}, role: Member}]\n"
	decoded, err := manifest.Decode(strings.NewReader(manifests), "test", "default")
	if err != nil {
		t.Fatal(err)
	}
	objs := decoded.Objects
	member := &orqv1alpha1.Agent{ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: "member", UID: "u-member"},
		Status: orqv1alpha1.AgentStatus{ID: memberID, Key: "member"}}
	holder := &orqv1alpha1.Agent{ObjectMeta: metav1.ObjectMeta{Namespace: "other", Name: "holder", UID: "u-holder",
		CreationTimestamp: metav1.NewTime(time.Now().Add(-time.Hour))}, Spec: orqv1alpha1.AgentSpec{Key: "taken"},
		Status: orqv1alpha1.AgentStatus{ID: "some-id", Key: "taken"}}
	cluster := fake.NewClientBuilder().WithScheme(scheme).WithObjects(member, holder).WithStatusSubresource(member).Build()
	others, err := withLiveState(context.Background(), cluster, objs)
	if err != nil || len(others) != 2 {
		t.Fatalf("others %v, %v", others, err)
	}
	api, err := orqclient.New(orqclient.Options{BaseURL: baseURLFromEnv(t), APIKey: planKey, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	plans, err := controller.Plan(context.Background(), objs, api, others...)
	if err != nil || len(plans) != 2 {
		t.Fatalf("%v, %v", plans, err)
	}
	if p := plans[0]; p.Verdict != controller.VerdictBlocked || p.Reason != orqv1alpha1.ReasonKeyConflict || !strings.Contains(p.Message, "other/holder") {
		t.Errorf("newcomer: %+v, want blocked KeyConflict with other/holder", p)
	}
	if p := plans[1]; p.Verdict != controller.VerdictCreate {
		t.Errorf("lead: %+v, want a create: its member is Ready in the cluster", p)
	}
	onlyReads(t, mem)
}

func baseURLFromEnv(t *testing.T) string {
	t.Helper()
	o, err := parseFlags("t", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	return o.baseURL
}
