package controller

import (
	"context"
	"slices"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	k8stypes "k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/util/workqueue"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
)

func TestKeyOwnerOrder(t *testing.T) {
	at := func(sec int64) metav1.Time { return metav1.NewTime(time.Unix(sec, 0)) }
	agent := func(ns, name string, created int64, id string) *orqv1alpha1.Agent {
		a := sampleAgent(ns, name)
		a.CreationTimestamp = at(created)
		a.Status.ID = id
		return a
	}
	cases := []struct {
		name string
		a, b *orqv1alpha1.Agent
		want bool
	}{
		{"older wins", agent("z", "z", 1, ""), agent("a", "a", 2, "01ID"), true},
		{"newer loses", agent("a", "a", 2, "01ID"), agent("z", "z", 1, ""), false},
		{"same second: the holder wins", agent("z", "z", 1, "01ID"), agent("a", "a", 1, ""), true},
		{"same second, neither holds: namespace", agent("a", "z", 1, ""), agent("b", "a", 1, ""), true},
		{"same second and namespace: name", agent("a", "a", 1, ""), agent("a", "b", 1, ""), true},
	}
	for _, tc := range cases {
		if got := olderThan(tc.a, tc.b); got != tc.want {
			t.Errorf("%s: olderThan = %v, want %v", tc.name, got, tc.want)
		}
	}
}

// #12.6: when an Agent's key or credential source changes, the Agents that shared its old key
// and those that share its new one are looked at again: a KeyConflict may have ended or begun.
func TestKeySharersAreWokenWhenTheKeyOrSourceChanges(t *testing.T) {
	withKey := func(name, key string) *orqv1alpha1.Agent {
		a := sampleAgent("ns", name)
		a.UID = k8stypes.UID("uid-" + name)
		a.Spec.Key = key
		return a
	}
	owner, loser, other := withKey("owner", "shared"), withKey("loser", "shared"), withKey("other", "elsewhere")
	r := &AgentReconciler{Client: newFakeClient(t, owner, loser, other)}
	cases := []struct {
		name string
		edit func(*orqv1alpha1.Agent)
		want []string
	}{
		{"credential source changes", func(a *orqv1alpha1.Agent) {
			a.Spec.APIKeySecretRef = &orqv1alpha1.SecretKeyReference{Name: "team", Key: "apiKey"}
		}, []string{"loser"}},
		{"key changes (a copy with another key)", func(a *orqv1alpha1.Agent) { a.Spec.Key = "elsewhere" }, []string{"loser", "other"}},
		{"nothing that matters", func(a *orqv1alpha1.Agent) { a.Spec.Role = "new role" }, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			q := workqueue.NewTypedRateLimitingQueue(workqueue.DefaultTypedControllerRateLimiter[reconcile.Request]())
			defer q.ShutDown()
			changed := owner.DeepCopy()
			tc.edit(changed)
			keySharers{r}.Update(context.Background(), updateEvent(owner, changed), q)
			var got []string
			for q.Len() > 0 {
				req, _ := q.Get()
				got = append(got, req.Name)
				q.Done(req)
			}
			slices.Sort(got)
			if !slices.Equal(got, tc.want) {
				t.Errorf("woken %v, want %v", got, tc.want)
			}
		})
	}
}
