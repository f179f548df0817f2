package managed

import (
	"context"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
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
func reconcileOnce(t *testing.T, r *Reconciler, a *orqv1alpha1.Agent) (*orqv1alpha1.Agent, reconcile.Result, error) {
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

// sampleAgent is a complete Agent: model with parameters and a fallback, tools, a knowledge base.
func sampleAgent(ns, name string) *orqv1alpha1.Agent {
	return &orqv1alpha1.Agent{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: orqv1alpha1.AgentSpec{
			Role:         "Customer support",
			Description:  "Answers questions about orders",
			Instructions: "Help {{customer}} with their order.",
			Path:         "Default/support",
			Model: orqv1alpha1.ModelConfig{
				ID:         "openai/gpt-4o",
				Parameters: &orqv1alpha1.ModelParameters{Temperature: ptr.To(0.3), MaxCompletionTokens: ptr.To[int64](2048)},
				Retry:      &orqv1alpha1.Retry{OnCodes: []orqv1alpha1.HTTPStatusCode{429, 503}},
			},
			FallbackModels: []orqv1alpha1.ModelConfig{{ID: "anthropic/claude-haiku-4-5-20251001"}},
			Settings: orqv1alpha1.AgentSettings{
				MaxIterations: ptr.To[int64](10),
				Tools: []orqv1alpha1.AgentTool{
					{Type: "current_date"},
					{Type: "http", Key: "orders-api", RequiresApproval: ptr.To(true)},
				},
				Evaluators: []orqv1alpha1.Evaluator{{ID: "tone", ExecuteOn: "output"}},
			},
			KnowledgeBases: []orqv1alpha1.AgentKnowledgeBase{{KnowledgeID: "faq"}},
		},
	}
}
