package managed

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"time"

	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
	logf "sigs.k8s.io/controller-runtime/pkg/log"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
)

// The create marker (orqv1alpha1.AnnotationCreateAttempt) is the only evidence by which the
// operator recognises a remote object as its own create whose answer it never got. It rests on no
// clock: it names this very object (its UID, so a copy or a restore is another object), the
// status.id the create was to replace, and a hash of the exact body sent (Secrets by version). A
// 409 to a create proves that create made nothing, so the marker counts only for an attempt whose
// outcome was never learned. It is spent once the outcome is known to be "nothing made" (a 4xx, a
// 409), or once the one remote object it could have made was read and refused (see spend); after
// a success it stays, inert, since status.id no longer names the id it replaced.

// markerValue is the marker of a create this pass is about to send.
func markerValue(p *pass) string {
	return string(p.obj.GetUID()) + "/" + p.status().ID + "/" + p.hash
}

// pendingCreate returns the body hash of an earlier create of this object whose outcome is
// unknown: the marker names this object and the status.id still recorded. "" when there is none,
// and while the object is stalled on a refusal of its create: AdoptionRequired (the remote object
// that create could have made was read and refused) or a refusal of the API (a 4xx answered it),
// so the marker's evidence is spent even if it could not be cleared. For a kind without keys
// (keyless), AdoptionRequired with the marker in place says the opposite: the lost create may
// have made any of several remote objects, and the marker stays the evidence each pass looks
// with again (see findLostCreate).
func pendingCreate(o Object, storedID string, keyless bool) string {
	parts := strings.Split(o.GetAnnotations()[orqv1alpha1.AnnotationCreateAttempt], "/")
	st := o.ManagedStatus()
	if len(parts) != 3 || parts[0] != string(o.GetUID()) || parts[1] != storedID || parts[2] == "" ||
		(!keyless && stalledWith(st, orqv1alpha1.ReasonAdoptionRequired)) || stalledWith(st, orqv1alpha1.ReasonAPIRejected) ||
		stalledWith(st, orqv1alpha1.ReasonUnauthorized) {
		return ""
	}
	return parts[2]
}

// pending is pendingCreate, without the markers this process knows prove nothing: spent (see
// spend), or written for a create that was never sent (the 429 gate held it back, or no
// connection could be made: see createRemote).
func (r *Reconciler) pending(o Object, storedID string) string {
	v := o.GetAnnotations()[orqv1alpha1.AnnotationCreateAttempt]
	if r.spent.has(v) || r.unsent.has(v) {
		return ""
	}
	return pendingCreate(o, storedID, r.Kind.Endpoint().Keyless)
}

// writeMarker records the create about to be sent, unless it is recorded already (with the
// finalizer, or by an earlier attempt of the same body). It also drops the marker of earlier
// versions, which is never evidence. The write holds only on the version of the object the pass
// read: a pass that read it from a cache not yet showing the marker of a create whose answer was
// lost must not send a second create (for schedules, a second one that runs), but be retried on
// the object as it is.
func (r *Reconciler) writeMarker(ctx context.Context, p *pass) error {
	v := markerValue(p)
	// A spent marker was cleared (or is being): the copy read may still show it, so it is written
	// again, on that version, and stays known spent until that write lands.
	if p.obj.GetAnnotations()[orqv1alpha1.AnnotationCreateAttempt] != v || r.spent.has(v) {
		if err := r.patchAnnotations(ctx, p.obj, map[string]any{
			orqv1alpha1.AnnotationCreateAttempt:           v,
			orqv1alpha1.AnnotationLegacyCreateAttemptedAt: nil,
		}, p.obj.GetResourceVersion()); err != nil {
			return err
		}
	}
	// A new attempt with the same body: once sent, its outcome is unknown again.
	r.spent.remove(v)
	r.unsent.remove(v)
	return nil
}

// spend makes the marker of a create whose outcome is now known (it made nothing, or the one
// remote object it could have made was read and refused) no evidence any more: remembered as spent
// at once, then cleared. A failed clear does not fail the pass: the refusal it comes with is
// reported in status (AdoptionRequired, or the API's refusal), which also makes the marker no
// evidence (see pendingCreate), and the clear is tried again at the next refusal. Until then this
// process takes the marker for no evidence; only a crash before either write lands leaves it.
func (r *Reconciler) spend(ctx context.Context, p *pass) {
	v, ok := p.obj.GetAnnotations()[orqv1alpha1.AnnotationCreateAttempt]
	if !ok {
		return
	}
	r.spent.add(v) // kept a while after the clear: the cache may still show the marker (see markerSet)
	p.pending = ""
	if err := r.patchAnnotations(ctx, p.obj, map[string]any{orqv1alpha1.AnnotationCreateAttempt: nil}, ""); err != nil {
		logf.FromContext(ctx).Info("could not clear the spent create marker; it is no evidence, and is cleared at the next refusal", "error", err.Error())
	}
}

// patchAnnotations sets (or, with nil, removes) these annotations only, on the object's version
// resourceVersion when one is given (a conflict otherwise). A merge patch computed from the cached
// object could send "annotations": null and so also remove those the cache drops (kubectl's
// last-applied-configuration, see stripObject). The answer is not taken whole into o: it may carry
// a spec changed meanwhile, which this pass did not apply; only these annotations and the
// resourceVersion are.
func (r *Reconciler) patchAnnotations(ctx context.Context, o Object, set map[string]any, resourceVersion string) error {
	metadata := map[string]any{"annotations": set}
	if resourceVersion != "" {
		metadata["resourceVersion"] = resourceVersion
	}
	body, err := json.Marshal(map[string]any{"metadata": metadata})
	if err != nil {
		return err
	}
	answer := o.DeepCopyObject().(Object)
	if err := r.Patch(ctx, answer, client.RawPatch(types.MergePatchType, body)); err != nil {
		return err
	}
	annotations := o.GetAnnotations()
	for k, v := range set {
		if s, ok := v.(string); ok {
			if annotations == nil {
				annotations = map[string]string{}
			}
			annotations[k] = s
		} else {
			delete(annotations, k)
		}
	}
	o.SetAnnotations(annotations)
	o.SetResourceVersion(answer.GetResourceVersion())
	return nil
}

// markerMemory is how long this process remembers a marker it knows proves nothing: long past
// the moment its clear reaches the cache (the informer lags the pass's own writes), and past any
// retry of a refused clear; a marker still on an object after it is no evidence either, its object
// being stalled on the refusal (see pendingCreate).
const markerMemory = time.Hour

// markerSet holds marker values for markerMemory, safe for concurrent use; its zero value is
// empty. Its values name objects by UID, so it holds at most one entry per create refused or held
// back in the last hour.
type markerSet struct {
	mu     sync.Mutex
	values map[string]time.Time
}

func (m *markerSet) has(v string) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	at, ok := m.values[v]
	if ok && time.Since(at) > markerMemory {
		delete(m.values, v)
		return false
	}
	return v != "" && ok
}

func (m *markerSet) add(v string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.values == nil {
		m.values = map[string]time.Time{}
	}
	m.values[v] = time.Now()
}

func (m *markerSet) remove(v string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.values, v)
}
