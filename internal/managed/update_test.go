package managed

import (
	"context"
	"reflect"
	"testing"

	"k8s.io/apimachinery/pkg/api/meta"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
	"github.com/orq-ai/orq-operator/internal/orqclient"
)

// syncedStored is a stored Agent in sync with its remote agent, from its current spec.
func syncedStored(t *testing.T, a *orqv1alpha1.Agent) {
	a.UID, a.Finalizers = "uid-1", []string{orqv1alpha1.FinalizerName}
	a.Status.ID, a.Status.RemoteUpdated = "01ID", "t0"
}

func TestUpdatePatchesOnlyWhatDiffers(t *testing.T) {
	a := sampleAgent("ns", "a")
	syncedStored(t, a)
	remote := remoteFor(t, a)
	changed := a.DeepCopy()
	changed.Spec.Role = "New role"
	changed.Spec.VersionIncrement = "minor"
	var sent orqclient.Body
	api := &fakeAPI{t: t,
		GetFn: func(context.Context, string) (*orqclient.Agent, error) { return remote, nil },
		UpdateFn: func(_ context.Context, _ string, body orqclient.Body) (*orqclient.Agent, error) {
			sent = body
			return remoteFor(t, changed), nil
		},
	}
	r := newTestReconciler(reconcilerFields{Client: newFakeClient(t, changed), API: api})
	stored, _, err := reconcileOnce(t, r, changed)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(sent, orqclient.Body{"role": "New role", "versionIncrement": "minor"}) {
		t.Errorf("PATCH body = %v, want only the role, and the version to publish", sent)
	}
	if !meta.IsStatusConditionTrue(stored.Status.Conditions, orqv1alpha1.ConditionSynced) {
		t.Errorf("conditions %+v", stored.Status.Conditions)
	}
}

// orq answered the same request with an agent that still differs: not patched again until the
// spec or the remote agent changes.
func TestNotConvergingIsNotPatchedAgain(t *testing.T) {
	a := sampleAgent("ns", "a")
	syncedStored(t, a)
	stubborn := remoteFor(t, a)
	stubborn.Raw["role"] = "orq keeps this"
	api := &fakeAPI{t: t,
		GetFn:    func(context.Context, string) (*orqclient.Agent, error) { return stubborn, nil },
		UpdateFn: func(context.Context, string, orqclient.Body) (*orqclient.Agent, error) { return stubborn, nil },
	}
	r := newTestReconciler(reconcilerFields{Client: newFakeClient(t, a), API: api})
	stored, _, _ := reconcileOnce(t, r, a)
	if c := meta.FindStatusCondition(stored.Status.Conditions, orqv1alpha1.ConditionStalled); c == nil || c.Reason != orqv1alpha1.ReasonNotConverging {
		t.Fatalf("Stalled = %+v", c)
	}
	_, _, _ = reconcileOnce(t, r, stored)
	if n := api.calls()["update"]; n != 1 {
		t.Errorf("%d PATCHes, want 1", n)
	}
}
