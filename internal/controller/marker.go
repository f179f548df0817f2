package controller

import (
	"context"
	"encoding/json"
	"strings"
	"sync"

	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
	logf "sigs.k8s.io/controller-runtime/pkg/log"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
)

// The create marker (orqv1alpha1.AnnotationCreateAttempt) is the only evidence by which the
// operator recognises an agent as its own create whose answer it never got. It rests on no
// clock: it names this very object (its UID, so a copy or a restore is another object), the
// status.id the create was to replace, and a hash of the exact body sent. A 409 to a create
// proves that create made nothing, so the marker counts only for an attempt whose outcome was
// never learned. It is spent once the outcome is known to be "nothing made" (a 4xx, a 409), or once
// the one agent it could have made was read and refused (see spend); after a success it stays,
// inert, since status.id no longer names the id it replaced.

// markerValue is the marker of a create this pass is about to send.
func markerValue(p *pass) string {
	return string(p.agent.UID) + "/" + p.stored.ID + "/" + p.hash
}

// pendingCreate returns the body hash of an earlier create of this Agent whose outcome is
// unknown: the marker names this object and the status.id still recorded. "" when there is none,
// and while the Agent is stalled AdoptionRequired: the agent that create could have made was
// read and refused, so the marker's evidence is spent even if it could not be cleared.
func pendingCreate(a *orqv1alpha1.Agent, storedID string) string {
	parts := strings.Split(a.Annotations[orqv1alpha1.AnnotationCreateAttempt], "/")
	if len(parts) != 3 || parts[0] != string(a.UID) || parts[1] != storedID || parts[2] == "" ||
		stalledWith(a.Status, orqv1alpha1.ReasonAdoptionRequired) {
		return ""
	}
	return parts[2]
}

// pending is pendingCreate, without the markers this process knows are spent (see spend).
func (r *AgentReconciler) pending(a *orqv1alpha1.Agent, storedID string) string {
	if r.spent.has(a.Annotations[orqv1alpha1.AnnotationCreateAttempt]) {
		return ""
	}
	return pendingCreate(a, storedID)
}

// spend makes the marker of a create whose outcome is now known (it made nothing, or the one
// agent it could have made was read and refused) no evidence any more: remembered as spent at
// once, then cleared. A failed clear does not fail the pass: the refusal it comes with is
// reported in status (AdoptionRequired, or the API's refusal), which also makes the marker no
// evidence (see pendingCreate), and the clear is tried again at the next refusal. Until then this
// process takes the marker for no evidence; only a crash before either write lands leaves it.
func (r *AgentReconciler) spend(ctx context.Context, p *pass) {
	v, ok := p.agent.Annotations[orqv1alpha1.AnnotationCreateAttempt]
	if !ok {
		return
	}
	r.spent.add(v)
	p.pending = ""
	if err := r.clearMarker(ctx, p); err != nil {
		logf.FromContext(ctx).Info("could not clear the spent create marker; it is no evidence, and is cleared at the next refusal", "error", err.Error())
		return
	}
	r.spent.remove(v)
}

// markerSet holds marker values, safe for concurrent use; its zero value is empty.
type markerSet struct {
	mu     sync.Mutex
	values map[string]bool
}

func (m *markerSet) has(v string) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return v != "" && m.values[v]
}

func (m *markerSet) add(v string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.values == nil {
		m.values = map[string]bool{}
	}
	m.values[v] = true
}

func (m *markerSet) remove(v string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.values, v)
}

// writeMarker records the create about to be sent, unless it is recorded already (with the
// finalizer, or by an earlier attempt of the same body). It also drops the marker of earlier
// versions, which is never evidence.
func (r *AgentReconciler) writeMarker(ctx context.Context, p *pass) error {
	v := markerValue(p)
	r.spent.remove(v) // a new attempt with the same body: its outcome is unknown again
	if p.agent.Annotations[orqv1alpha1.AnnotationCreateAttempt] == v {
		return nil
	}
	return r.patchAnnotations(ctx, p.agent, map[string]any{
		orqv1alpha1.AnnotationCreateAttempt:           v,
		orqv1alpha1.AnnotationLegacyCreateAttemptedAt: nil,
	})
}

// clearMarker removes the marker once a create's outcome is known and it made nothing.
func (r *AgentReconciler) clearMarker(ctx context.Context, p *pass) error {
	if _, ok := p.agent.Annotations[orqv1alpha1.AnnotationCreateAttempt]; !ok {
		return nil
	}
	return r.patchAnnotations(ctx, p.agent, map[string]any{orqv1alpha1.AnnotationCreateAttempt: nil})
}

// patchAnnotations sets (or, with nil, removes) these annotations only. A merge patch computed
// from the cached Agent could send "annotations": null and so also remove those the cache drops
// (kubectl's last-applied-configuration, see stripAgent).
func (r *AgentReconciler) patchAnnotations(ctx context.Context, agent *orqv1alpha1.Agent, set map[string]any) error {
	body, err := json.Marshal(map[string]any{"metadata": map[string]any{"annotations": set}})
	if err != nil {
		return err
	}
	return r.Patch(ctx, agent, client.RawPatch(types.MergePatchType, body))
}
