package controller

import (
	"context"
	"testing"
	"time"

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
	fail func(patch client.Patch) error
}

func (m *metadataWrites) client(t *testing.T, objs ...client.Object) client.Client {
	return interceptor.NewClient(newFakeClient(t, objs...).(client.WithWatch), interceptor.Funcs{
		Patch: func(ctx context.Context, c client.WithWatch, obj client.Object, patch client.Patch, opts ...client.PatchOption) error {
			m.n++
			if m.fail != nil {
				if err := m.fail(patch); err != nil {
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
	r := &AgentReconciler{Client: writes.client(t, a), API: api}
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
