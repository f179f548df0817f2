package managed

import (
	"context"
	"testing"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
	"github.com/orq-ai/orq-operator/internal/orqclient"
)

// scheduleStore is a fake orq holding an agent's schedules by id: Get, List and Create as orq
// answers them; lostAnswer makes the next create land and its answer be lost (a 504).
type scheduleStore struct {
	byID       map[string]orqclient.Body
	next       int
	lostAnswer bool
}

func (s *scheduleStore) api(t *testing.T) *fakeAPI {
	return &fakeAPI{t: t,
		GetFn: func(_ context.Context, id string) (*orqclient.Agent, error) {
			if body, ok := s.byID[id]; ok {
				return &orqclient.Agent{ID: id, Updated: "t0", Raw: body}, nil
			}
			return nil, apiError(orqclient.KindNotFound, 404)
		},
		ListFn: func(context.Context, orqclient.ListOptions) (*orqclient.VersionPage, error) {
			page := &orqclient.VersionPage{}
			for id := range s.byID {
				page.Versions = append(page.Versions, orqclient.Version{ID: id, Updated: "t0"})
			}
			return page, nil
		},
		CreateFn: func(_ context.Context, body orqclient.Body) (*orqclient.Agent, error) {
			s.next++
			id := "01NEW" + string(rune('0'+s.next))
			s.byID[id] = body
			if s.lostAnswer {
				s.lostAnswer = false
				return nil, apiError(orqclient.KindUnavailable, 504)
			}
			return &orqclient.Agent{ID: id, Updated: "t1", Raw: body}, nil
		},
	}
}

// refusedWithAMarker is an AgentSchedule naming the schedule id to adopt, without Adopt: stalled
// AdoptionRequired, its create marker (of its own body) still on it.
func refusedWithAMarker(id string) *orqv1alpha1.AgentSchedule {
	s := schedule("named", 1)
	s.Spec.ScheduleID = id
	s.Finalizers = []string{orqv1alpha1.FinalizerAgentSchedule}
	s.Annotations = map[string]string{orqv1alpha1.AnnotationCreateAttempt: "uid-named//" + Hash(bodyOf(s))}
	meta.SetStatusCondition(&s.Status.Conditions, metav1.Condition{Type: orqv1alpha1.ConditionStalled,
		Status: metav1.ConditionTrue, Reason: orqv1alpha1.ReasonAdoptionRequired})
	return s
}

// bodyOf is what the keyless kind sends for s.
func bodyOf(s *orqv1alpha1.AgentSchedule) orqclient.Body {
	return orqclient.Body{"expression": s.Spec.Expression, "display_name": s.Name}
}

// A create marker never proves the schedule the spec names to adopt: that one existed before the
// object, so no create of the object made it. Here the object does not adopt (no Adopt), was
// refused, and its marker stayed (a clear that failed before a restart, or a marker written by an
// earlier version of the operator with the finalizer). The schedule it names equals its body.
func TestAMarkerNeverProvesTheScheduleTheSpecNamesToAdopt(t *testing.T) {
	s := refusedWithAMarker("01S")
	store := &scheduleStore{byID: map[string]orqclient.Body{"01S": bodyOf(s)}}
	api := store.api(t)
	got := reconcileSchedule(t, keylessReconciler(t, api, s), s)
	if got.Status.ID != "" || !stalledWith(&got.Status.ResourceStatus, orqv1alpha1.ReasonAdoptionRequired) {
		t.Errorf("took schedule 01S without adoptionPolicy Adopt: status.id %q, conditions %v", got.Status.ID, got.Status.Conditions)
	}
	if n := api.calls()["update"] + api.calls()["create"]; n != 0 {
		t.Errorf("wrote to orq: %v", api.calls())
	}
}

// A schedule the spec adopts by id and that orq no longer has is created anew; when that
// create's answer is lost, the next pass recognises the schedule it made by its body among the
// agent's schedules, as for any lost create, rather than create a second one that also runs.
func TestALostCreateReplacingAGoneAdoptedScheduleIsRecognised(t *testing.T) {
	s := schedule("named", 1)
	s.Spec.ScheduleID = "01GONE"
	s.Spec.AdoptionPolicy = orqv1alpha1.AdoptionPolicyAdopt
	store := &scheduleStore{byID: map[string]orqclient.Body{}, lostAnswer: true}
	api := store.api(t)
	r := keylessReconciler(t, api, s)
	first := reconcileSchedule(t, r, s)
	if first.Status.ID != "" || len(store.byID) != 1 {
		t.Fatalf("after the lost answer: status.id %q, schedules in orq %v", first.Status.ID, store.byID)
	}
	got := reconcileSchedule(t, r, first)
	if got.Status.ID != "01NEW1" || len(store.byID) != 1 {
		t.Errorf("status.id %q, schedules in orq %d (%v), want the one the lost create made and no other",
			got.Status.ID, len(store.byID), store.byID)
	}
}

// An object that names a schedule to adopt reads it before it creates anything, and that read can
// fail: the marker written with the finalizer would then stand for a create never sent, and the
// next pass, finding the named schedule gone, would take a schedule made by hand with the same
// body for its own. The marker waits for a create that is sent.
func TestAReadThatFailsBeforeAnyCreateLeavesNoEvidence(t *testing.T) {
	s := schedule("named", 1)
	s.Spec.ScheduleID = "01GONE"
	s.Spec.AdoptionPolicy = orqv1alpha1.AdoptionPolicyAdopt
	store := &scheduleStore{byID: map[string]orqclient.Body{}}
	api := store.api(t)
	get := api.GetFn
	api.GetFn = func(context.Context, string) (*orqclient.Agent, error) {
		return nil, apiError(orqclient.KindUnavailable, 503)
	}
	r := keylessReconciler(t, api, s)
	first := reconcileSchedule(t, r, s)
	if _, ok := first.Annotations[orqv1alpha1.AnnotationCreateAttempt]; ok || len(store.byID) != 0 {
		t.Fatalf("a pass that sent no create left a create marker (%v) or a schedule (%v)", first.Annotations, store.byID)
	}
	api.GetFn = get
	store.byID["01HAND"] = bodyOf(s) // made in the studio, equal to the spec
	got := reconcileSchedule(t, r, first)
	if got.Status.ID == "01HAND" {
		t.Errorf("took the schedule made by hand for its own lost create")
	}
}
