package managed

import (
	"context"
	"reflect"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
	"github.com/orq-ai/orq-operator/internal/orqclient"
)

// keylessKind is a kind without keys, as schedules are: AgentSchedules, their request the
// expression and the display name, under the agent "bot"; an object adopts by spec.scheduleId.
type keylessKind struct{}

var _ Kind = keylessKind{}

func (keylessKind) Name() string               { return "AgentSchedule" }
func (keylessKind) New() Object                { return &orqv1alpha1.AgentSchedule{} }
func (keylessKind) NewList() client.ObjectList { return &orqv1alpha1.AgentScheduleList{} }
func (keylessKind) Endpoint() orqclient.Endpoint {
	return orqclient.Endpoint{Kind: "schedule", Path: "/v3/agents/{parent}/schedules", ByID: true, Keyless: true}
}
func (keylessKind) Finalizer() string { return orqv1alpha1.FinalizerAgentSchedule }
func (keylessKind) Items(l client.ObjectList) []Object {
	items := l.(*orqv1alpha1.AgentScheduleList).Items
	out := make([]Object, len(items))
	for i := range items {
		out[i] = &items[i]
	}
	return out
}
func (keylessKind) References(Object) []Reference { return nil }
func (keylessKind) Desired(_ context.Context, _ *Inputs, o Object) (Desired, error) {
	s := o.(*orqv1alpha1.AgentSchedule)
	return Desired{Body: orqclient.Body{"expression": s.Spec.Expression, "display_name": s.Name}, Parent: "bot"}, nil
}
func (keylessKind) Compare(desired orqclient.Body, remote *orqclient.Remote) []string {
	var out []string
	for _, f := range []string{"display_name", "expression"} {
		if !reflect.DeepEqual(desired[f], remote.Raw[f]) {
			out = append(out, f)
		}
	}
	return out
}
func (keylessKind) Patch(_ Object, desired Desired, _ []string) orqclient.Body { return desired.Body }

// schedule is an AgentSchedule of the keyless kind, applied at second created.
func schedule(name string, created int64) *orqv1alpha1.AgentSchedule {
	return &orqv1alpha1.AgentSchedule{
		ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: name, UID: types.UID("uid-" + name), Generation: 1,
			CreationTimestamp: metav1.NewTime(time.Unix(created, 0))},
		Spec: orqv1alpha1.AgentScheduleSpec{AgentRef: orqv1alpha1.LocalAgentReference{Name: "bot"}, Expression: "0 0 9 * * *"},
	}
}

func keylessReconciler(t *testing.T, api API, objs ...client.Object) *Reconciler {
	c, err := InMemoryClient(NewRegistry(keylessKind{}), objs...)
	if err != nil {
		t.Fatal(err)
	}
	values := &Values{Cache: c}
	return &Reconciler{Client: c, Kind: keylessKind{}, Kinds: NewRegistry(keylessKind{}), Values: values,
		Workspaces: &Workspaces{API: api, Values: values}}
}

func reconcileSchedule(t *testing.T, r *Reconciler, s *orqv1alpha1.AgentSchedule) *orqv1alpha1.AgentSchedule {
	t.Helper()
	ctx := context.Background()
	_, _ = r.Reconcile(ctx, reconcileRequest(s))
	stored := &orqv1alpha1.AgentSchedule{}
	if err := r.Get(ctx, client.ObjectKeyFromObject(s), stored); err != nil {
		t.Fatal(err)
	}
	return stored
}

// S3 (review 2): a kind without keys knew a key holder only by the id a spec adopts
// (spec.scheduleId), not by the id an object records: an AgentSchedule that adopts (Adopt) the
// schedule another AgentSchedule created and manages was no KeyConflict, so both managed one
// schedule, put each other's spec back at every change, and deleting either deleted the schedule
// the other still managed. The one that holds it keeps it; the other stalls KeyConflict, untouched.
func TestS3AnObjectAdoptingTheScheduleAnotherHoldsIsAKeyConflict(t *testing.T) {
	creator := schedule("creator", 1)
	creator.Status.ID = "01S"
	meta.SetStatusCondition(&creator.Status.Conditions, metav1.Condition{Type: orqv1alpha1.ConditionReady, Status: metav1.ConditionTrue, Reason: orqv1alpha1.ReasonSynced})
	adopter := schedule("adopter", 2)
	adopter.Spec.ScheduleID = "01S"
	adopter.Spec.AdoptionPolicy = orqv1alpha1.AdoptionPolicyAdopt
	adopter.Spec.Expression = "0 0 10 * * *" // another spec for the one schedule
	held := &orqclient.Agent{ID: "01S", Updated: "t0", Raw: orqclient.Body{"_id": "01S", "expression": "0 0 9 * * *", "display_name": "creator"}}
	calls := 0
	api := &fakeAPI{t: t, // answers as orq would; no call is expected
		GetFn: func(context.Context, string) (*orqclient.Agent, error) { calls++; return held, nil },
		UpdateFn: func(_ context.Context, _ string, body orqclient.Body) (*orqclient.Agent, error) {
			calls++
			return &orqclient.Agent{ID: "01S", Updated: "t1", Raw: body}, nil
		},
	}
	r := keylessReconciler(t, api, creator, adopter)
	got := reconcileSchedule(t, r, adopter)
	if got.Status.ID != "" || !stalledWith(&got.Status.ResourceStatus, orqv1alpha1.ReasonKeyConflict) {
		t.Errorf("the adopter took the schedule another AgentSchedule holds: status.id %q, conditions %v", got.Status.ID, got.Status.Conditions)
	}
	if calls != 0 {
		t.Errorf("calls to orq %v, want none", api.calls())
	}
	if holder, err := r.keyHolder(context.Background(), creator); err != nil || holder != nil {
		t.Errorf("the creator's key holder is %v (%v), want itself", holder, err)
	}
}

// S3 (review 2): a lost create of a kind without keys is recognised among the parent's schedules
// that no object records; a schedule another object's spec names to adopt (spec.scheduleId) is
// that object's to take, and no lost create of this one.
func TestS3ALostCreateIsNotAScheduleAnotherObjectAdopts(t *testing.T) {
	lost := schedule("lost", 1)
	lost.Annotations = map[string]string{orqv1alpha1.AnnotationCreateAttempt: "uid-lost//" + Hash(orqclient.Body{"expression": "0 0 9 * * *", "display_name": "lost"})}
	lost.Finalizers = []string{orqv1alpha1.FinalizerAgentSchedule}
	adopter := schedule("adopter", 2)
	adopter.Spec.ScheduleID = "01S"
	adopter.Spec.AdoptionPolicy = orqv1alpha1.AdoptionPolicyAdopt
	studio := &orqclient.Agent{ID: "01S", Updated: "t0", Raw: orqclient.Body{"_id": "01S", "expression": "0 0 9 * * *", "display_name": "lost"}}
	api := &fakeAPI{t: t,
		ListFn: func(context.Context, orqclient.ListOptions) (*orqclient.VersionPage, error) {
			return &orqclient.VersionPage{Versions: []orqclient.Version{{ID: "01S", Updated: "t0"}}}, nil
		},
		GetFn: func(context.Context, string) (*orqclient.Agent, error) { return studio, nil },
		CreateFn: func(_ context.Context, body orqclient.Body) (*orqclient.Agent, error) {
			return &orqclient.Agent{ID: "01NEW", Updated: "t1", Raw: body}, nil
		},
	}
	r := keylessReconciler(t, api, lost, adopter)
	if got := reconcileSchedule(t, r, lost); got.Status.ID == "01S" {
		t.Errorf("the lost create took the schedule %s/%s adopts: status.id %q", adopter.Namespace, adopter.Name, got.Status.ID)
	}
}

func reconcileRequest(o client.Object) reconcile.Request {
	return reconcile.Request{NamespacedName: client.ObjectKeyFromObject(o)}
}
