package controller

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
	"sigs.k8s.io/controller-runtime/pkg/event"
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
	statusID string
	attempt  time.Time // a create attempt whose outcome is unknown, if not zero
	api      fakeAPI
	wantErr  orqclient.Kind // or "adoption"
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
	foreign := remoteFor(t, existing)
	foreign.Raw["role"] = "someone else's"
	foreign.Raw["created"] = time.Now().Add(-time.Hour).Format(time.RFC3339Nano) // before any attempt
	lost := remoteFor(t, existing)
	lost.Raw["role"] = "the spec of the lost create"
	lost.Raw["created"] = time.Now().Format(time.RFC3339Nano) // after the attempt recorded below
	conflict := func(context.Context, orqclient.Body) (*orqclient.Agent, error) {
		return nil, apiError(orqclient.KindConflict, 409)
	}
	cases = append(cases,
		ensureRemoteCase{
			name:     "someone else's agent, different from the spec: adoption required",
			api:      fakeAPI{CreateFn: conflict, GetFn: func(context.Context, string) (*orqclient.Agent, error) { return foreign, nil }},
			wantErr:  "adoption",
			wantCall: map[string]int{"create": 1, "get": 1},
		},
		ensureRemoteCase{
			name:     "the answer of an earlier create was lost: its agent is this Agent's",
			attempt:  time.Now().Add(-time.Minute),
			api:      fakeAPI{CreateFn: conflict, GetFn: func(context.Context, string) (*orqclient.Agent, error) { return lost, nil }},
			wantCall: map[string]int{"create": 1, "get": 1},
		},
	)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			api := tc.api
			api.t = t
			a := existing.DeepCopy()
			a.Status.ID = tc.statusID
			if !tc.attempt.IsZero() {
				at := metav1.NewMicroTime(tc.attempt)
				a.Status.CreateAttemptedAt = &at
			}
			k8s := newFakeClient(t, a)
			r := &AgentReconciler{Client: k8s, API: &api, CreateClockSkew: time.Millisecond}
			original := a.DeepCopy()
			desired, _ := agentdiff.Desired(a)
			remote, wrote, err := r.ensureRemote(context.Background(), r.API, a, original, desired)
			if tc.wantErr == "adoption" {
				if !errors.Is(err, errAdoptionRequired) {
					t.Fatalf("err = %v, want adoption required", err)
				}
			} else if orqclient.KindOf(err) != tc.wantErr {
				t.Fatalf("err = %v, want kind %q", err, tc.wantErr)
			}
			if api.callCount["create"] > 0 {
				stored := &orqv1alpha1.Agent{}
				if err := k8s.Get(context.Background(), client.ObjectKeyFromObject(a), stored); err != nil {
					t.Fatal(err)
				}
				if stored.Status.CreateAttemptedAt == nil {
					t.Error("the create attempt was not written before the POST")
				}
			}
			if err == nil && a.Status.ID != remote.ID {
				t.Errorf("status.id = %q, want the remote agent's %q recorded at once", a.Status.ID, remote.ID)
			}
			if err == nil && a.Status.CreateAttemptedAt != nil {
				t.Error("the create attempt is still open after the agent was recorded")
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

// The first create's attempt is recorded with the finalizer, in one write; no status write of
// its own comes before the POST. A refused create removes it.
func TestFirstCreateAttemptIsWrittenWithTheFinalizer(t *testing.T) {
	a := sampleAgent("ns", "a")
	c := newFakeClient(t, a)
	api := &fakeAPI{t: t, CreateFn: func(context.Context, orqclient.Body) (*orqclient.Agent, error) {
		return nil, apiError(orqclient.KindInvalid, 400)
	}}
	r := &AgentReconciler{Client: c, API: api}
	ctx := context.Background()
	if err := r.ensureFinalizer(ctx, a); err != nil {
		t.Fatal(err)
	}
	if _, ok := firstCreateAttempt(a); !ok {
		t.Fatalf("no create attempt in %v", a.Annotations)
	}
	stored := &orqv1alpha1.Agent{}
	_ = c.Get(ctx, client.ObjectKeyFromObject(a), stored)
	rv := stored.ResourceVersion
	if err := r.recordCreateAttempt(ctx, a, a.DeepCopy()); err != nil {
		t.Fatal(err)
	}
	_ = c.Get(ctx, client.ObjectKeyFromObject(a), stored)
	if stored.ResourceVersion != rv || stored.Status.CreateAttemptedAt != nil {
		t.Error("the annotation is the marker: no status write before the POST")
	}
	if _, _, err := r.ensureRemote(ctx, r.API, a, a.DeepCopy(), mustDesired(t, a)); orqclient.KindOf(err) != orqclient.KindInvalid {
		t.Fatalf("err = %v", err)
	}
	_ = c.Get(ctx, client.ObjectKeyFromObject(a), stored)
	if _, ok := stored.Annotations[orqv1alpha1.AnnotationCreateAttemptedAt]; ok {
		t.Error("a refused create created nothing: the attempt is removed")
	}
	a.Status.ID = "01J"
	a.Annotations = map[string]string{orqv1alpha1.AnnotationCreateAttemptedAt: time.Now().Format(time.RFC3339Nano)}
	if _, ok := firstCreateAttempt(a); ok {
		t.Error("once an agent is recorded, the first attempt no longer counts")
	}
}

func TestRefusedCreateClosesTheAttempt(t *testing.T) {
	a := sampleAgent("ns", "a")
	api := &fakeAPI{t: t, CreateFn: func(context.Context, orqclient.Body) (*orqclient.Agent, error) {
		return nil, apiError(orqclient.KindInvalid, 400)
	}}
	r := &AgentReconciler{Client: newFakeClient(t, a), API: api}
	if _, _, err := r.ensureRemote(context.Background(), r.API, a, a.DeepCopy(), mustDesired(t, a)); orqclient.KindOf(err) != orqclient.KindInvalid {
		t.Fatalf("err = %v", err)
	}
	if a.Status.CreateAttemptedAt != nil {
		t.Error("a create the API refused created nothing: no attempt stays open")
	}
	r.API = &fakeAPI{t: t, CreateFn: func(context.Context, orqclient.Body) (*orqclient.Agent, error) {
		return nil, &orqclient.Error{Kind: orqclient.KindUnavailable, Message: "request timed out"}
	}}
	if _, _, err := r.ensureRemote(context.Background(), r.API, a, a.DeepCopy(), mustDesired(t, a)); err == nil {
		t.Fatal("want the timeout")
	}
	if a.Status.CreateAttemptedAt == nil {
		t.Error("a timed-out create may have succeeded: the attempt must stay open")
	}
}

// newFakeClient is a fake Kubernetes client holding objs.
func newFakeClient(t *testing.T, objs ...client.Object) client.Client {
	t.Helper()
	s := runtime.NewScheme()
	if err := orqv1alpha1.AddToScheme(s); err != nil {
		t.Fatal(err)
	}
	if err := corev1.AddToScheme(s); err != nil {
		t.Fatal(err)
	}
	return fake.NewClientBuilder().WithScheme(s).WithStatusSubresource(&orqv1alpha1.Agent{}).WithObjects(objs...).Build()
}

// countingReader counts the reads made through it.
type countingReader struct {
	client.Reader
	n int
}

func (c *countingReader) Get(ctx context.Context, key client.ObjectKey, obj client.Object, opts ...client.GetOption) error {
	c.n++
	return c.Reader.Get(ctx, key, obj, opts...)
}

func updateEvent(old, new client.Object) event.UpdateEvent {
	return event.UpdateEvent{ObjectOld: old, ObjectNew: new}
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
	if _, err := r.updateRemote(context.Background(), r.API, a, desired, agentdiff.Diff(desired, agentdiff.Observed(remote.Raw))); err != nil {
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
