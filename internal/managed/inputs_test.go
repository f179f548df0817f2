package managed

import (
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
)

// A referenced object may be named once its remote object exists, and is not named once it says
// that remote object is gone or another's (review R14): a team would then send a key held by
// someone else's agent.
func TestResolvable(t *testing.T) {
	cond := func(typ string, status metav1.ConditionStatus, reason string) metav1.Condition {
		return metav1.Condition{Type: typ, Status: status, Reason: reason, Message: "m"}
	}
	ready := cond(orqv1alpha1.ConditionReady, metav1.ConditionTrue, orqv1alpha1.ReasonSynced)
	failing := cond(orqv1alpha1.ConditionReady, metav1.ConditionFalse, orqv1alpha1.ReasonAPIUnavailable)
	stalled := func(reason string) []metav1.Condition {
		return []metav1.Condition{cond(orqv1alpha1.ConditionReady, metav1.ConditionFalse, reason), cond(orqv1alpha1.ConditionStalled, metav1.ConditionTrue, reason)}
	}
	for _, tc := range []struct {
		name       string
		id         string
		conditions []metav1.Condition
		deleting   bool
		want       bool
	}{
		{name: "not processed yet"},
		{name: "Ready (also an observed agent, which records no id)", conditions: []metav1.Condition{ready}, want: true},
		{name: "created, then a transient failure of its own", id: "01J", conditions: []metav1.Condition{failing}, want: true},
		{name: "refused by the API before any create", conditions: []metav1.Condition{failing}},
		{name: "being deleted", id: "01J", conditions: []metav1.Condition{ready}, deleting: true},
		{name: "its agent was replaced by someone else's (AdoptionRequired with an id)", id: "01GONE", conditions: stalled(orqv1alpha1.ReasonAdoptionRequired)},
		{name: "another object holds its key (KeyConflict with an id)", id: "01J", conditions: stalled(orqv1alpha1.ReasonKeyConflict)},
		{name: "stalled for another reason, its agent still there", id: "01J", conditions: stalled(orqv1alpha1.ReasonAPIRejected), want: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := &orqv1alpha1.Agent{}
			a.Status.ID, a.Status.Conditions = tc.id, tc.conditions
			if tc.deleting {
				now := metav1.Now()
				a.DeletionTimestamp = &now
			}
			if got := resolvable(a); got != tc.want {
				t.Errorf("resolvable = %v, want %v", got, tc.want)
			}
		})
	}
}
