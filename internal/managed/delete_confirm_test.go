package managed

import (
	"context"
	"testing"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
	"github.com/orq-ai/orq-operator/internal/orqclient"
)

// memoryStoreLikeKind is testKind in a collection other than the agents', addressed by key, as
// memory stores are.
type memoryStoreLikeKind struct{ testKind }

func (memoryStoreLikeKind) Endpoint() orqclient.Endpoint {
	return orqclient.Endpoint{Kind: "memory store", Path: "/v2/memory-stores"}
}

// S8 (review 2): a 404 lets an object go only once orq itself is seen to answer (#18.7), but that
// was confirmed by listing the agents only: a gateway in front of orq that routes /v2/agents and
// answers a route miss of another collection in orq's own 404 shape (a route removed, a base URL
// moved to a gateway configured for agents) released every memory store (or schedule, tool,
// knowledge base) being deleted, which stayed in orq. The object's own collection must answer
// too; until then it stays, with the error naming what answered.
func TestS8A404IsConfirmedByTheObjectsOwnCollection(t *testing.T) {
	a := deletingAgent(t, func(a *orqv1alpha1.Agent) { a.Status.ID = "01MEM" })
	gateway := &orqclient.Error{Kind: orqclient.KindMisconfigured, Op: "list memory stores", StatusCode: 404,
		Message: "https://gw.example/v2 answered 404 to a request that names no object: check the orq API base URL"}
	api := &fakeAPI{t: t,
		GetFn: func(context.Context, string) (*orqclient.Agent, error) {
			return nil, apiError(orqclient.KindNotFound, 404)
		},
		CheckFn: func(context.Context) error { return nil }, // the agents' route answers
		ListFn:  func(context.Context, orqclient.ListOptions) (*orqclient.VersionPage, error) { return nil, gateway },
	}
	r := newTestReconciler(reconcilerFields{Client: newFakeClient(t, a), API: api})
	r.Kind, r.Kinds = memoryStoreLikeKind{}, NewRegistry(memoryStoreLikeKind{})
	stored, _, _ := reconcileOnce(t, r, a)
	if stored == nil {
		t.Fatalf("released on a 404 its own collection did not confirm (calls %v)", api.calls())
	}
	if !stalledWith(&stored.Status.ResourceStatus, orqv1alpha1.ReasonAPIMisconfigured) {
		t.Errorf("conditions %v, want Stalled APIMisconfigured naming what answered", stored.Status.Conditions)
	}
}
