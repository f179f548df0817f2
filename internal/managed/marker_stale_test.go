package managed

import (
	"context"
	"testing"

	"sigs.k8s.io/controller-runtime/pkg/client"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
	"github.com/orq-ai/orq-operator/internal/orqclient"
)

// staleCache serves Gets of one object from a copy taken earlier, as an informer that has not yet
// seen the latest writes does; every other call reaches the cluster.
type staleCache struct {
	client.Client
	old client.Object
}

func (c *staleCache) Get(ctx context.Context, key client.ObjectKey, obj client.Object, opts ...client.GetOption) error {
	if c.old != nil && key == client.ObjectKeyFromObject(c.old) {
		c.old.(*orqv1alpha1.AgentSchedule).DeepCopyInto(obj.(*orqv1alpha1.AgentSchedule))
		return nil
	}
	return c.Client.Get(ctx, key, obj, opts...)
}

// A pass that reads its object from a cache not yet showing the marker of a create whose answer
// was lost saw no evidence of that create, and must not send another: for a schedule, both would
// run. Its marker write holds only on the version it read, so it is retried on the object as it is,
// and that pass recognises the lost create.
func TestAPassOnAStaleCopyDoesNotCreateASecondSchedule(t *testing.T) {
	s := schedule("regular", 1)
	s.Finalizers = []string{orqv1alpha1.FinalizerAgentSchedule}
	s.Status.ID = "01OLD" // deleted in the studio: the schedule is to be created again
	store := &scheduleStore{byID: map[string]orqclient.Body{}, lostAnswer: true}
	api := store.api(t)
	r := keylessReconciler(t, api, s)
	stale := &orqv1alpha1.AgentSchedule{}
	if err := r.Get(context.Background(), client.ObjectKeyFromObject(s), stale); err != nil {
		t.Fatal(err)
	}
	reconcileSchedule(t, r, s) // creates; the answer is lost
	if len(store.byID) != 1 {
		t.Fatalf("schedules in orq after the first create: %v", store.byID)
	}

	cached := &staleCache{Client: r.Client, old: stale}
	r.Client = cached
	reconcileSchedule(t, r, s)
	if n := api.calls()["create"]; n != 1 || len(store.byID) != 1 {
		t.Fatalf("a pass on a stale copy sent create number %d; schedules in orq %v", n, store.byID)
	}
	cached.old = nil // the cache caught up
	got := reconcileSchedule(t, r, s)
	if _, made := store.byID[got.Status.ID]; !made || len(store.byID) != 1 {
		t.Errorf("status.id %q, schedules in orq %v: want the one the lost create made", got.Status.ID, store.byID)
	}
}

// A stale copy can also still show the marker of a create whose outcome this process learned
// (refused: 404, the marker spent and cleared). A second create of the same body then writes no
// marker, the copy showing it already, and sends with none on the object: when its answer is
// lost, nothing proves that schedule this object's, and the next pass creates a second one that
// also runs. The marker is written again, on the version read, and stays known spent until
// that write lands (a conflict is retried, maybe on a cache still behind).
func TestAPassOnAStaleCopyStillShowingASpentMarkerDoesNotCreateASecondSchedule(t *testing.T) {
	s := schedule("regular", 1)
	s.Finalizers = []string{orqv1alpha1.FinalizerAgentSchedule}
	s.Status.ID = "01OLD" // deleted in the studio: the schedule is to be created again
	store := &scheduleStore{byID: map[string]orqclient.Body{}}
	api := store.api(t)
	r := keylessReconciler(t, api, s)
	stale := &orqv1alpha1.AgentSchedule{}
	create := api.CreateFn
	api.CreateFn = func(ctx context.Context, body orqclient.Body) (*orqclient.Agent, error) {
		// The copy a lagging cache holds: the marker of this create written, its clear not seen.
		if err := r.Get(ctx, client.ObjectKeyFromObject(s), stale); err != nil {
			t.Fatal(err)
		}
		api.CreateFn = create
		return nil, apiError(orqclient.KindNotFound, 404) // the agent version it names is not there yet
	}
	reconcileSchedule(t, r, s)
	if _, ok := stale.Annotations[orqv1alpha1.AnnotationCreateAttempt]; !ok || len(store.byID) != 0 {
		t.Fatalf("before the refused create: annotations %v; schedules in orq %v", stale.Annotations, store.byID)
	}

	store.lostAnswer = true
	cached := &staleCache{Client: r.Client, old: stale}
	r.Client = cached
	reconcileSchedule(t, r, s) // if it creates, the answer is lost
	reconcileSchedule(t, r, s) // the retry of a conflict, on a cache still behind
	cached.old = nil           // the cache caught up
	got := reconcileSchedule(t, r, s)
	if len(store.byID) != 1 {
		t.Errorf("schedules in orq %v (status.id %q), want one", store.byID, got.Status.ID)
	}
}
