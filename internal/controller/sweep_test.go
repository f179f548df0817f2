package controller

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
	"github.com/orq-ai/orq-operator/internal/metrics"
	"github.com/orq-ai/orq-operator/internal/orqclient"
)

// pagedLister serves agents a page at a time, like the list endpoint, and counts the pages.
type pagedLister struct {
	agents []orqclient.Agent
	pages  int
}

func (l *pagedLister) ListAgentVersions(_ context.Context, o orqclient.ListOptions) (*orqclient.VersionPage, error) {
	l.pages++
	start := 0
	for i, a := range l.agents {
		if a.ID == o.StartingAfter {
			start = i + 1
		}
	}
	end := min(start+o.Limit, len(l.agents))
	page := &orqclient.VersionPage{HasMore: end < len(l.agents)}
	for _, a := range l.agents[start:end] {
		page.Versions = append(page.Versions, orqclient.AgentVersion{ID: a.ID, Key: a.Key, Updated: a.Updated})
	}
	return page, nil
}

// listingAPI is an AgentAPI with the list endpoint.
type listingAPI struct {
	*fakeAPI
	*pagedLister
}

func syncedAgent(i int) *orqv1alpha1.Agent {
	a := &orqv1alpha1.Agent{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: fmt.Sprintf("agent-%d", i), Generation: 1}}
	a.Status = orqv1alpha1.AgentStatus{ResourceStatus: orqv1alpha1.ResourceStatus{ObservedGeneration: 1, ID: fmt.Sprintf("id-%04d", i), RemoteUpdated: "t0"}}
	meta.SetStatusCondition(&a.Status.Conditions, metav1.Condition{Type: orqv1alpha1.ConditionReady, Status: metav1.ConditionTrue, Reason: orqv1alpha1.ReasonSynced})
	return a
}

// A sweep reads ceil(N/200) pages and wakes exactly the Agents whose remote agent was updated,
// replaced or deleted; Agents not in sync are left to their own retries.
func TestSweepWakesOnlyChangedAgents(t *testing.T) {
	const n = 450
	var agents []*orqv1alpha1.Agent
	lister := &pagedLister{}
	for i := range n {
		a := syncedAgent(i)
		agents = append(agents, a)
		lister.agents = append(lister.agents, orqclient.Agent{ID: a.Status.ID, Key: a.RemoteKey(), Updated: "t0"})
	}
	lister.agents[1].Updated = "t1"                                 // edited in the studio
	lister.agents[2].ID = "someone-elses"                           // deleted and re-created by someone else
	lister.agents = append(lister.agents[:3], lister.agents[4:]...) // agent-3 deleted in orq
	agents[5].Status.ObservedGeneration = 0                         // not in sync: not swept
	lister.agents[4].Updated = "t1"                                 // agent-5, changed too
	agents[6].Annotations = map[string]string{orqv1alpha1.AnnotationSyncInterval: "1m"}

	objs := make([]client.Object, 0, n)
	for _, a := range agents {
		objs = append(objs, a)
	}
	c := newFakeClient(t, objs...)
	r := &AgentReconciler{Client: c, API: listingAPI{&fakeAPI{t: t}, lister}}
	s := newSweeper(r)
	s.sweep(context.Background())
	if lister.pages != 3 {
		t.Errorf("%d pages read for %d agents, want ceil(%d/200) = 3", lister.pages, n, n)
	}
	var woken []string
	for len(s.events) > 0 {
		woken = append(woken, (<-s.events).Object.GetName())
	}
	want := []string{"agent-1", "agent-2", "agent-3"}
	if fmt.Sprint(woken) != fmt.Sprint(want) {
		t.Errorf("woken %v, want %v", woken, want)
	}
	if !s.takeWoken(types.NamespacedName{Namespace: "ns", Name: "agent-1"}) || s.takeWoken(types.NamespacedName{Namespace: "ns", Name: "agent-1"}) {
		t.Error("a woken Agent reads its remote agent once")
	}
}

func TestSweepSkipsWorkspacesWithoutALister(t *testing.T) {
	c := newFakeClient(t, syncedAgent(0))
	s := newSweeper(&AgentReconciler{Client: c, API: &fakeAPI{t: t}})
	s.sweep(context.Background())
	if len(s.events) != 0 {
		t.Errorf("%d woken: a client without the list endpoint is left to per-agent reads", len(s.events))
	}
}

// #12.10: the first sweep after a start also lists the workspaces reached through a Secret that
// no pass has read yet, so drift made while the operator was down is found at once.
func TestFirstSweepCoversSecretWorkspacesNotReadYet(t *testing.T) {
	a := syncedAgent(0)
	a.Spec.APIKeySecretRef = &orqv1alpha1.SecretKeyReference{Name: "creds", Key: "apiKey"}
	secret := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "creds"}, Data: map[string][]byte{"apiKey": []byte("team-key")}}
	lister := &pagedLister{agents: []orqclient.Agent{{ID: a.Status.ID, Key: a.RemoteKey(), Updated: "t1"}}} // changed while down
	var keys []string
	r := &AgentReconciler{Client: newFakeClient(t, a, secret), APIFor: func(_, key string) (AgentAPI, error) {
		keys = append(keys, key)
		return listingAPI{&fakeAPI{t: t}, lister}, nil
	}}
	s := newSweeper(r)
	s.sweep(context.Background())
	if lister.pages != 1 || fmt.Sprint(keys) != "[team-key]" {
		t.Errorf("pages %d, keys %v: the Secret's workspace was not listed", lister.pages, keys)
	}
	if len(s.events) != 1 {
		t.Errorf("%d woken, want the changed agent", len(s.events))
	}
}

// A workspace that cannot be listed (its Secret is gone) wakes its Agents, so that their own
// passes report why, instead of leaving them unwatched.
func TestSweepWakesTheAgentsOfAWorkspaceItCannotList(t *testing.T) {
	a := syncedAgent(0)
	a.Spec.APIKeySecretRef = &orqv1alpha1.SecretKeyReference{Name: "gone", Key: "apiKey"}
	r := &AgentReconciler{Client: newFakeClient(t, a), APIFor: func(string, string) (AgentAPI, error) {
		t.Error("no client without a key")
		return nil, nil
	}}
	s := newSweeper(r)
	s.sweep(context.Background())
	if len(s.events) != 1 {
		t.Errorf("%d woken", len(s.events))
	}
}

// #18.8: a workspace whose listing keeps failing (a key that may get and patch but not list, a
// proxy that breaks cursors) is retried alone, and its Agents fall back to reading their own
// agent once per sync period, woken once to begin; every other workspace is listed once per sync
// period, not at each retry of the failing one.
func TestAWorkspaceThatCannotBeListedIsRetriedAloneAndItsAgentsReadThemselves(t *testing.T) {
	good := syncedAgent(0)
	bad := syncedAgent(1)
	bad.Spec.APIKeySecretRef = &orqv1alpha1.SecretKeyReference{Name: "creds", Key: "apiKey"}
	secret := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "creds"}, Data: map[string][]byte{"apiKey": []byte("no-list-key")}}
	lister := &pagedLister{agents: []orqclient.Agent{{ID: good.Status.ID, Key: good.RemoteKey(), Updated: "t0"}}}
	failing := failingLister{&fakeAPI{t: t}}
	now := time.Unix(1000, 0)
	r := &AgentReconciler{Client: newFakeClient(t, good, bad, secret), API: listingAPI{&fakeAPI{t: t}, lister},
		APIFor: func(string, string) (AgentAPI, error) { return failing, nil }, SyncPeriod: 10 * time.Minute,
		Now: func() time.Time { return now }}
	s := newSweeper(r)
	r.sweep = s
	woken := func() []string {
		var out []string
		for len(s.events) > 0 {
			out = append(out, (<-s.events).Object.GetName())
		}
		return out
	}

	s.sweep(context.Background())
	if lister.pages != 1 || fmt.Sprint(woken()) != "[agent-1]" {
		t.Fatalf("first sweep: %d pages of the good workspace, want 1; the failing one's Agents woken once to read themselves", lister.pages)
	}
	if r.sweepWatches(bad, failing) || !r.sweepWatches(good, r.API) {
		t.Error("the sweep claims to watch an Agent of a workspace it cannot list, or stopped watching the good one")
	}
	if got := testutil.ToFloat64(metrics.SweepFailingWorkspaces); got != 1 {
		t.Errorf("orq_operator_sweep_failing_workspaces = %v, want 1", got)
	}

	for range 5 { // the failing workspace's retries, before the sync period is over
		now = now.Add(sweepRetry * 2)
		s.sweep(context.Background())
	}
	if lister.pages != 1 {
		t.Errorf("the good workspace was listed %d times within one sync period, want once", lister.pages)
	}
	if got := woken(); len(got) != 0 {
		t.Errorf("retries woke %v: the fallback reads come from the Agents' own requeues", got)
	}
	p := &pass{agent: bad, api: failing}
	if after := r.resync(context.Background(), p); after <= 0 || after > 11*time.Minute {
		t.Errorf("an Agent of the failing workspace resyncs after %s, want its sync period", after)
	}
}

// failingLister answers every list with a 403, as for a key that may not list.
type failingLister struct{ *fakeAPI }

func (failingLister) ListAgentVersions(context.Context, orqclient.ListOptions) (*orqclient.VersionPage, error) {
	return nil, apiError(orqclient.KindUnauthorized, 403)
}
