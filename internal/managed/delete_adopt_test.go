package managed

import (
	"context"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
	"github.com/orq-ai/orq-operator/internal/orqclient"
)

// An AgentSchedule that names a schedule orq no longer has creates one in its place; that
// create's answer is lost, and the object is deleted before a pass recognises it. Its marker
// proves the schedule the lost create made (its body, among the agent's schedules no object
// records): the deletion deletes it, rather than leave a second running schedule in orq, or
// take every unrecorded schedule of the agent for a candidate (its request not yet rebuilt)
// and keep the object for ever.
// The same holds for the re-create of a schedule deleted in the studio (status.id recorded).
func TestDeletingAScheduleWhoseCreateReplacingAGoneAdoptedOneWasLostDeletesIt(t *testing.T) {
	adopting := schedule("named", 1)
	adopting.Spec.ScheduleID = "01GONE"
	adopting.Spec.AdoptionPolicy = orqv1alpha1.AdoptionPolicyAdopt
	recreating := schedule("recreated", 1)
	recreating.Finalizers = []string{orqv1alpha1.FinalizerAgentSchedule}
	recreating.Status.ID = "01OLD"
	for _, s := range []*orqv1alpha1.AgentSchedule{adopting, recreating} {
		t.Run(s.Name, func(t *testing.T) { deleteAfterLostCreate(t, s) })
	}
}

func deleteAfterLostCreate(t *testing.T, s *orqv1alpha1.AgentSchedule) {
	store := &scheduleStore{byID: map[string]orqclient.Body{}, lostAnswer: true}
	api := store.api(t)
	api.DeleteFn = func(_ context.Context, id string) error {
		if _, ok := store.byID[id]; !ok {
			return apiError(orqclient.KindNotFound, 404)
		}
		delete(store.byID, id)
		return nil
	}
	api.CheckFn = func(context.Context) error { return nil }
	r := keylessReconciler(t, api, s)
	first := reconcileSchedule(t, r, s)
	if first.Status.ID != s.Status.ID || len(store.byID) != 1 {
		t.Fatalf("after the lost answer: status.id %q, schedules in orq %v", first.Status.ID, store.byID)
	}
	ctx := context.Background()
	if err := r.Delete(ctx, first); err != nil {
		t.Fatal(err)
	}
	_, _ = r.Reconcile(ctx, reconcileRequest(s))
	err := r.Get(ctx, client.ObjectKeyFromObject(s), &orqv1alpha1.AgentSchedule{})
	if len(store.byID) != 0 || !apierrors.IsNotFound(err) {
		got := &orqv1alpha1.AgentSchedule{}
		_ = r.Get(ctx, client.ObjectKeyFromObject(s), got)
		t.Errorf("schedules left in orq %v, object still there: %v (conditions %v)", store.byID, err == nil, got.Status.Conditions)
	}
}

// A create marker never proves the schedule the spec names to adopt, when the object is deleted
// either: that schedule existed before the object. An object that does not adopt (no Adopt),
// stalled AdoptionRequired with a marker that stayed (written with the finalizer by an earlier
// version of the operator, or by a create sent while its credentials reached another workspace),
// is deleted: the schedule it names, equal to its body, stays in orq.
func TestDeletingAScheduleNeverDeletesTheScheduleItNamesOnTheWordOfAMarker(t *testing.T) {
	s := refusedWithAMarker("01S")
	store := &scheduleStore{byID: map[string]orqclient.Body{"01S": bodyOf(s)}}
	api := store.api(t)
	api.DeleteFn = func(_ context.Context, id string) error {
		delete(store.byID, id)
		return nil
	}
	r := keylessReconciler(t, api, s)
	ctx := context.Background()
	if err := r.Delete(ctx, s); err != nil {
		t.Fatal(err)
	}
	_, _ = r.Reconcile(ctx, reconcileRequest(s))
	if _, ok := store.byID["01S"]; !ok || api.calls()["delete"] != 0 {
		t.Errorf("deleted the schedule 01S the spec names, which no create of the object made: calls %v", api.calls())
	}
}
