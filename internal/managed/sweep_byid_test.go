package managed

import (
	"context"
	"testing"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
	"github.com/orq-ai/orq-operator/internal/orqclient"
)

// byIDKind is testKind in a collection addressed by id, as tools and knowledge bases are.
type byIDKind struct{ testKind }

func (byIDKind) Endpoint() orqclient.Endpoint {
	return orqclient.Endpoint{Kind: "tool", Path: "/v2/tools", ByID: true}
}

// S1 (review 2): an object of a collection addressed by id under managementPolicy Observe records
// no id (Observe never claims), so the sweep, which matched such objects by id only, woke every
// one at every sweep: each then listed the whole collection again to find its key and read its
// remote object, N listings a period instead of one. `manager export` writes Observe for every
// http tool with an encrypted header and every external knowledge base. An observed object is
// found in the listing by its key, and woken only when its remote object changed.
func TestS1AnObservedObjectAddressedByIDIsWokenOnlyWhenItChanges(t *testing.T) {
	observed := syncedAgent(0)
	observed.Spec.ManagementPolicy = orqv1alpha1.ManagementPolicyObserve
	observed.Status.ID = "" // Observe records no id
	changed := syncedAgent(1)
	changed.Spec.ManagementPolicy = orqv1alpha1.ManagementPolicyObserve
	changed.Status.ID = ""
	lister := &pagedLister{agents: []orqclient.Agent{
		{ID: "01STUDIO0", Key: observed.RemoteKey(), Updated: "t0"},
		{ID: "01STUDIO1", Key: changed.RemoteKey(), Updated: "t1"}, // edited in the studio
	}}
	r := newTestReconciler(reconcilerFields{Client: newFakeClient(t, observed, changed), API: &fakeAPI{t: t, ListFn: lister.list}})
	r.Kind, r.Kinds = byIDKind{}, NewRegistry(byIDKind{})
	s := newSweeper(r)
	s.sweep(context.Background())
	var woken []string
	for len(s.events) > 0 {
		woken = append(woken, (<-s.events).Object.GetName())
	}
	if len(woken) != 1 || woken[0] != changed.Name {
		t.Errorf("woken %v, want only %s, whose remote object changed", woken, changed.Name)
	}
}
