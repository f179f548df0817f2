package managed

import (
	"context"
	"reflect"
	"testing"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
	"github.com/orq-ai/orq-operator/internal/agentdiff"
	"github.com/orq-ai/orq-operator/internal/orqclient"
)

// ownershipCase is one Agent's pass against an agent already at its key, or none.
type ownershipCase struct {
	name string
	// prepare sets up the stored Agent (status, marker) before the pass.
	prepare func(t *testing.T, a *orqv1alpha1.Agent)
	api     fakeAPI
	// wantID is status.id after the pass ("" when the agent is not claimed); wantReason the
	// Stalled reason ("" for none).
	wantID, wantReason string
	wantCalls          map[string]int
	// wantMarker tells whether a create marker is left on the Agent.
	wantMarker bool
}

func answerNotFound(context.Context, string) (*orqclient.Agent, error) {
	return nil, apiError(orqclient.KindNotFound, 404)
}

func conflict(context.Context, orqclient.Body) (*orqclient.Agent, error) {
	return nil, apiError(orqclient.KindConflict, 409)
}

// withMarker records on a, as a pass would, a create of its current spec whose outcome is
// unknown, replacing status.id.
func withMarker(t *testing.T, a *orqv1alpha1.Agent) {
	a.Annotations = map[string]string{orqv1alpha1.AnnotationCreateAttempt: string(a.UID) + "/" + a.Status.ID + "/" + agentdiff.Hash(mustDesired(t, a))}
}

func TestOwnershipOfTheAgentAtTheKey(t *testing.T) {
	spec := sampleAgent("ns", "bot")
	same := remoteFor(t, spec)
	edited := remoteFor(t, spec)
	edited.Raw = agentdiff.Object{}
	for k, v := range same.Raw {
		edited.Raw[k] = v
	}
	edited.Raw["role"] = "someone else's role"
	get := func(a *orqclient.Agent) func(context.Context, string) (*orqclient.Agent, error) {
		return func(context.Context, string) (*orqclient.Agent, error) { return a, nil }
	}
	stalledAdoption := func(t *testing.T, a *orqv1alpha1.Agent) {
		a.Finalizers = []string{orqv1alpha1.FinalizerName} // added by the first pass
		meta.SetStatusCondition(&a.Status.Conditions, condition(orqv1alpha1.ConditionStalled, orqv1alpha1.ReasonAdoptionRequired))
	}
	// observed is the status managementPolicy Observe left: the agent at the key read, Ready and
	// Synced, no id recorded.
	observed := func(_ *testing.T, a *orqv1alpha1.Agent) {
		a.Status.RemoteUpdated, a.Status.Key = "t0", a.RemoteKey()
		meta.SetStatusCondition(&a.Status.Conditions, condition(orqv1alpha1.ConditionReady, orqv1alpha1.ReasonSynced))
		meta.SetStatusCondition(&a.Status.Conditions, condition(orqv1alpha1.ConditionSynced, orqv1alpha1.ReasonSynced))
	}
	cases := []ownershipCase{
		{
			name:      "never created: one POST, no read, the id recorded",
			api:       fakeAPI{CreateFn: func(context.Context, orqclient.Body) (*orqclient.Agent, error) { return same, nil }},
			wantID:    "01ID",
			wantCalls: map[string]int{"create": 1}, wantMarker: true,
		},
		{
			// #12.1: the 409 of the first attempt proves this create made nothing, however alike
			// and however recent the agent at the key.
			name:       "a 409 to the first create: someone else's agent, even one equal to the spec",
			api:        fakeAPI{CreateFn: conflict, GetFn: get(same)},
			wantReason: orqv1alpha1.ReasonAdoptionRequired,
			wantCalls:  map[string]int{"create": 1, "get": 1},
		},
		{
			// #12.2: stalled on adoption, the foreign owner deletes and re-creates its agent.
			name:       "stalled on adoption: the retry reads first and claims nothing",
			prepare:    stalledAdoption,
			api:        fakeAPI{GetFn: get(foreignCopy(same, "01NEW"))},
			wantReason: orqv1alpha1.ReasonAdoptionRequired,
			wantCalls:  map[string]int{"get": 1},
		},
		{
			name:      "stalled on adoption, and the key is free now: created",
			prepare:   stalledAdoption,
			api:       fakeAPI{GetFn: answerNotFound, CreateFn: func(context.Context, orqclient.Body) (*orqclient.Agent, error) { return same, nil }},
			wantID:    "01ID",
			wantCalls: map[string]int{"get": 1, "create": 1}, wantMarker: true,
		},
		{
			name:      "a create of unknown outcome (a timeout): the agent equal to its body is its own",
			prepare:   withMarker,
			api:       fakeAPI{GetFn: get(same)},
			wantID:    "01ID",
			wantCalls: map[string]int{"get": 1}, wantMarker: true,
		},
		{
			// #18.2: the one agent it could have made was read and refused: the marker is spent.
			name:       "a create of unknown outcome, but the agent differs from its body: not provable",
			prepare:    withMarker,
			api:        fakeAPI{GetFn: get(edited)},
			wantReason: orqv1alpha1.ReasonAdoptionRequired,
			wantCalls:  map[string]int{"get": 1},
		},
		{
			name: "a create of unknown outcome of an earlier spec: not provable",
			prepare: func(t *testing.T, a *orqv1alpha1.Agent) {
				withMarker(t, a)
				a.Spec.Role = "changed since"
			},
			api:        fakeAPI{GetFn: get(same)},
			wantReason: orqv1alpha1.ReasonAdoptionRequired,
			wantCalls:  map[string]int{"get": 1},
		},
		{
			// #12.2: a copy of the Agent (a restore, another cluster) has another UID.
			name: "a marker copied from another object is no evidence",
			prepare: func(t *testing.T, a *orqv1alpha1.Agent) {
				withMarker(t, a)
				a.UID = "another-object"
			},
			api:        fakeAPI{CreateFn: conflict, GetFn: get(same)},
			wantReason: orqv1alpha1.ReasonAdoptionRequired,
			wantCalls:  map[string]int{"create": 1, "get": 1},
		},
		{
			name:       "recorded agent replaced by someone else's: not claimed, not patched",
			prepare:    func(_ *testing.T, a *orqv1alpha1.Agent) { a.Status.ID = "01OLD" },
			api:        fakeAPI{GetFn: get(edited)},
			wantID:     "01OLD",
			wantReason: orqv1alpha1.ReasonAdoptionRequired,
			wantCalls:  map[string]int{"get": 1},
		},
		{
			name: "re-created after a deletion outside, answer lost: recognised by the marker",
			prepare: func(t *testing.T, a *orqv1alpha1.Agent) {
				a.Status.ID = "01OLD"
				withMarker(t, a)
			},
			api:       fakeAPI{GetFn: get(same)},
			wantID:    "01ID",
			wantCalls: map[string]int{"get": 1}, wantMarker: true,
		},
		{
			name:      "adoptionPolicy Adopt: read first, take it over and correct it",
			prepare:   func(_ *testing.T, a *orqv1alpha1.Agent) { a.Spec.AdoptionPolicy = orqv1alpha1.AdoptionPolicyAdopt },
			api:       fakeAPI{GetFn: get(edited), UpdateFn: func(context.Context, string, orqclient.Body) (*orqclient.Agent, error) { return same, nil }},
			wantID:    "01ID",
			wantCalls: map[string]int{"get": 1, "update": 1}, wantMarker: true,
		},
		{
			// docs/troubleshooting.md (Drifted, AdoptionRequired): observing an agent does not
			// make it this Agent's, however well its spec was made to match (review R16).
			name:       "an observed agent, the spec made to match, switched to Manage: read first, not taken over",
			prepare:    observed,
			api:        fakeAPI{GetFn: get(same)},
			wantReason: orqv1alpha1.ReasonAdoptionRequired,
			wantCalls:  map[string]int{"get": 1},
		},
		{
			name: "an observed agent switched to Manage with adoptionPolicy Adopt: taken over",
			prepare: func(t *testing.T, a *orqv1alpha1.Agent) {
				observed(t, a)
				a.Spec.AdoptionPolicy = orqv1alpha1.AdoptionPolicyAdopt
			},
			api:       fakeAPI{GetFn: get(same)},
			wantID:    "01ID",
			wantCalls: map[string]int{"get": 1}, wantMarker: true,
		},
		{
			name: "a refused create clears the marker",
			api: fakeAPI{CreateFn: func(context.Context, orqclient.Body) (*orqclient.Agent, error) {
				return nil, apiError(orqclient.KindInvalid, 400)
			}},
			wantReason: orqv1alpha1.ReasonAPIRejected,
			wantCalls:  map[string]int{"create": 1},
		},
		{
			name: "a create that timed out keeps the marker",
			api: fakeAPI{CreateFn: func(context.Context, orqclient.Body) (*orqclient.Agent, error) {
				return nil, apiError(orqclient.KindUnavailable, 0)
			}},
			wantCalls:  map[string]int{"create": 1},
			wantMarker: true,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a := spec.DeepCopy()
			a.UID = types.UID("uid-1")
			if tc.prepare != nil {
				tc.prepare(t, a)
			}
			api := tc.api
			api.t = t
			r := newTestReconciler(reconcilerFields{Client: newFakeClient(t, a), API: &api})
			stored, _, _ := reconcileOnce(t, r, a)
			if stored.Status.ID != tc.wantID {
				t.Errorf("status.id = %q, want %q", stored.Status.ID, tc.wantID)
			}
			stalled := meta.FindStatusCondition(stored.Status.Conditions, orqv1alpha1.ConditionStalled)
			if got := reasonIfTrue(stalled); got != tc.wantReason {
				t.Errorf("Stalled reason = %q, want %q (%+v)", got, tc.wantReason, stalled)
			}
			if got := api.calls(); !reflect.DeepEqual(got, tc.wantCalls) {
				t.Errorf("calls = %v, want %v", got, tc.wantCalls)
			}
			_, marked := stored.Annotations[orqv1alpha1.AnnotationCreateAttempt]
			if marked != tc.wantMarker {
				t.Errorf("marker left = %v, want %v (%v)", marked, tc.wantMarker, stored.Annotations)
			}
		})
	}
}

// The marker of a create is written before its POST, with the finalizer: one write.
func TestFirstCreateMarkerRidesOnTheFinalizerWrite(t *testing.T) {
	a := sampleAgent("ns", "bot")
	a.UID = "uid-1"
	c := newFakeClient(t, a)
	var markerAtPost string
	api := &fakeAPI{t: t}
	api.CreateFn = func(ctx context.Context, _ orqclient.Body) (*orqclient.Agent, error) {
		stored := &orqv1alpha1.Agent{}
		_ = c.Get(ctx, types.NamespacedName{Namespace: "ns", Name: "bot"}, stored)
		markerAtPost = stored.Annotations[orqv1alpha1.AnnotationCreateAttempt]
		if len(stored.Finalizers) != 1 || stored.ResourceVersion != "1000" {
			t.Errorf("before the POST: finalizers %v, resourceVersion %s: want one write", stored.Finalizers, stored.ResourceVersion)
		}
		return remoteFor(t, a), nil
	}
	r := newTestReconciler(reconcilerFields{Client: c, API: api})
	if _, _, err := reconcileOnce(t, r, a); err != nil {
		t.Fatal(err)
	}
	if want := "uid-1//" + agentdiff.Hash(mustDesired(t, a)); markerAtPost != want {
		t.Errorf("marker at the POST = %q, want %q", markerAtPost, want)
	}
}

func reasonIfTrue(c *metav1.Condition) string {
	if c == nil || c.Status != metav1.ConditionTrue {
		return ""
	}
	return c.Reason
}
