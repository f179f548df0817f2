package export

import (
	"context"
	"encoding/json"
	"testing"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
	"github.com/orq-ai/orq-operator/internal/orqclient"
)

// fakeLister answers the list of each collection, by path (path@parent for a nested one), with
// its remote objects.
type fakeLister map[string][]orqclient.Remote

func (f fakeLister) ListAll(_ context.Context, e orqclient.Endpoint, parent string) ([]orqclient.Remote, error) {
	if parent != "" {
		return f[e.Path+"@"+parent], nil
	}
	return f[e.Path], nil
}

// agentsOnly is a workspace holding these agents and nothing else.
func agentsOnly(rs ...orqclient.Remote) fakeLister { return fakeLister{orqclient.Agents.Path: rs} }

// exportAll exports the workspace, failing the test on an error.
func exportAll(t *testing.T, l Lister, o Options) *Result {
	t.Helper()
	res, err := Manifests(context.Background(), l, o)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// objectsOf returns the objects of the manifests of one kind, by name.
func objectsOf[T any](res *Result) map[string]*T {
	out := map[string]*T{}
	for _, m := range res.Manifests {
		if o, ok := any(m.Object).(*T); ok {
			out[m.Object.GetName()] = o
		}
	}
	return out
}

// exportedAgents returns the Agents of an export, in its order.
func exportedAgents(res *Result) []*orqv1alpha1.Agent {
	var out []*orqv1alpha1.Agent
	for _, m := range res.Manifests {
		if a, ok := m.Object.(*orqv1alpha1.Agent); ok {
			out = append(out, a)
		}
	}
	return out
}

// rawJSON is a free-form JSON value of a spec.
func rawJSON(s string) *apiextensionsv1.JSON { return &apiextensionsv1.JSON{Raw: []byte(s)} }

// mustJSON is v as JSON, for messages.
func mustJSON(t *testing.T, v any) string {
	t.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(raw)
}

// sameJSON is v as JSON decodes it: two specs are the same when these are equal (free-form
// values compare by meaning, not by their bytes).
func sameJSON(t *testing.T, v any) any {
	t.Helper()
	var out any
	if err := json.Unmarshal([]byte(mustJSON(t, v)), &out); err != nil {
		t.Fatal(err)
	}
	return out
}
