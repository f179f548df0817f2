package managed

import (
	"context"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
	"github.com/orq-ai/orq-operator/internal/agentdiff"
	"github.com/orq-ai/orq-operator/internal/orqclient"
)

// testKind is the kind of the core's own tests: Agents, whose request is what agentdiff makes of
// their spec, naming nothing (the Agent adapter, internal/kinds/agent, resolves references; its
// unit tests run it on this core, and the envtest specs of internal/controller run every kind).
type testKind struct{}

var _ Kind = testKind{}

func (testKind) Name() string                 { return "Agent" }
func (testKind) New() Object                  { return &orqv1alpha1.Agent{} }
func (testKind) NewList() client.ObjectList   { return &orqv1alpha1.AgentList{} }
func (testKind) Endpoint() orqclient.Endpoint { return orqclient.Agents }
func (testKind) Finalizer() string            { return orqv1alpha1.FinalizerName }
func (testKind) Items(l client.ObjectList) []Object {
	items := l.(*orqv1alpha1.AgentList).Items
	out := make([]Object, len(items))
	for i := range items {
		out[i] = &items[i]
	}
	return out
}
func (testKind) References(Object) []Reference { return nil }
func (testKind) Desired(_ context.Context, _ *Inputs, o Object) (Desired, error) {
	body, err := agentdiff.Desired(o.(*orqv1alpha1.Agent))
	return Desired{Body: body}, err
}
func (testKind) Compare(desired orqclient.Body, remote *orqclient.Remote) []string {
	return agentdiff.Diff(desired, agentdiff.Observed(remote.Raw))
}
func (testKind) Patch(o Object, desired Desired, changed []string) orqclient.Body {
	return agentdiff.UpdateRequest(o.(*orqv1alpha1.Agent), desired.Body, changed)
}

// reconcilerFields are what a test sets of the reconciler of testKind.
type reconcilerFields struct {
	Client                        client.Client
	API                           API
	Recorder                      eventRecorder
	Now                           func() time.Time
	APIFor                        func(source, key string) (API, error)
	DefaultAPIKeyHash             string
	SecretReader, ConfigMapReader client.Reader
	SyncPeriod                    time.Duration
}

// newTestReconciler is the reconciler of testKind with these fields.
func newTestReconciler(f reconcilerFields) *Reconciler {
	values := &Values{Cache: f.Client, SecretReader: f.SecretReader, ConfigMapReader: f.ConfigMapReader}
	r := &Reconciler{Client: f.Client, Kind: testKind{}, Kinds: NewRegistry(testKind{}), Values: values,
		Workspaces: &Workspaces{API: f.API, DefaultKeyHash: f.DefaultAPIKeyHash, For: f.APIFor, Values: values},
		Now:        f.Now, SyncPeriod: f.SyncPeriod}
	if f.Recorder != nil {
		r.Recorder = f.Recorder
	}
	return r
}

// newFakeClient is a fake Kubernetes client holding objs, with the indexes of testKind.
func newFakeClient(t *testing.T, objs ...client.Object) client.Client {
	t.Helper()
	c, err := InMemoryClient(NewRegistry(testKind{}), objs...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// An object may be referenced from its own namespace, and from those its spec.allowReferencesFrom names.
func TestAllowsReferencesFrom(t *testing.T) {
	for _, tc := range []struct {
		allow []string
		from  string
		want  bool
	}{
		{nil, "team", true}, // its own namespace
		{nil, "other", false},
		{[]string{"other"}, "other", true},
		{[]string{"another"}, "other", false},
		{[]string{"*"}, "other", true},
	} {
		target := &orqv1alpha1.Agent{ObjectMeta: metav1.ObjectMeta{Namespace: "team"}}
		target.Spec.AllowReferencesFrom = tc.allow
		if got := allowsReferencesFrom(target, tc.from); got != tc.want {
			t.Errorf("allow %v, from %s: got %v, want %v", tc.allow, tc.from, got, tc.want)
		}
	}
}
