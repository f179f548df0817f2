package controller

import (
	"context"
	"encoding/json"
	"strings"

	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
)

// The create marker (orqv1alpha1.AnnotationCreateAttempt) is the only evidence by which the
// operator recognises an agent as its own create whose answer it never got. It rests on no
// clock: it names this very object (its UID, so a copy or a restore is another object), the
// status.id the create was to replace, and a hash of the exact body sent. A 409 to a create
// proves that create made nothing, so the marker counts only for an attempt whose outcome was
// never learned. It is cleared once the outcome is known to be "nothing made" (a 4xx, a 409); after
// a success it stays, inert, since status.id no longer names the id it replaced.

// markerValue is the marker of a create this pass is about to send.
func markerValue(p *pass) string {
	return string(p.agent.UID) + "/" + p.stored.ID + "/" + p.hash
}

// pendingCreate returns the body hash of an earlier create of this Agent whose outcome is
// unknown: the marker names this object and the status.id still recorded. "" when there is none.
func pendingCreate(a *orqv1alpha1.Agent, storedID string) string {
	parts := strings.Split(a.Annotations[orqv1alpha1.AnnotationCreateAttempt], "/")
	if len(parts) != 3 || parts[0] != string(a.UID) || parts[1] != storedID || parts[2] == "" {
		return ""
	}
	return parts[2]
}

// writeMarker records the create about to be sent, unless it is recorded already (with the
// finalizer, or by an earlier attempt of the same body). It also drops the marker of earlier
// versions, which is never evidence.
func (r *AgentReconciler) writeMarker(ctx context.Context, p *pass) error {
	v := markerValue(p)
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
