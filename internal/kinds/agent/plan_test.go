package agent

import (
	"context"
	"net/http"
	"testing"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
	"github.com/orq-ai/orq-operator/internal/managed"
	"github.com/orq-ai/orq-operator/internal/orqclient"
)

func notFound(string) (*orqclient.Remote, error) {
	return nil, &orqclient.Error{Kind: orqclient.KindNotFound, Op: "get agent", StatusCode: http.StatusNotFound, Message: "not found"}
}

// A prompt kept in a ConfigMap of the manifests is planned with its text, as the operator sends
// it, and shown as a change of that text.
func TestPlanResolvesPromptsFromTheManifestsConfigMaps(t *testing.T) {
	a := newAgent("team", "from-file")
	a.Spec.Instructions = ""
	a.Spec.InstructionsFrom = promptFrom("prompts", "instructions.md")
	a.Spec.AdoptionPolicy = orqv1alpha1.AdoptionPolicyAdopt
	cm := promptConfigMap(map[string]string{"instructions.md": "New text."})
	old := newAgent("team", "from-file")
	old.Spec.Instructions = "Old text."
	api := &fakeAPI{t: t, GetFn: func(string) (*orqclient.Remote, error) { return remoteOf("01ID", desired(t, old)), nil }}
	plans, err := managed.Plan(context.Background(), kinds(), []client.Object{a, cm}, api, managed.PlanOptions{})
	if err != nil || len(plans) != 1 {
		t.Fatalf("%v, %v", plans, err)
	}
	got := plans[0]
	if got.Verdict != managed.VerdictUpdate || len(got.Texts) != 1 || got.Texts[0].Before != "Old text." || got.Texts[0].After != "New text." {
		t.Errorf("got %+v", got)
	}
}

// secretKeyed is an Agent of the cluster (plan --live's Others) that reads the plan's own API key
// from a Secret the manifests do not hold, and holds its agent.
func secretKeyed(name, key, id string) *orqv1alpha1.Agent {
	a := newAgent("team", name)
	a.Spec.Key = key
	a.Spec.APIKeySecretRef = &orqv1alpha1.SecretKeyReference{Name: "creds", Key: "apiKey"}
	a.Finalizers = []string{orqv1alpha1.FinalizerName}
	a.Status.ID, a.Status.APIKeyHash = id, workspace
	meta.SetStatusCondition(&a.Status.Conditions, metav1.Condition{Type: orqv1alpha1.ConditionReady, Status: metav1.ConditionTrue, Reason: orqv1alpha1.ReasonSynced, Message: "m"})
	return a
}

// Review R8: a plan knows the workspace of its own API key (PlanOptions.KeyHash), as the operator
// knows its own: a cluster Agent reading that same key from a Secret is in the same workspace.
func TestPlanLiveKnowsTheWorkspaceOfItsOwnKey(t *testing.T) {
	t.Run("an agentRef to a Secret-keyed Agent of the same workspace resolves", func(t *testing.T) {
		member := secretKeyed("member", "member-key", "01M")
		boss := newAgent("team", "boss")
		boss.Spec.TeamOfAgents = []orqv1alpha1.TeamMember{{AgentRef: &orqv1alpha1.AgentReference{Name: "member"}}}
		plans, err := managed.Plan(context.Background(), kinds(), []client.Object{boss}, &fakeAPI{t: t, GetFn: notFound},
			managed.PlanOptions{Live: true, Others: []client.Object{member}, KeyHash: workspace})
		if err != nil {
			t.Fatal(err)
		}
		if got := plans[0]; got.Verdict != managed.VerdictCreate {
			t.Errorf("planned %s %s (%s); the operator resolves member and creates boss", got.Verdict, got.Reason, got.Message)
		}
	})
	t.Run("an Agent sharing the key of a Secret-keyed holder of the same workspace conflicts", func(t *testing.T) {
		holder := secretKeyed("holder", "shared", "01H")
		newcomer := newAgent("team", "newcomer")
		newcomer.Spec.Key, newcomer.Spec.AdoptionPolicy = "shared", orqv1alpha1.AdoptionPolicyAdopt
		api := &fakeAPI{t: t, GetFn: func(string) (*orqclient.Remote, error) { return remoteOf("01H", desired(t, newcomer)), nil }}
		plans, err := managed.Plan(context.Background(), kinds(), []client.Object{newcomer}, api,
			managed.PlanOptions{Live: true, Others: []client.Object{holder}, KeyHash: workspace})
		if err != nil {
			t.Fatal(err)
		}
		if got := plans[0]; got.Verdict != managed.VerdictBlocked || got.Reason != orqv1alpha1.ReasonKeyConflict {
			t.Errorf("planned %s %s (%s); the operator stalls it KeyConflict behind holder and writes nothing", got.Verdict, got.Reason, got.Note)
		}
	})
}
