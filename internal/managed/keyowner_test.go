package managed

import (
	"context"
	"slices"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	k8stypes "k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/util/workqueue"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
	"github.com/orq-ai/orq-operator/internal/orqclient"
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
		// #18.5: the holder wins, whatever its age.
		{"the holder wins over an older Agent", agent("z", "z", 2, "01ID"), agent("a", "a", 1, ""), true},
		{"an older Agent does not win over the holder", agent("a", "a", 1, ""), agent("z", "z", 2, "01ID"), false},
		{"two holders: the older wins", agent("z", "z", 1, "01A"), agent("a", "a", 2, "01B"), true},
		{"neither holds: the older wins", agent("z", "z", 1, ""), agent("a", "a", 2, ""), true},
		{"same second: the holder wins", agent("z", "z", 1, "01ID"), agent("a", "a", 1, ""), true},
		{"same second, neither holds: namespace", agent("a", "z", 1, ""), agent("b", "a", 1, ""), true},
		{"same second and namespace: name", agent("a", "a", 1, ""), agent("a", "b", 1, ""), true},
	}
	for _, tc := range cases {
		if got := outranks(tc.a, tc.b, nil); got != tc.want {
			t.Errorf("%s: outranks = %v, want %v", tc.name, got, tc.want)
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
	r := newTestReconciler(reconcilerFields{Client: newFakeClient(t, owner, loser, other)})
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

// #18.4: a workspace is an API key: Agents with one key conflict when their credentials hold
// the same API key, whatever Secret (or the operator's own key) they read it from, and not when
// the keys differ.
func TestKeyOwnerIsPerWorkspace(t *testing.T) {
	secret := func(ns, value string) *corev1.Secret {
		return &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "creds"}, Data: map[string][]byte{"apiKey": []byte(value)}}
	}
	agent := func(ns string, created int64, secretRef bool) *orqv1alpha1.Agent {
		a := sampleAgent(ns, "bot")
		a.UID = k8stypes.UID("uid-" + ns)
		a.CreationTimestamp = metav1.NewTime(time.Unix(created, 0))
		if secretRef {
			a.Spec.APIKeySecretRef = &orqv1alpha1.SecretKeyReference{Name: "creds", Key: "apiKey"}
		}
		return a
	}
	oldest := agent("operator", 1, false) // the operator's own key, "op-key"
	cases := []struct {
		name      string
		objs      []client.Object
		wantOwner string // namespace of the owner; "" for none
	}{
		{"a Secret holding the operator's key", []client.Object{oldest, agent("team", 2, true), secret("team", "op-key")}, "operator"},
		{"a Secret holding another key", []client.Object{oldest, agent("team", 2, true), secret("team", "team-key")}, ""},
		{"two Secrets holding one key", []client.Object{agent("a", 1, true), secret("a", "k"), agent("team", 2, true), secret("team", "k")}, "a"},
		{"a Secret not there: the key it last recorded", []client.Object{oldest, func() *orqv1alpha1.Agent {
			a := agent("team", 2, true)
			a.Status.APIKeyHash = orqclient.KeyHash("op-key")
			return a
		}()}, "operator"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := newFakeClient(t, tc.objs...)
			r := newTestReconciler(reconcilerFields{Client: c, DefaultAPIKeyHash: orqclient.KeyHash("op-key")})
			self := &orqv1alpha1.Agent{}
			if err := c.Get(context.Background(), k8stypes.NamespacedName{Namespace: "team", Name: "bot"}, self); err != nil {
				t.Fatal(err)
			}
			owner, err := r.keyHolder(context.Background(), self)
			if err != nil {
				t.Fatal(err)
			}
			got := ""
			if owner != nil {
				got = owner.GetNamespace()
			}
			if got != tc.wantOwner {
				t.Errorf("owner %q, want %q", got, tc.wantOwner)
			}
		})
	}
}
