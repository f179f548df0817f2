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
	"github.com/orq-ai/orq-operator/internal/orqclient"
)

// keyIndex indexes Agents by the remote key they manage. Two Agents with one key are in conflict
// only if their credentials reach the same workspace (see workspaceOf).
const keyIndex = ".status.remoteKey"

// findKeyOwner records the Agent that manages this Agent's key in its workspace when it is
// another one; an Agent that is not being deleted then waits, KeyConflict, without a call to orq.
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

// keyOwner returns the Agent that manages this Agent's key in its workspace, when it is another
// one; nil means this Agent. Of the Agents with the key whose credentials reach that workspace (in
// any namespace, through any credential source), the one that holds the agent wins; between two
// holders, or two that hold none, the oldest (see outranks).
func (r *AgentReconciler) keyOwner(ctx context.Context, agent *orqv1alpha1.Agent) (*orqv1alpha1.Agent, error) {
	var list orqv1alpha1.AgentList
	if err := r.List(ctx, &list, client.MatchingFields{keyIndex: agent.RemoteKey()}); err != nil {
		return nil, err
	}
	owner, workspace := agent, ""
	for i := range list.Items {
		other := &list.Items[i]
		if other.UID == agent.UID || !outranks(other, owner) {
			continue
		}
		if credentialSource(other) != credentialSource(agent) {
			if workspace == "" {
				workspace = r.workspaceOf(ctx, agent)
			}
			if workspace == "" || r.workspaceOf(ctx, other) != workspace {
				continue // another workspace, where the key names another agent
			}
		}
		owner = other
	}
	if owner.UID == agent.UID {
		return nil, nil
	}
	return owner, nil
}

// workspaceOf identifies the workspace an Agent's credentials reach: the hash of its API key (the
// Secret's value is remembered by resourceVersion, see secretValue), or, when its Secret cannot be
// read, the one it last recorded. "" when unknown: it cannot reach orq at all.
func (r *AgentReconciler) workspaceOf(ctx context.Context, a *orqv1alpha1.Agent) string {
	ref := a.Spec.APIKeySecretRef
	if ref == nil {
		return r.DefaultAPIKeyHash
	}
	key, err := r.secretValue(ctx, a.Namespace, ref, credentialSource(a))
	if err != nil {
		return a.Status.APIKeyHash
	}
	return orqclient.KeyHash(key)
}

// outranks tells whether a has the better claim to a key than b: the Agent that holds the agent
// wins, whatever its age; then the older (creationTimestamp has a resolution of one second, so
// ties go by namespace/name).
func outranks(a, b *orqv1alpha1.Agent) bool {
	if aHolds, bHolds := holdsKey(a), holdsKey(b); aHolds != bHolds {
		return aHolds
	}
	if !a.CreationTimestamp.Equal(&b.CreationTimestamp) {
		return a.CreationTimestamp.Before(&b.CreationTimestamp)
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

// keySharers wakes the other Agents that share, or shared, an Agent's key when it is created,
// deleted, or its key, credential source or workspace (the API key it reads) changes: a
// KeyConflict may have begun or ended.
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
	if ok1 && ok2 && (o.RemoteKey() != n.RemoteKey() || credentialSource(o) != credentialSource(n) ||
		o.Status.APIKeyHash != n.Status.APIKeyHash || holdsKey(o) != holdsKey(n)) {
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
	for _, req := range k.r.requestsByIndex(ctx, keyIndex, agent.RemoteKey(), agent.UID) {
		q.Add(req)
	}
}
