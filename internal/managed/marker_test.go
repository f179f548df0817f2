package managed

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"

	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
	"github.com/orq-ai/orq-operator/internal/agentdiff"
	"github.com/orq-ai/orq-operator/internal/orqclient"
)

// metadataWrites counts the writes to objects themselves (finalizers, annotations), not their
// status; fail, when set, makes them fail.
type metadataWrites struct {
	n    int
	fail func(obj client.Object, patch client.Patch) error
}

func (m *metadataWrites) client(t *testing.T, objs ...client.Object) client.Client {
	return interceptor.NewClient(newFakeClient(t, objs...).(client.WithWatch), interceptor.Funcs{
		Patch: func(ctx context.Context, c client.WithWatch, obj client.Object, patch client.Patch, opts ...client.PatchOption) error {
			m.n++
			if m.fail != nil {
				if err := m.fail(obj, patch); err != nil {
					return err
				}
			}
			return c.Patch(ctx, obj, patch, opts...)
		},
	})
}

// gateHeld is the error of a request the rate limiter's gate held back: never sent.
var gateHeld = &orqclient.Error{Kind: orqclient.KindRateLimited, Op: "create agent", Message: "not sent", RetryAfter: time.Second}

// #18.9: a create held back by the 429 gate sends nothing, so it changes nothing of the marker:
// before, each 1 s retry cleared it and wrote it again (two Agent writes a second per pending
// create).
func TestACreateHeldBackByTheRateLimitGateLeavesTheMarker(t *testing.T) {
	a := sampleAgent("ns", "bot")
	a.UID = "uid-1"
	writes := &metadataWrites{}
	api := &fakeAPI{t: t,
		CreateFn: func(context.Context, orqclient.Body) (*orqclient.Agent, error) { return nil, gateHeld },
		GetFn:    func(context.Context, string) (*orqclient.Agent, error) { return nil, gateHeld },
	}
	r := newTestReconciler(reconcilerFields{Client: writes.client(t, a), API: api})
	marker := "uid-1//" + agentdiff.Hash(mustDesired(t, a))
	// The first pass writes the finalizer and the marker, then the gate holds its POST; the
	// others are its retries while the gate stays closed.
	for range 3 {
		stored, res, err := reconcileOnce(t, r, a)
		if err != nil || res.RequeueAfter == 0 {
			t.Fatalf("want a requeue after the gate's delay, got %v, %v", res, err)
		}
		if got := stored.Annotations[orqv1alpha1.AnnotationCreateAttempt]; got != marker {
			t.Fatalf("marker = %q, want it kept (%q)", got, marker)
		}
	}
	if writes.n != 1 {
		t.Errorf("%d writes to the Agent, want 1 (the finalizer and the marker): none for creates that were never sent", writes.n)
	}
}

// #18.2: once the one agent a create could have made was read and refused, the marker proves
// nothing any more. Before, it stayed, and a later agent at the key equal to the body (another
// cluster applying the same manifest after the foreign agent was deleted) was claimed.
func TestAMarkerIsSpentOnceTheAgentItCouldHaveMadeWasRefused(t *testing.T) {
	spec := sampleAgent("ns", "bot")
	spec.UID = "uid-1"
	edited := remoteFor(t, spec)
	edited.Raw = maps.Clone(edited.Raw)
	edited.Raw["role"] = "someone else's role"
	secondCluster := foreignCopy(remoteFor(t, spec), "01SECOND") // equal to the body, made later by someone else

	a := spec.DeepCopy()
	a.Finalizers = []string{orqv1alpha1.FinalizerName}
	withMarker(t, a) // a create whose answer was lost
	remote := edited
	api := &fakeAPI{t: t, GetFn: func(context.Context, string) (*orqclient.Agent, error) { return remote, nil }}
	r := newTestReconciler(reconcilerFields{Client: newFakeClient(t, a), API: api})

	stored, _, _ := reconcileOnce(t, r, a)
	if got := reasonIfTrue(meta.FindStatusCondition(stored.Status.Conditions, orqv1alpha1.ConditionStalled)); got != orqv1alpha1.ReasonAdoptionRequired {
		t.Fatalf("first pass: Stalled reason %q, want AdoptionRequired", got)
	}
	if _, ok := stored.Annotations[orqv1alpha1.AnnotationCreateAttempt]; ok {
		t.Errorf("the marker is kept after the agent it could prove was refused: %v", stored.Annotations)
	}

	remote = secondCluster // the foreign agent is deleted; another cluster creates the same body
	stored, _, _ = reconcileOnce(t, r, stored)
	if stored.Status.ID != "" {
		t.Errorf("claimed %s, another cluster's agent", stored.Status.ID)
	}
	if got := reasonIfTrue(meta.FindStatusCondition(stored.Status.Conditions, orqv1alpha1.ConditionStalled)); got != orqv1alpha1.ReasonAdoptionRequired {
		t.Errorf("second pass: Stalled reason %q, want AdoptionRequired", got)
	}
}

// #18.2: a pending marker is no proof while the Agent is stalled AdoptionRequired, even if it
// could not be cleared.
func TestAPendingMarkerIsNoProofWhileStalledOnAdoption(t *testing.T) {
	a := sampleAgent("ns", "bot")
	a.UID = "uid-1"
	a.Finalizers = []string{orqv1alpha1.FinalizerName}
	withMarker(t, a)
	meta.SetStatusCondition(&a.Status.Conditions, condition(orqv1alpha1.ConditionStalled, orqv1alpha1.ReasonAdoptionRequired))
	same := foreignCopy(remoteFor(t, a), "01OTHER")
	api := &fakeAPI{t: t, GetFn: func(context.Context, string) (*orqclient.Agent, error) { return same, nil }}
	writes := &metadataWrites{fail: func(client.Object, client.Patch) error { return errors.New("the apiserver timed out") }}
	r := newTestReconciler(reconcilerFields{Client: writes.client(t, a), API: api})
	stored, _, _ := reconcileOnce(t, r, a)
	if stored.Status.ID != "" {
		t.Errorf("claimed %s on a marker while stalled AdoptionRequired", stored.Status.ID)
	}
}

// #18.3: a 409 proves the create made nothing. When the marker's clear then fails (apiserver
// timeout, leader hand-over), the next pass must not take the agent the 409 proved foreign:
// neither when the AdoptionRequired status reached the apiserver, nor when it failed too.
func TestAFailedClearAfterA409IsNoClaim(t *testing.T) {
	for _, statusFails := range []bool{false, true} {
		t.Run(fmt.Sprintf("status write fails too: %v", statusFails), func(t *testing.T) {
			a := sampleAgent("ns", "bot")
			a.UID = "uid-1"
			foreign := foreignCopy(remoteFor(t, a), "01FOREIGN") // equal to the body: a twin's
			api := &fakeAPI{t: t,
				CreateFn: func(context.Context, orqclient.Body) (*orqclient.Agent, error) {
					return nil, apiError(orqclient.KindConflict, 409)
				},
				GetFn: func(context.Context, string) (*orqclient.Agent, error) { return foreign, nil },
			}
			clears := 0
			writes := &metadataWrites{fail: func(obj client.Object, p client.Patch) error {
				if data, _ := p.Data(obj); strings.Contains(string(data), `"`+orqv1alpha1.AnnotationCreateAttempt+`":null`) {
					clears++
					return errors.New("the apiserver timed out")
				}
				return nil
			}}
			c := writes.client(t, a)
			if statusFails {
				c = &failingStatusWrites{Client: c}
			}
			r := newTestReconciler(reconcilerFields{Client: c, API: api})
			ctx := context.Background()
			for pass := range 3 {
				stored := &orqv1alpha1.Agent{}
				if err := c.Get(ctx, client.ObjectKeyFromObject(a), stored); err != nil {
					t.Fatal(err)
				}
				p := r.start(stored, false)
				r.run(ctx, p, r.stepsFor(stored))
				_, _ = r.finish(ctx, p)
				if p.claimedID != "" {
					t.Fatalf("pass %d claimed %s, the agent a 409 proved foreign", pass+1, p.claimedID)
				}
				if got := classify(p.err).reason; got != orqv1alpha1.ReasonAdoptionRequired {
					t.Errorf("pass %d ended with %q (%v), want AdoptionRequired", pass+1, got, p.err)
				}
			}
			if clears < 2 {
				t.Errorf("the marker's clear was tried %d times, want it tried again at the next refusal", clears)
			}
		})
	}
}
