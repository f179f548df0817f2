package managed

import (
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
)

// The watches of referenced objects and of referrers pass only the changes that can matter to
// the other side: each one costs the woken objects a pass.
func TestReferenceWatchPredicates(t *testing.T) {
	base := &orqv1alpha1.Agent{ObjectMeta: metav1.ObjectMeta{Namespace: "team", Name: "writer"}}
	now := metav1.Now()
	for _, tc := range []struct {
		name string
		edit func(*orqv1alpha1.Agent)
		// target: its referrers are woken; referrer: its leaving targets are.
		target, referrer bool
	}{
		{"nothing relevant (a status time)", func(a *orqv1alpha1.Agent) { a.Status.LastSyncTime = &now }, false, false},
		{"a spec change", func(a *orqv1alpha1.Agent) { a.Spec.Instructions = "new" }, false, false},
		{"its remote object exists now", func(a *orqv1alpha1.Agent) { a.Status.ID = "01J" }, true, false},
		{"its remote object changed", func(a *orqv1alpha1.Agent) { a.Status.RemoteUpdated = "t2" }, true, false},
		{"it is Ready now", func(a *orqv1alpha1.Agent) {
			a.Status.Conditions = []metav1.Condition{{Type: orqv1alpha1.ConditionReady, Status: metav1.ConditionTrue, Reason: "Synced"}}
		}, true, false},
		{"its deletion starts", func(a *orqv1alpha1.Agent) { a.DeletionTimestamp = &now }, true, false},
		{"its consent", func(a *orqv1alpha1.Agent) { a.Spec.AllowReferencesFrom = []string{"*"} }, true, false},
		{"its workspace", func(a *orqv1alpha1.Agent) { a.Status.APIKeyHash = "other" }, true, false},
		{"its key", func(a *orqv1alpha1.Agent) { a.Spec.Key = "other" }, true, false},
		{"the Secret of its API key", func(a *orqv1alpha1.Agent) {
			a.Spec.APIKeySecretRef = &orqv1alpha1.SecretKeyReference{Name: "creds", Key: "apiKey"}
		}, false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			changed := base.DeepCopy()
			tc.edit(changed)
			e := updateEvent(base, changed)
			if got := (targetChanged{}).Update(e); got != tc.target {
				t.Errorf("targetChanged = %v, want %v", got, tc.target)
			}
			if got := (referrerChanged{testKind{}}).Update(e); got != tc.referrer {
				t.Errorf("referrerChanged = %v, want %v", got, tc.referrer)
			}
		})
	}
}
