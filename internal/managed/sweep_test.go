package managed

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

func (l *pagedLister) list(_ context.Context, o orqclient.ListOptions) (*orqclient.VersionPage, error) {
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
	r := newTestReconciler(reconcilerFields{Client: c, API: &fakeAPI{t: t, ListFn: lister.list}})
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

// #12.10: the first sweep after a start also lists the workspaces reached through a Secret that
// no pass has read yet, so drift made while the operator was down is found at once.
func TestFirstSweepCoversSecretWorkspacesNotReadYet(t *testing.T) {
	a := syncedAgent(0)
	a.Spec.APIKeySecretRef = &orqv1alpha1.SecretKeyReference{Name: "creds", Key: "apiKey"}
	secret := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "creds"}, Data: map[string][]byte{"apiKey": []byte("team-key")}}
	lister := &pagedLister{agents: []orqclient.Agent{{ID: a.Status.ID, Key: a.RemoteKey(), Updated: "t1"}}} // changed while down
	var keys []string
	r := newTestReconciler(reconcilerFields{Client: newFakeClient(t, a, secret), APIFor: func(_, key string) (API, error) {
		keys = append(keys, key)
		return &fakeAPI{t: t, ListFn: lister.list}, nil
	}})
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
	r := newTestReconciler(reconcilerFields{Client: newFakeClient(t, a), APIFor: func(string, string) (API, error) {
		t.Error("no client without a key")
		return nil, nil
	}})
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
	failing := failingLister(t, apiError(orqclient.KindUnauthorized, 403))
	now := time.Unix(1000, 0)
	r := newTestReconciler(reconcilerFields{Client: newFakeClient(t, good, bad, secret), API: &fakeAPI{t: t, ListFn: lister.list},
		APIFor: func(string, string) (API, error) { return failing, nil }, SyncPeriod: 10 * time.Minute,
		Now: func() time.Time { return now }})
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
	if r.sweepWatches(bad, failing) || !r.sweepWatches(good, r.Workspaces.API) {
		t.Error("the sweep claims to watch an Agent of a workspace it cannot list, or stopped watching the good one")
	}
	if got := testutil.ToFloat64(metrics.SweepFailingWorkspaces.WithLabelValues("Agent")); got != 1 {
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
	p := &pass{obj: bad, stored: bad, api: failing}
	if after := r.resync(context.Background(), p); after <= 0 || after > 11*time.Minute {
		t.Errorf("an Agent of the failing workspace resyncs after %s, want its sync period", after)
	}
}

// failingLister answers every list with err, as for a key that may not list (a 403).
func failingLister(t *testing.T, err error) *fakeAPI {
	return &fakeAPI{t: t, ListFn: func(context.Context, orqclient.ListOptions) (*orqclient.VersionPage, error) { return nil, err }}
}

// Review R6: a listing the API answered 429 (or any failure that passes by itself) wakes nobody,
// and is tried again when the answer asked, not after the sweep's own delay: waking the
// collection's objects would read each of them, against an API that asked to slow down.
func TestARateLimitedListingWakesNobodyAndWaitsAsAsked(t *testing.T) {
	a := syncedAgent(0)
	limited := &orqclient.Error{Kind: orqclient.KindRateLimited, StatusCode: 429, Message: "slow down", RetryAfter: 90 * time.Second}
	now := time.Unix(1000, 0)
	r := newTestReconciler(reconcilerFields{Client: newFakeClient(t, a), API: failingLister(t, limited), SyncPeriod: 10 * time.Minute,
		Now: func() time.Time { return now }})
	s := newSweeper(r)
	r.sweep = s
	if wait := s.sweep(context.Background()); wait != 90*time.Second {
		t.Errorf("the next listing in %s, want the 90 s the API asked", wait)
	}
	if len(s.events) != 0 || s.failing(s.groupOf(a)) {
		t.Errorf("%d woken, falling back %v: a 429 is no reason to read every agent", len(s.events), s.failing(s.groupOf(a)))
	}
	now = now.Add(11 * time.Minute) // still failing a sync period later: the objects read themselves
	s.sweep(context.Background())
	if len(s.events) != 1 || !s.failing(s.groupOf(a)) {
		t.Errorf("%d woken after a sync period of failures, want the fallback to begin", len(s.events))
	}
}
