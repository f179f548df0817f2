package controller

import (
	"context"
	"maps"
	"net/http"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
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

func planOne(t *testing.T, api AgentAPI, a *orqv1alpha1.Agent) AgentPlan {
	t.Helper()
	plans, err := Plan(context.Background(), []client.Object{a}, api, PlanOptions{})
	if err != nil || len(plans) != 1 {
		t.Fatalf("%v, %v", plans, err)
	}
	return plans[0]
}

// An agent that did not converge after this very request is not patched again: the operator
// stays Stalled (NotConverging), so the merge does not converge either.
func TestPlanOfANonConvergingAgentIsBlocked(t *testing.T) {
	a := planAgent("stuck")
	desired, err := agentdiff.Desired(a)
	if err != nil {
		t.Fatal(err)
	}
	stalled := metav1.Condition{Type: orqv1alpha1.ConditionStalled, Status: metav1.ConditionTrue, Reason: orqv1alpha1.ReasonNotConverging, Message: "orq.ai keeps these fields different"}
	a.Status = orqv1alpha1.AgentStatus{ResourceStatus: orqv1alpha1.ResourceStatus{ID: "id1", AppliedHash: agentdiff.Hash(desired), RemoteUpdated: "t1", Conditions: []metav1.Condition{stalled}}}
	remote := maps.Clone(desired)
	remote["instructions"], remote["_id"], remote["updated"] = "kept by orq", "id1", "t1"
	api := &fakeAPI{t: t, GetFn: func(context.Context, string) (*orqclient.Agent, error) {
		return &orqclient.Agent{ID: "id1", Key: "stuck", Updated: "t1", Raw: remote}, nil
	}}
	if got := planOne(t, api, a); got.Verdict != VerdictBlocked || got.Reason != orqv1alpha1.ReasonNotConverging {
		t.Errorf("got %+v, want blocked NotConverging", got)
	}
	if c := api.calls(); c["update"] != 0 || c["create"] != 0 {
		t.Errorf("calls %v", c)
	}
}

func TestPlanOfAnAgentWhoseRemoteIsGoneRecreatesIt(t *testing.T) {
	a := planAgent("gone")
	a.Status.ID = "old-id"
	api := &fakeAPI{t: t, GetFn: func(context.Context, string) (*orqclient.Agent, error) {
		return nil, apiError(orqclient.KindNotFound, http.StatusNotFound)
	}}
	got := planOne(t, api, a)
	if got.Verdict != VerdictCreate || !strings.Contains(got.Note, "old-id") {
		t.Errorf("got %+v, want a create that says it re-creates old-id", got)
	}
}

// Agents whose plan needs no call to orq make none: the fake fails on any call.
func TestPlanWithoutCalls(t *testing.T) {
	own := planAgent("own-key")
	own.Spec.APIKeySecretRef = &orqv1alpha1.SecretKeyReference{Name: "s", Key: "k"}
	suspended := planAgent("suspended")
	suspended.Spec.Suspend = true
	plans, err := Plan(context.Background(), []client.Object{own, suspended}, &fakeAPI{t: t}, PlanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if plans[0].Verdict != VerdictSkipped || plans[1].Verdict != VerdictNoChange || !strings.Contains(plans[1].Note, "suspend") {
		t.Errorf("got %+v", plans)
	}
}

func TestPlanRefusesAnAgentGivenTwice(t *testing.T) {
	if _, err := Plan(context.Background(), []client.Object{planAgent("a"), planAgent("a")}, &fakeAPI{t: t}, PlanOptions{}); err == nil {
		t.Error("two manifests of one Agent were planned")
	}
}

// A prompt kept in a ConfigMap of the manifests is planned with its text, as the operator sends it.
func TestPlanResolvesPromptsFromTheManifestsConfigMaps(t *testing.T) {
	a := planAgent("from-file")
	a.Spec.Instructions = ""
	a.Spec.InstructionsFrom = &orqv1alpha1.PromptSource{ConfigMapKeyRef: orqv1alpha1.ConfigMapKeyReference{Name: "prompts", Key: "instructions.md"}}
	cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "prompts"}, Data: map[string]string{"instructions.md": "New text."}}
	remote := planAgent("from-file")
	remote.Spec.Instructions = "Old text."
	desired, err := agentdiff.Desired(remote)
	if err != nil {
		t.Fatal(err)
	}
	desired["_id"] = "id1"
	a.Spec.AdoptionPolicy = orqv1alpha1.AdoptionPolicyAdopt
	api := &fakeAPI{t: t, GetFn: func(context.Context, string) (*orqclient.Agent, error) {
		return &orqclient.Agent{ID: "id1", Key: "from-file", Raw: desired}, nil
	}}
	plans, err := Plan(context.Background(), []client.Object{a, cm}, api, PlanOptions{})
	if err != nil || len(plans) != 1 {
		t.Fatalf("%v, %v", plans, err)
	}
	got := plans[0]
	if got.Verdict != VerdictUpdate || len(got.Texts) != 1 || got.Texts[0].Before != "Old text." || got.Texts[0].After != "New text." {
		t.Errorf("got %+v", got)
	}
}
