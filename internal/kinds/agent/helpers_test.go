package agent

import (
	"context"
	"maps"
	"reflect"
	"testing"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
	"github.com/orq-ai/orq-operator/internal/agentdiff"
	"github.com/orq-ai/orq-operator/internal/kinds/knowledgebase"
	"github.com/orq-ai/orq-operator/internal/kinds/memorystore"
	"github.com/orq-ai/orq-operator/internal/kinds/tool"
	"github.com/orq-ai/orq-operator/internal/managed"
	"github.com/orq-ai/orq-operator/internal/orqclient"
)

// operatorKey is the operator's own API key, and workspace its hash: the workspace of every
// object without spec.apiKeySecretRef.
const operatorKey = "sk-the-operators-key"

var workspace = orqclient.KeyHash(operatorKey)

// fakeAPI is a func-field fake of managed.API, for agents: each test sets only the calls it
// expects; an unexpected call fails the test.
type fakeAPI struct {
	t        *testing.T
	GetFn    func(key string) (*orqclient.Remote, error)
	CreateFn func(body orqclient.Body) (*orqclient.Remote, error)
	UpdateFn func(key string, body orqclient.Body) (*orqclient.Remote, error)
	DeleteFn func(key string) error
	CheckFn  func() error

	calls map[string]int // a reconcile calls it from one goroutine
}

var _ managed.API = (*fakeAPI)(nil)

// called counts a call, and fails the test when fn is not set.
func (f *fakeAPI) called(op string, fn any) bool {
	if f.calls == nil {
		f.calls = map[string]int{}
	}
	f.calls[op]++
	if reflect.ValueOf(fn).IsNil() {
		f.t.Errorf("unexpected %s", op)
		return false
	}
	return true
}

var errUnexpected = &orqclient.Error{Kind: orqclient.KindInvalid, Op: "test", Message: "unexpected call"}

func (f *fakeAPI) Create(_ context.Context, _ orqclient.Endpoint, _ string, body orqclient.Body) (*orqclient.Remote, error) {
	if !f.called("create", f.CreateFn) {
		return nil, errUnexpected
	}
	return f.CreateFn(body)
}

func (f *fakeAPI) Get(_ context.Context, _ orqclient.Endpoint, _, key string) (*orqclient.Remote, error) {
	if !f.called("get", f.GetFn) {
		return nil, errUnexpected
	}
	return f.GetFn(key)
}

func (f *fakeAPI) Update(_ context.Context, _ orqclient.Endpoint, _, key string, body orqclient.Body) (*orqclient.Remote, error) {
	if !f.called("update", f.UpdateFn) {
		return nil, errUnexpected
	}
	return f.UpdateFn(key, body)
}

func (f *fakeAPI) Delete(_ context.Context, _ orqclient.Endpoint, _, key string) error {
	if !f.called("delete", f.DeleteFn) {
		return errUnexpected
	}
	return f.DeleteFn(key)
}

func (f *fakeAPI) CheckAPI(context.Context) error {
	if !f.called("check", f.CheckFn) {
		return errUnexpected
	}
	return f.CheckFn()
}

func (f *fakeAPI) ListVersions(context.Context, orqclient.Endpoint, string, orqclient.ListOptions) (*orqclient.VersionPage, error) {
	f.called("list", nil)
	return nil, errUnexpected
}

// remoteOf is the agent orq holds for a request: the request, with an id and what orq adds.
func remoteOf(id string, body orqclient.Body) *orqclient.Remote {
	raw := maps.Clone(body)
	raw["_id"], raw["project_id"], raw["status"], raw["version"], raw["updated"] = id, "p", "live", "1.0.0", "t0"
	key, _ := raw["key"].(string)
	return &orqclient.Remote{ID: id, Key: key, Updated: "t0", Raw: raw}
}

// updated is remote after a PATCH of body.
func updated(remote *orqclient.Remote, body orqclient.Body) *orqclient.Remote {
	raw := maps.Clone(remote.Raw)
	maps.Copy(raw, body)
	raw["updated"] = "t1"
	return &orqclient.Remote{ID: remote.ID, Key: remote.Key, Updated: "t1", Raw: raw}
}

// kinds are the kinds an Agent references.
func kinds() *managed.Registry {
	return managed.NewRegistry(Kind{}, tool.Kind{}, knowledgebase.Kind{}, memorystore.Kind{})
}

// newReconciler is the Agent reconciler over an in-memory cluster holding objs, with api as the
// client of the operator's key.
func newReconciler(t *testing.T, api managed.API, objs ...client.Object) *managed.Reconciler {
	t.Helper()
	c, err := managed.InMemoryClient(kinds(), objs...)
	if err != nil {
		t.Fatal(err)
	}
	values := &managed.Values{Cache: c}
	return &managed.Reconciler{Client: c, Kind: Kind{}, Kinds: kinds(), Values: values,
		Workspaces: &managed.Workspaces{API: api, DefaultKeyHash: workspace, Values: values,
			For: func(string, string) (managed.API, error) { return api, nil }}}
}

// reconcile runs one reconcile of the Agent a, and returns it as stored after (nil: gone).
func reconcile(t *testing.T, r *managed.Reconciler, a client.Object) (*orqv1alpha1.Agent, ctrl.Result, error) {
	t.Helper()
	ctx := context.Background()
	res, err := r.Reconcile(ctx, ctrl.Request{NamespacedName: client.ObjectKeyFromObject(a)})
	stored := &orqv1alpha1.Agent{}
	if gerr := r.Get(ctx, client.ObjectKeyFromObject(a), stored); gerr != nil {
		stored = nil
	}
	return stored, res, err
}

// newAgent is an Agent with the fields orq requires.
func newAgent(ns, name string) *orqv1alpha1.Agent {
	return &orqv1alpha1.Agent{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, UID: types.UID("uid-" + ns + "." + name)},
		Spec: orqv1alpha1.AgentSpec{Role: "Support", Description: "Answers questions", Instructions: "Help.", Path: "Default/support",
			Model: orqv1alpha1.ModelConfig{ID: "openai/gpt-4o", Parameters: &orqv1alpha1.ModelParameters{Temperature: ptr.To(0.3)}}},
	}
}

// desired is the request of an Agent that names nothing by reference.
func desired(t *testing.T, a *orqv1alpha1.Agent) orqclient.Body {
	t.Helper()
	body, err := agentdiff.Desired(a)
	if err != nil {
		t.Fatal(err)
	}
	return body
}

// ready gives o the status of an object whose remote object exists, in the operator's workspace.
func ready(o managed.Object, id string) {
	st := o.ManagedStatus()
	st.ID, st.APIKeyHash, st.Key = id, workspace, o.RemoteKey()
	meta.SetStatusCondition(&st.Conditions, metav1.Condition{Type: orqv1alpha1.ConditionReady, Status: metav1.ConditionTrue, Reason: orqv1alpha1.ReasonSynced, Message: "m"})
}

// condition is the stored condition of this type ("" fields when absent).
func condition(a *orqv1alpha1.Agent, typ string) metav1.Condition {
	if c := meta.FindStatusCondition(a.Status.Conditions, typ); c != nil {
		return *c
	}
	return metav1.Condition{}
}
