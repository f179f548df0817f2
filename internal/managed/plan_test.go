package managed

import (
	"context"
	"maps"
	"net/http"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
	"github.com/orq-ai/orq-operator/internal/agentdiff"
	"github.com/orq-ai/orq-operator/internal/orqclient"
)

func planAgent(name string) *orqv1alpha1.Agent {
	return &orqv1alpha1.Agent{
		ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: name},
		Spec: orqv1alpha1.AgentSpec{Role: "R", Description: "D", Instructions: "I", Path: "Default/x",
			Model: orqv1alpha1.ModelConfig{ID: "openai/gpt-4o"}},
	}
}

func planOne(t *testing.T, api API, a *orqv1alpha1.Agent) ObjectPlan {
	t.Helper()
	plans, err := Plan(context.Background(), NewRegistry(testKind{}), []client.Object{a}, api, PlanOptions{Live: true})
	if err != nil || len(plans) != 1 {
		t.Fatalf("%v, %v", plans, err)
	}
	return plans[0]
}

// An agent that did not converge after this very request is not patched again: the operator
// stays Stalled (NotConverging), so the plan says blocked, not update.
func TestPlanOfANonConvergingAgentIsBlocked(t *testing.T) {
	a := planAgent("stuck")
	desired := mustDesired(t, a)
	stalled := metav1.Condition{Type: orqv1alpha1.ConditionStalled, Status: metav1.ConditionTrue, Reason: orqv1alpha1.ReasonNotConverging, Message: "orq.ai keeps these fields different"}
	a.Status = orqv1alpha1.AgentStatus{ResourceStatus: orqv1alpha1.ResourceStatus{ID: "id1", AppliedHash: agentdiff.Hash(desired), RemoteUpdated: "t1", Conditions: []metav1.Condition{stalled}}}
	a.Finalizers = []string{orqv1alpha1.FinalizerName}
	remote := maps.Clone(desired)
	remote["instructions"], remote["_id"], remote["updated"] = "kept by orq", "id1", "t1"
	api := &fakeAPI{t: t, GetFn: func(context.Context, string) (*orqclient.Agent, error) {
		return &orqclient.Agent{ID: "id1", Key: "stuck", Updated: "t1", Raw: remote}, nil
	}}
	if got := planOne(t, api, a); got.Verdict != VerdictBlocked || got.Reason != orqv1alpha1.ReasonNotConverging {
		t.Errorf("got %+v, want blocked NotConverging", got)
	}
	if c := api.calls(); c["update"] != 0 || c["create"] != 0 {
		t.Errorf("calls %v: a plan sends no write", c)
	}
}

func TestPlanOfAnAgentWhoseRemoteIsGoneRecreatesIt(t *testing.T) {
	a := planAgent("gone")
	a.Status.ID = "old-id"
	a.Finalizers = []string{orqv1alpha1.FinalizerName}
	api := &fakeAPI{t: t, GetFn: func(context.Context, string) (*orqclient.Agent, error) {
		return nil, apiError(orqclient.KindNotFound, http.StatusNotFound)
	}}
	got := planOne(t, api, a)
	if got.Verdict != VerdictCreate || !strings.Contains(got.Note, "old-id") {
		t.Errorf("got %+v, want a create that says it re-creates old-id", got)
	}
	if c := api.calls(); c["create"] != 0 {
		t.Errorf("calls %v: a plan sends no write", c)
	}
}

// Objects whose plan needs no call to orq make none: the fake fails the test on any call.
func TestPlanWithoutCalls(t *testing.T) {
	own := planAgent("own-key")
	own.Spec.APIKeySecretRef = &orqv1alpha1.SecretKeyReference{Name: "s", Key: "k"}
	suspended := planAgent("suspended")
	suspended.Spec.Suspend = true
	plans, err := Plan(context.Background(), NewRegistry(testKind{}), []client.Object{own, suspended}, &fakeAPI{t: t}, PlanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if plans[0].Verdict != VerdictSkipped || plans[1].Verdict != VerdictNoChange || !strings.Contains(plans[1].Note, "suspend") {
		t.Errorf("got %+v", plans)
	}
}

func TestPlanRefusesAnObjectGivenTwice(t *testing.T) {
	_, err := Plan(context.Background(), NewRegistry(testKind{}), []client.Object{planAgent("a"), planAgent("a")}, &fakeAPI{t: t}, PlanOptions{})
	if err == nil || !strings.Contains(err.Error(), "ns/a is given twice") {
		t.Errorf("two manifests of one Agent: %v", err)
	}
}
