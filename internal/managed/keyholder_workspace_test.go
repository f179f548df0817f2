package managed

import (
	"context"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	k8stypes "k8s.io/apimachinery/pkg/types"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
	"github.com/orq-ai/orq-operator/internal/orqclient"
)

// S7 (review 2): an Agent that holds its agent in workspace W1 and whose Secret now holds the key
// of W2 counted as holding its key in W2 too (status.id is set), so a younger Agent with the same
// key that created and holds the agent in W2 lost the KeyConflict to it: nobody managed that
// agent, and deleting its holder left it in orq. Of two holders recorded in different workspaces
// (status.apiKeyHash), only the one recorded in the workspace compared holds the key there.
func TestS7AnAgentWhoseAgentIsInAnotherWorkspaceDoesNotHoldTheKeyHere(t *testing.T) {
	for _, tc := range []struct {
		name  string
		moved func(*orqv1alpha1.Agent)
	}{
		{"before the moved Agent's first pass in W2", func(*orqv1alpha1.Agent) {}},
		// It passed in W2 while the holder had not yet recorded its agent: it read the key, found
		// another agent there, and recorded W2's key; its agent is still the one in W1.
		{"after it found another agent at its key in W2", func(a *orqv1alpha1.Agent) {
			a.Status.APIKeyHash = orqclient.KeyHash("w2-key")
			meta.SetStatusCondition(&a.Status.Conditions, metav1.Condition{Type: orqv1alpha1.ConditionStalled,
				Status: metav1.ConditionTrue, Reason: orqv1alpha1.ReasonAdoptionRequired})
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			secret := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: "moved", Name: "creds"}, Data: map[string][]byte{"apiKey": []byte("w2-key")}}
			moved := sampleAgent("moved", "bot") // older; its agent is in W1
			moved.UID, moved.CreationTimestamp = k8stypes.UID("uid-moved"), metav1.NewTime(time.Unix(1, 0))
			moved.Spec.APIKeySecretRef = &orqv1alpha1.SecretKeyReference{Name: "creds", Key: "apiKey"}
			moved.Status.ID, moved.Status.APIKeyHash = "01W1", orqclient.KeyHash("w1-key")
			tc.moved(moved)
			holder := sampleAgent("team", "bot") // younger, on the operator's key (W2): created the agent there
			holder.UID, holder.CreationTimestamp = k8stypes.UID("uid-holder"), metav1.NewTime(time.Unix(2, 0))
			holder.Status.ID, holder.Status.APIKeyHash = "01W2", orqclient.KeyHash("w2-key")
			r := newTestReconciler(reconcilerFields{Client: newFakeClient(t, moved, holder, secret), DefaultAPIKeyHash: orqclient.KeyHash("w2-key")})
			if owner, err := r.keyHolder(context.Background(), holder); err != nil || owner != nil {
				t.Errorf("the Agent holding the agent in W2 loses its key (%v) to an Agent whose agent is in W1", err)
			}
			if owner, err := r.keyHolder(context.Background(), moved); err != nil || owner == nil || owner.GetUID() != holder.UID {
				t.Errorf("the moved Agent's key holder is %v (%v), want team/bot", owner, err)
			}
		})
	}
}

// Two Agents whose credentials moved to one workspace, neither recorded there (both were in
// others): neither holds a remote object here that the other could take, so age decides, as
// between any two holders.
func TestTwoHoldersRecordedElsewhereGoByAge(t *testing.T) {
	elsewhere := func(ns string, created int64, key string) *orqv1alpha1.Agent {
		a := sampleAgent(ns, "bot")
		a.UID, a.CreationTimestamp = k8stypes.UID("uid-"+ns), metav1.NewTime(time.Unix(created, 0))
		a.Status.ID, a.Status.APIKeyHash = "01"+ns, orqclient.KeyHash(key)
		return a
	}
	here := func() string { return orqclient.KeyHash("w3-key") }
	older, younger := elsewhere("a", 1, "w1-key"), elsewhere("b", 2, "w2-key")
	if !outranks(older, younger, here) || outranks(younger, older, here) {
		t.Error("between two holders recorded in two other workspaces, the older does not win")
	}
	younger.Status.APIKeyHash = here()
	if !outranks(younger, older, here) || outranks(older, younger, here) {
		t.Error("the holder recorded in this workspace does not win over an older one recorded in another")
	}
}
