package controller

import (
	"context"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
	"github.com/orq-ai/orq-operator/internal/agentdiff"
	"github.com/orq-ai/orq-operator/internal/orqclient"
)

// remoteFor is the agent orq holds for a: exactly its spec, with id "01ID".
func remoteFor(t *testing.T, a *orqv1alpha1.Agent) *orqclient.Agent {
	t.Helper()
	raw := orqclient.Body{"_id": "01ID", "key": a.RemoteKey(), "project_id": "p", "status": "live", "version": "1.0.0", "updated": "t0"}
	for k, v := range mustDesired(t, a) {
		raw[k] = v
	}
	return &orqclient.Agent{ID: "01ID", Key: a.RemoteKey(), ProjectID: "p", Status: "live", Version: "1.0.0", Updated: "t0", Raw: raw}
}

// foreignCopy is remote with another id, as if made by someone else.
func foreignCopy(remote *orqclient.Agent, id string) *orqclient.Agent {
	c := *remote
	c.ID = id
	return &c
}

func mustDesired(t *testing.T, a *orqv1alpha1.Agent) orqclient.Body {
	t.Helper()
	d, err := agentdiff.Desired(a)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// reconcileOnce runs one Reconcile of the stored Agent a, and returns the Agent as stored after.
func reconcileOnce(t *testing.T, r *AgentReconciler, a *orqv1alpha1.Agent) (*orqv1alpha1.Agent, reconcile.Result, error) {
	t.Helper()
	ctx := context.Background()
	res, err := r.Reconcile(ctx, reconcile.Request{NamespacedName: client.ObjectKeyFromObject(a)})
	stored := &orqv1alpha1.Agent{}
	if gerr := r.Get(ctx, client.ObjectKeyFromObject(a), stored); gerr != nil {
		stored = nil
	}
	return stored, res, err
}

// condition is a True condition of this type and reason.
func condition(typ, reason string) metav1.Condition {
	return metav1.Condition{Type: typ, Status: metav1.ConditionTrue, Reason: reason, Message: "m"}
}

func updateEvent(old, new client.Object) event.UpdateEvent {
	return event.UpdateEvent{ObjectOld: old, ObjectNew: new}
}
