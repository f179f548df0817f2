package controller

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
	"github.com/orq-ai/orq-operator/internal/agentdiff"
	"github.com/orq-ai/orq-operator/internal/orqclient"
)

// fakeAPI is a func-field fake of AgentAPI: each test sets only the calls it expects; an
// unexpected call fails the test.
type fakeAPI struct {
	t         *testing.T
	CreateFn  func(ctx context.Context, body orqclient.Body) (*orqclient.Agent, error)
	GetFn     func(ctx context.Context, key string) (*orqclient.Agent, error)
	UpdateFn  func(ctx context.Context, key string, body orqclient.Body) (*orqclient.Agent, error)
	DeleteFn  func(ctx context.Context, key string) error
	callCount map[string]int
}

var _ AgentAPI = (*fakeAPI)(nil)

func (f *fakeAPI) count(op string) {
	if f.callCount == nil {
		f.callCount = map[string]int{}
	}
	f.callCount[op]++
}

func (f *fakeAPI) CreateAgent(ctx context.Context, body orqclient.Body) (*orqclient.Agent, error) {
	f.count("create")
	if f.CreateFn == nil {
		f.t.Fatal("unexpected CreateAgent")
	}
	return f.CreateFn(ctx, body)
}

func (f *fakeAPI) GetAgent(ctx context.Context, key string) (*orqclient.Agent, error) {
	f.count("get")
	if f.GetFn == nil {
		f.t.Fatal("unexpected GetAgent")
	}
	return f.GetFn(ctx, key)
}

func (f *fakeAPI) UpdateAgent(ctx context.Context, key string, body orqclient.Body) (*orqclient.Agent, error) {
	f.count("update")
	if f.UpdateFn == nil {
		f.t.Fatal("unexpected UpdateAgent")
	}
	return f.UpdateFn(ctx, key, body)
}

func (f *fakeAPI) DeleteAgent(ctx context.Context, key string) error {
	f.count("delete")
	if f.DeleteFn == nil {
		f.t.Fatal("unexpected DeleteAgent")
	}
	return f.DeleteFn(ctx, key)
}

func apiError(kind orqclient.Kind, status int) error {
	return &orqclient.Error{Kind: kind, Op: "test", StatusCode: status, Message: "api says no", RetryAfter: 3 * time.Second}
}

func TestClassify(t *testing.T) {
	cases := []struct {
		err     error
		outcome outcome
		reason  string
		after   time.Duration
	}{
		{apiError(orqclient.KindInvalid, 400), terminal, ReasonAPIRejected, 0},
		{fmt.Errorf("%w: bad", errInvalidSpec), terminal, ReasonInvalidSpec, 0},
		{apiError(orqclient.KindUnauthorized, 401), stalledSlow, ReasonUnauthorized, unauthorizedRetry},
		{apiError(orqclient.KindRateLimited, 429), waiting, ReasonRateLimited, 3 * time.Second},
		{&orqclient.Error{Kind: orqclient.KindRateLimited}, waiting, ReasonRateLimited, defaultRateLimitDelay},
		{apiError(orqclient.KindUnavailable, 503), waiting, ReasonAPIUnavailable, 3 * time.Second},
		{&orqclient.Error{Kind: orqclient.KindUnavailable, StatusCode: 500}, retryable, ReasonAPIUnavailable, 0},
		{apiError(orqclient.KindMisconfigured, 301), stalledSlow, ReasonAPIMisconfigured, unauthorizedRetry},
		{&orqclient.Error{Kind: orqclient.KindNotFound, StatusCode: 404}, retryable, ReasonAPIUnavailable, 0},
		{errors.New("kube said no"), retryable, ReasonProgressing, 0},
	}
	for _, tc := range cases {
		got := classify(tc.err)
		if got.outcome != tc.outcome || got.reason != tc.reason || got.after != tc.after {
			t.Errorf("classify(%v) = %+v, want %v %s %s", tc.err, got, tc.outcome, tc.reason, tc.after)
		}
	}
}

func remoteFor(t *testing.T, a *orqv1alpha1.Agent) *orqclient.Agent {
	t.Helper()
	desired, err := agentdiff.Desired(a)
	if err != nil {
		t.Fatal(err)
	}
	raw := orqclient.Body{"_id": "01ID", "key": a.RemoteKey(), "project_id": "p", "status": "live", "version": "1.0.0"}
	for k, v := range desired {
		raw[k] = v
	}
	return &orqclient.Agent{ID: "01ID", Key: a.RemoteKey(), ProjectID: "p", Status: "live", Version: "1.0.0", Raw: raw}
}

type ensureRemoteCase struct {
	name     string
	statusID string // "observed": no id, but a version seen under managementPolicy Observe
	api      fakeAPI
	wantErr  orqclient.Kind
	wantCall map[string]int
	wrote    bool
}

func TestEnsureRemote(t *testing.T) {
	existing := sampleAgent("ns", "a")
	cases := []ensureRemoteCase{
		{
			name: "never created: one POST, no read",
			api: fakeAPI{CreateFn: func(_ context.Context, b orqclient.Body) (*orqclient.Agent, error) {
				return remoteFor(t, existing), nil
			}},
			wantCall: map[string]int{"create": 1}, wrote: true,
		},
		{
			name: "never created but the key exists: read and adopt",
			api: fakeAPI{
				CreateFn: func(context.Context, orqclient.Body) (*orqclient.Agent, error) {
					return nil, apiError(orqclient.KindConflict, 409)
				},
				GetFn: func(context.Context, string) (*orqclient.Agent, error) { return remoteFor(t, existing), nil },
			},
			wantCall: map[string]int{"create": 1, "get": 1},
		},
		{
			name: "created before: read only", statusID: "01ID",
			api:      fakeAPI{GetFn: func(context.Context, string) (*orqclient.Agent, error) { return remoteFor(t, existing), nil }},
			wantCall: map[string]int{"get": 1},
		},
		{
			name: "created before but deleted outside: created again", statusID: "01ID",
			api: fakeAPI{
				GetFn: func(context.Context, string) (*orqclient.Agent, error) {
					return nil, apiError(orqclient.KindNotFound, 404)
				},
				CreateFn: func(context.Context, orqclient.Body) (*orqclient.Agent, error) { return remoteFor(t, existing), nil },
			},
			wantCall: map[string]int{"get": 1, "create": 1}, wrote: true,
		},
		{
			name: "read fails: no create", statusID: "01ID",
			api: fakeAPI{GetFn: func(context.Context, string) (*orqclient.Agent, error) {
				return nil, apiError(orqclient.KindUnavailable, 503)
			}},
			wantErr:  orqclient.KindUnavailable,
			wantCall: map[string]int{"get": 1},
		},
		{
			name: "create refused",
			api: fakeAPI{CreateFn: func(context.Context, orqclient.Body) (*orqclient.Agent, error) {
				return nil, apiError(orqclient.KindInvalid, 400)
			}},
			wantErr:  orqclient.KindInvalid,
			wantCall: map[string]int{"create": 1},
		},
	}
	differs := remoteFor(t, existing)
	differs.Raw["role"] = "someone else's"
	differs.Raw["created"] = time.Now().Add(time.Hour).Format(time.RFC3339) // after the Agent
	cases = append(cases, ensureRemoteCase{
		name:     "observed before: a 409 is someone else's, whatever the clocks say",
		statusID: "observed",
		api: fakeAPI{
			CreateFn: func(context.Context, orqclient.Body) (*orqclient.Agent, error) {
				return nil, apiError(orqclient.KindConflict, 409)
			},
			GetFn: func(context.Context, string) (*orqclient.Agent, error) { return differs, nil },
		},
		wantCall: map[string]int{"create": 1, "get": 1},
	})
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			api := tc.api
			api.t = t
			r := &AgentReconciler{API: &api}
			a := existing.DeepCopy()
			a.Status.ID = tc.statusID
			if tc.statusID == "observed" {
				a.Status.ID, a.Status.Version = "", "1.0.0"
			}
			desired, _ := agentdiff.Desired(a)
			remote, wrote, err := r.ensureRemote(context.Background(), a, desired)
			if tc.statusID == "observed" {
				if !errors.Is(err, errAdoptionRequired) {
					t.Fatalf("err = %v, want adoption required", err)
				}
				return
			}
			if orqclient.KindOf(err) != tc.wantErr {
				t.Fatalf("err = %v, want kind %q", err, tc.wantErr)
			}
			if err == nil && remote == nil {
				t.Fatal("no remote agent returned")
			}
			if wrote != tc.wrote {
				t.Errorf("wrote = %v, want %v", wrote, tc.wrote)
			}
			if !reflect.DeepEqual(api.callCount, tc.wantCall) {
				t.Errorf("calls = %v, want %v", api.callCount, tc.wantCall)
			}
		})
	}
}

func TestUpdateRemotePatchesOnlyWhatDiffers(t *testing.T) {
	a := sampleAgent("ns", "a")
	remote := remoteFor(t, a)

	if changed := agentdiff.Diff(mustDesired(t, a), agentdiff.Observed(remote.Raw)); len(changed) != 0 {
		t.Fatalf("an agent equal to its spec differs in %v", changed)
	}

	api := &fakeAPI{t: t}
	r := &AgentReconciler{API: api}
	a.Spec.Role = "New role"
	var sent orqclient.Body
	api.UpdateFn = func(_ context.Context, key string, body orqclient.Body) (*orqclient.Agent, error) {
		sent = body
		return remoteFor(t, a), nil
	}
	desired := mustDesired(t, a)
	if _, err := r.updateRemote(context.Background(), a, desired, agentdiff.Diff(desired, agentdiff.Observed(remote.Raw))); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(sent, orqclient.Body{"role": "New role"}) {
		t.Errorf("PATCH body = %v, want only the role", sent)
	}
}

func TestFailSetsConditionsByClass(t *testing.T) {
	cases := []struct {
		err           error
		wantStalled   bool
		wantRequeue   time.Duration
		wantTerminal  bool
		wantReturnErr bool
	}{
		{apiError(orqclient.KindInvalid, 400), true, 0, true, true},
		{apiError(orqclient.KindUnauthorized, 403), true, unauthorizedRetry, false, false},
		{apiError(orqclient.KindRateLimited, 429), false, 3 * time.Second, false, false},
		{&orqclient.Error{Kind: orqclient.KindUnavailable, StatusCode: 500}, false, 0, false, true},
	}
	for _, tc := range cases {
		t.Run(string(orqclient.KindOf(tc.err)), func(t *testing.T) {
			a := sampleAgent("ns", "a")
			a.Generation = 4
			res, err := (&AgentReconciler{}).fail(context.Background(), a, tc.err)
			if (err != nil) != tc.wantReturnErr || errors.Is(err, reconcile.TerminalError(nil)) != tc.wantTerminal {
				t.Errorf("err = %v", err)
			}
			if res.RequeueAfter != tc.wantRequeue {
				t.Errorf("RequeueAfter = %s, want %s", res.RequeueAfter, tc.wantRequeue)
			}
			ready := meta.FindStatusCondition(a.Status.Conditions, ConditionReady)
			if ready == nil || ready.Status != metav1.ConditionFalse || ready.Message != tc.err.Error() {
				t.Errorf("Ready = %+v", ready)
			}
			stalled := meta.IsStatusConditionTrue(a.Status.Conditions, ConditionStalled)
			reconciling := meta.IsStatusConditionTrue(a.Status.Conditions, ConditionReconciling)
			if stalled != tc.wantStalled || reconciling == tc.wantStalled {
				t.Errorf("Stalled = %v, Reconciling = %v", stalled, reconciling)
			}
			if tc.wantStalled != (a.Status.ObservedGeneration == 4) {
				t.Errorf("observedGeneration = %d: set only when the generation is fully processed", a.Status.ObservedGeneration)
			}
		})
	}
}

func mustDesired(t *testing.T, a *orqv1alpha1.Agent) orqclient.Body {
	t.Helper()
	d, err := agentdiff.Desired(a)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

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

func TestTruncate(t *testing.T) {
	if got := truncate("short", 10); got != "short" {
		t.Errorf("truncate kept %q", got)
	}
	long := strings.Repeat("é", 600) // 1200 bytes
	got := truncate(long, maxEventNote)
	if len(got) > maxEventNote || !utf8.ValidString(got) || !strings.HasSuffix(got, "...") {
		t.Errorf("truncate gave %d bytes, valid %v", len(got), utf8.ValidString(got))
	}
}
