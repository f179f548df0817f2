package managed

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/events"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
	"github.com/orq-ai/orq-operator/internal/orqclient"
)

// deletingAgent is a stored Agent being deleted, with the finalizer.
func deletingAgent(t *testing.T, prepare func(*orqv1alpha1.Agent)) *orqv1alpha1.Agent {
	a := sampleAgent("ns", "bot")
	a.UID = "uid-1"
	a.Finalizers = []string{orqv1alpha1.FinalizerName}
	now := metav1.Now()
	a.DeletionTimestamp = &now
	if prepare != nil {
		prepare(a)
	}
	return a
}

func TestDeletionDeletesOnlyTheRecordedAgent(t *testing.T) {
	spec := sampleAgent("ns", "bot")
	ours := remoteFor(t, spec) // id 01ID
	get := func(a *orqclient.Agent) func(context.Context, string) (*orqclient.Agent, error) {
		return func(context.Context, string) (*orqclient.Agent, error) { return a, nil }
	}
	deleted := func(context.Context, string) error { return nil }
	cases := []struct {
		name      string
		prepare   func(*orqv1alpha1.Agent)
		api       fakeAPI
		wantCalls map[string]int
		// wantEvent is a part of the Orphaned event's note ("" for no such event).
		wantEvent string
	}{
		{"its recorded agent: deleted", func(a *orqv1alpha1.Agent) { a.Status.ID = "01ID" },
			fakeAPI{GetFn: get(ours), DeleteFn: deleted}, map[string]int{"get": 1, "delete": 1}, ""},
		// #12.4: Adopt decides what may be taken over, not what may be deleted.
		{"adoptionPolicy Adopt, another agent at the key now: left in orq", func(a *orqv1alpha1.Agent) {
			a.Status.ID = "01OLD"
			a.Spec.AdoptionPolicy = orqv1alpha1.AdoptionPolicyAdopt
		}, fakeAPI{GetFn: get(ours)}, map[string]int{"get": 1}, "a different agent (id 01ID)"},
		{"never recorded one, and no create of unknown outcome: left in orq", nil,
			fakeAPI{GetFn: get(ours)}, map[string]int{"get": 1}, "cannot prove"},
		{"never recorded one, a lost create equal to its body: deleted", func(a *orqv1alpha1.Agent) { withMarker(t, a) },
			fakeAPI{GetFn: get(ours), DeleteFn: deleted}, map[string]int{"get": 1, "delete": 1}, ""},
		{"its re-create whose answer was lost (marker replacing its recorded id): deleted", func(a *orqv1alpha1.Agent) {
			a.Status.ID = "01OLD"
			withMarker(t, a)
		}, fakeAPI{GetFn: get(ours), DeleteFn: deleted}, map[string]int{"get": 1, "delete": 1}, ""},
		{"already gone (orq itself answers)", func(a *orqv1alpha1.Agent) { a.Status.ID = "01ID" },
			fakeAPI{GetFn: answerNotFound, CheckFn: func(context.Context) error { return nil }}, map[string]int{"get": 1, "check": 1}, ""},
		{"deletionPolicy Orphan: no call", func(a *orqv1alpha1.Agent) {
			a.Status.ID = "01ID"
			a.Spec.DeletionPolicy = orqv1alpha1.DeletionPolicyOrphan
		}, fakeAPI{}, nil, "deletionPolicy is Orphan"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a := deletingAgent(t, tc.prepare)
			api := tc.api
			api.t = t
			rec := events.NewFakeRecorder(10)
			r := newTestReconciler(reconcilerFields{Client: newFakeClient(t, a), API: &api, Recorder: rec})
			stored, _, err := reconcileOnce(t, r, a)
			if err != nil {
				t.Fatal(err)
			}
			if stored != nil {
				t.Errorf("the Agent is kept: finalizers %v", stored.Finalizers)
			}
			if got := api.calls(); !reflect.DeepEqual(got, tc.wantCalls) && !(len(got) == 0 && tc.wantCalls == nil) {
				t.Errorf("calls = %v, want %v", got, tc.wantCalls)
			}
			var notes []string
			for len(rec.Events) > 0 {
				notes = append(notes, <-rec.Events)
			}
			orphaned := strings.Contains(strings.Join(notes, "\n"), "Orphaned")
			if orphaned != (tc.wantEvent != "") || !strings.Contains(strings.Join(notes, "\n"), tc.wantEvent) {
				t.Errorf("events %q, want an Orphaned event saying %q", notes, tc.wantEvent)
			}
		})
	}
}

// #12.5: a 404 that is not the orq API's (a proxy, a wrong base path) releases nothing.
func TestDeletionKeepsTheAgentWhenTheAnswerIsNotOrqs(t *testing.T) {
	a := deletingAgent(t, func(a *orqv1alpha1.Agent) { a.Status.ID = "01ID" })
	misconfigured := &orqclient.Error{Kind: orqclient.KindMisconfigured, Op: "get agent", StatusCode: 404,
		Message: "the answer did not come from the orq API at https://proxy.example/v2"}
	api := &fakeAPI{t: t, GetFn: func(context.Context, string) (*orqclient.Agent, error) { return nil, misconfigured }}
	r := newTestReconciler(reconcilerFields{Client: newFakeClient(t, a), API: api})
	stored, res, err := reconcileOnce(t, r, a)
	if err != nil || res.RequeueAfter == 0 {
		t.Errorf("want a slow retry, got %v, %v", res, err)
	}
	if stored == nil {
		t.Fatal("the finalizer was released on an answer that is not orq's")
	}
	ready := meta.FindStatusCondition(stored.Status.Conditions, orqv1alpha1.ConditionReady)
	if ready == nil || ready.Reason != orqv1alpha1.ReasonAPIMisconfigured || !strings.Contains(ready.Message, "https://proxy.example/v2") {
		t.Errorf("Ready = %+v", ready)
	}
}

// #18.7: a gateway in front of orq answers a route miss with 404 {"message":"Not Found"},
// exactly orq's shape. Before a 404 releases anything, one list call confirms that orq itself
// answers; until then the Agent stays, naming the URL that answered.
func TestDeletionConfirmsA404WithOrqItself(t *testing.T) {
	gateway := &orqclient.Error{Kind: orqclient.KindMisconfigured, Op: "list agents", StatusCode: 404,
		Message: "https://gateway.example answered 404 to a request that names no agent: check the orq API base URL"}
	for _, tc := range []struct {
		name      string
		api       fakeAPI
		wantGone  bool
		wantCalls map[string]int
	}{
		{"GET 404, and orq answers the list: gone", fakeAPI{GetFn: answerNotFound, CheckFn: func(context.Context) error { return nil }}, true,
			map[string]int{"get": 1, "check": 1}},
		{"GET 404 of a gateway: kept", fakeAPI{GetFn: answerNotFound, CheckFn: func(context.Context) error { return gateway }}, false,
			map[string]int{"get": 1, "check": 1}},
		{"DELETE 404 of a gateway: kept", fakeAPI{
			GetFn: func(context.Context, string) (*orqclient.Agent, error) {
				return remoteFor(t, sampleAgent("ns", "bot")), nil
			},
			DeleteFn: func(context.Context, string) error { return apiError(orqclient.KindNotFound, 404) },
			CheckFn:  func(context.Context) error { return gateway }}, false,
			map[string]int{"get": 1, "delete": 1, "check": 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := deletingAgent(t, func(a *orqv1alpha1.Agent) { a.Status.ID = "01ID" })
			api := tc.api
			api.t = t
			r := newTestReconciler(reconcilerFields{Client: newFakeClient(t, a), API: &api})
			stored, _, _ := reconcileOnce(t, r, a)
			if gone := stored == nil; gone != tc.wantGone {
				t.Fatalf("released = %v, want %v", gone, tc.wantGone)
			}
			if got := api.calls(); !reflect.DeepEqual(got, tc.wantCalls) {
				t.Errorf("calls = %v, want %v", got, tc.wantCalls)
			}
			if tc.wantGone {
				return
			}
			ready := meta.FindStatusCondition(stored.Status.Conditions, orqv1alpha1.ConditionReady)
			if ready == nil || ready.Reason != orqv1alpha1.ReasonAPIMisconfigured || !strings.Contains(ready.Message, "https://gateway.example") {
				t.Errorf("Ready = %+v", ready)
			}
		})
	}
}
