package controller

import (
	"context"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/client-go/util/workqueue"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
)

// keyIndex indexes Agents by the remote key they manage, in the workspace of their credentials.
const keyIndex = ".status.remoteKey"

// findKeyOwner records the Agent that manages this Agent's key when it is another one; an Agent
// that is not being deleted then waits, KeyConflict, without a call to orq.
func (r *AgentReconciler) findKeyOwner(ctx context.Context, p *pass) error {
	owner, err := r.keyOwner(ctx, p.agent)
	if err != nil {
		return err
	}
	p.owner = owner
	if owner != nil && p.agent.DeletionTimestamp.IsZero() {
		return p.done(endKeyConflict)
	}
	return nil
}

// keyOwner returns the Agent that manages this Agent's key when it is another one: the oldest
// Agent with the key, in any namespace. creationTimestamp has a resolution of one second, so ties
// go to the Agent that already holds the remote agent, then by namespace/name. nil means this
// Agent.
func (r *AgentReconciler) keyOwner(ctx context.Context, agent *orqv1alpha1.Agent) (*orqv1alpha1.Agent, error) {
	var list orqv1alpha1.AgentList
	if err := r.List(ctx, &list, client.MatchingFields{keyIndex: keyIndexValue(agent)}); err != nil {
		return nil, err
	}
	owner := agent
	for i := range list.Items {
		if olderThan(&list.Items[i], owner) {
			owner = &list.Items[i]
		}
	}
	if owner.UID == agent.UID {
		return nil, nil
	}
	return owner, nil
}

func olderThan(a, b *orqv1alpha1.Agent) bool {
	if !a.CreationTimestamp.Equal(&b.CreationTimestamp) {
		return a.CreationTimestamp.Before(&b.CreationTimestamp)
	}
	if aHolds, bHolds := holdsKey(a), holdsKey(b); aHolds != bHolds {
		return aHolds
	}
	if a.Namespace != b.Namespace {
		return a.Namespace < b.Namespace
	}
	return a.Name < b.Name
}

// holdsKey tells whether an Agent manages its remote agent now.
func holdsKey(a *orqv1alpha1.Agent) bool {
	c := meta.FindStatusCondition(a.Status.Conditions, orqv1alpha1.ConditionStalled)
	return a.Status.ID != "" && (c == nil || c.Reason != orqv1alpha1.ReasonKeyConflict)
}

// keyIndexValue is the keyIndex value of an Agent: its key, in the workspace of its credentials.
func keyIndexValue(a *orqv1alpha1.Agent) string {
	return a.RemoteKey() + "@" + credentialSource(a)
}

// keySharers wakes the other Agents that share, or shared, an Agent's key when it is created,
// deleted, or its key or credential source changes: a KeyConflict may have begun or ended.
type keySharers struct{ r *AgentReconciler }

var _ handler.TypedEventHandler[client.Object, reconcile.Request] = keySharers{}

func (k keySharers) Create(ctx context.Context, e event.CreateEvent, q workqueue.TypedRateLimitingInterface[reconcile.Request]) {
	k.add(ctx, q, e.Object)
}

func (k keySharers) Delete(ctx context.Context, e event.DeleteEvent, q workqueue.TypedRateLimitingInterface[reconcile.Request]) {
	k.add(ctx, q, e.Object)
}

func (k keySharers) Update(ctx context.Context, e event.UpdateEvent, q workqueue.TypedRateLimitingInterface[reconcile.Request]) {
	o, ok1 := e.ObjectOld.(*orqv1alpha1.Agent)
	n, ok2 := e.ObjectNew.(*orqv1alpha1.Agent)
	if ok1 && ok2 && keyIndexValue(o) != keyIndexValue(n) {
		k.add(ctx, q, o)
		k.add(ctx, q, n)
	}
}

func (keySharers) Generic(context.Context, event.GenericEvent, workqueue.TypedRateLimitingInterface[reconcile.Request]) {
}

// add queues the Agents indexed under o's key, other than o.
func (k keySharers) add(ctx context.Context, q workqueue.TypedRateLimitingInterface[reconcile.Request], o client.Object) {
	agent, ok := o.(*orqv1alpha1.Agent)
	if !ok {
		return
	}
	for _, req := range k.r.requestsByIndex(ctx, keyIndex, keyIndexValue(agent), agent.UID) {
		q.Add(req)
	}
}
