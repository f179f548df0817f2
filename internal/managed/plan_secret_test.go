package managed

import (
	"context"
	"maps"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
	"github.com/orq-ai/orq-operator/internal/orqclient"
)

// A plan cannot know the version of a Secret the operator last sent (one the manifests do not
// hold is a placeholder, one they hold has a version of their own), so an object in sync otherwise
// is no change with a note, not an update naming no field (as `kubectl orq plan --live` showed for
// the samples' http Tool).
func TestPlanOfAnUnreadSecretIsNoChange(t *testing.T) {
	a := planAgent("with-header")
	desired := mustDesired(t, a)
	a.Finalizers = []string{orqv1alpha1.FinalizerName}
	a.Status = orqv1alpha1.AgentStatus{ResourceStatus: orqv1alpha1.ResourceStatus{
		ID: "id1", AppliedHash: "applied-with-the-real-secret", SecretsHash: "0123456789abcdef", RemoteUpdated: "t1",
		Conditions: []metav1.Condition{{Type: orqv1alpha1.ConditionReady, Status: metav1.ConditionTrue, Reason: orqv1alpha1.ReasonSynced}},
	}}
	remote := maps.Clone(desired)
	remote["_id"], remote["key"], remote["updated"] = "id1", "with-header", "t1"
	api := &fakeAPI{t: t, GetFn: func(context.Context, string) (*orqclient.Agent, error) {
		return &orqclient.Agent{ID: "id1", Key: "with-header", Updated: "t1", Raw: remote}, nil
	}}
	plans, err := Plan(context.Background(), NewRegistry(secretHeaderKind{}), []client.Object{a}, api, PlanOptions{Live: true})
	if err != nil || len(plans) != 1 {
		t.Fatalf("%v, %v", plans, err)
	}
	if got := plans[0]; got.Verdict != VerdictNoChange || !strings.Contains(got.Note, "values from Secrets (in header) not compared") {
		t.Errorf("got %+v, want no change noting the Secret's field: a plan cannot see a Secret's version", got)
	}
}
