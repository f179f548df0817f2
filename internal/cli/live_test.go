package cli

import (
	"context"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
	"github.com/orq-ai/orq-operator/internal/controller"
	"github.com/orq-ai/orq-operator/internal/manifest"
	"github.com/orq-ai/orq-operator/internal/orqclient"
)

// An agent the operator created holds no mark of it in orq: only the Agent's status.id says it is
// its own. Planned from Git alone, the plan takes it as the Agent's own and says it did not check;
// with the cluster's state, the status proves it, or its absence proves it is not.
func TestLiveStateProvesOwnership(t *testing.T) {
	mem := planWorkspace(t, agentYAML("mine", "Answer in English.", false))
	doc, _ := mem.Agent("mine")
	id, _ := doc["_id"].(string)
	api, err := orqclient.New(orqclient.Options{BaseURL: baseURLFromEnv(t), APIKey: planKey, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	// planned plans the manifest with the cluster given (nil: no --live), holding status as the
	// cluster's Agent.
	planned := func(cluster []client.Object) controller.AgentPlan {
		t.Helper()
		decoded, err := manifest.Decode(strings.NewReader(agentYAML("mine", "Answer in French.", false)), "test", "default")
		if err != nil {
			t.Fatal(err)
		}
		objs := decoded.Objects
		opts := controller.PlanOptions{Live: cluster != nil}
		if opts.Live {
			c := fake.NewClientBuilder().WithScheme(Scheme).WithObjects(cluster...).WithStatusSubresource(&orqv1alpha1.Agent{}).Build()
			if opts.Others, err = withLiveState(context.Background(), c, controller.Kinds(), objs); err != nil {
				t.Fatal(err)
			}
		}
		plans, err := controller.Plan(context.Background(), objs, api, opts)
		if err != nil || len(plans) != 1 {
			t.Fatalf("%v, %v", plans, err)
		}
		return plans[0]
	}
	inCluster := func(status orqv1alpha1.AgentStatus) *orqv1alpha1.Agent {
		return &orqv1alpha1.Agent{ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: "mine", UID: "uid-in-the-cluster",
			Finalizers: []string{orqv1alpha1.FinalizerName}}, Status: status}
	}
	const unverifiedNote = "ownership not checked: no cluster state; use --live"

	if v := planned(nil); v.Verdict != controller.VerdictUpdate || len(v.Changed) != 1 || v.Changed[0] != "instructions" || v.Unverified != unverifiedNote {
		t.Errorf("from Git alone: %+v, want an update of instructions, ownership not checked", v)
	}
	if v := planned([]client.Object{inCluster(orqv1alpha1.AgentStatus{ResourceStatus: orqv1alpha1.ResourceStatus{ID: id, Key: "mine"}})}); v.Verdict != controller.VerdictUpdate ||
		len(v.Changed) != 1 || v.Note != "" || v.Unverified != "" {
		t.Errorf("with a status that records the agent: %+v, want an update of instructions, no adoption, nothing unverified", v)
	}
	for name, cluster := range map[string][]client.Object{
		"not in the cluster":           {},
		"in the cluster, no record":    {inCluster(orqv1alpha1.AgentStatus{})},
		"recording another agent's id": {inCluster(orqv1alpha1.AgentStatus{ResourceStatus: orqv1alpha1.ResourceStatus{ID: "gone-id", Key: "mine"}})},
	} {
		if v := planned(cluster); v.Verdict != controller.VerdictBlocked || v.Reason != orqv1alpha1.ReasonAdoptionRequired || v.Unverified != "" {
			t.Errorf("--live, %s: %+v, want blocked AdoptionRequired", name, v)
		}
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
		Status: orqv1alpha1.AgentStatus{ResourceStatus: orqv1alpha1.ResourceStatus{ID: memberID, Key: "member"}}}
	holder := &orqv1alpha1.Agent{ObjectMeta: metav1.ObjectMeta{Namespace: "other", Name: "holder", UID: "u-holder",
		CreationTimestamp: metav1.NewTime(time.Now().Add(-time.Hour))}, Spec: orqv1alpha1.AgentSpec{Key: "taken"},
		Status: orqv1alpha1.AgentStatus{ResourceStatus: orqv1alpha1.ResourceStatus{ID: "some-id", Key: "taken"}}}
	cluster := fake.NewClientBuilder().WithScheme(Scheme).WithObjects(member, holder).WithStatusSubresource(member).Build()
	others, err := withLiveState(context.Background(), cluster, controller.Kinds(), objs)
	if err != nil || len(others) != 2 {
		t.Fatalf("others %v, %v", others, err)
	}
	api, err := orqclient.New(orqclient.Options{BaseURL: baseURLFromEnv(t), APIKey: planKey, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	plans, err := controller.Plan(context.Background(), objs, api, controller.PlanOptions{Live: true, Others: others})
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
