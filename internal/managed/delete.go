package managed

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
	"github.com/orq-ai/orq-operator/internal/orqclient"
)

// reasonGone: there is nothing left to delete.
const reasonGone = "it does not exist"

// checkFinalizer ends the pass of an object being deleted that the operator already released.
func (r *Reconciler) checkFinalizer(_ context.Context, p *pass) error {
	if !controllerutil.ContainsFinalizer(p.obj, r.Kind.Finalizer()) {
		return p.done(endReleased)
	}
	return nil
}

// keepIfNotToDelete releases at once an object whose remote object is to stay in orq.
func (r *Reconciler) keepIfNotToDelete(ctx context.Context, p *pass) error {
	pol := p.obj.ManagedPolicies()
	policy := pol.DeletionPolicy
	if policy == "" {
		policy = r.DefaultDeletionPolicy
	}
	switch {
	case p.keyHolder != nil:
		return r.release(ctx, p, fmt.Sprintf("its key is managed by %s %s/%s", r.Kind.Name(), p.keyHolder.GetNamespace(), p.keyHolder.GetName()))
	case p.obj.Suspended():
		return r.release(ctx, p, "the "+r.Kind.Name()+" is suspended")
	case pol.ManagementPolicy == orqv1alpha1.ManagementPolicyObserve:
		return r.release(ctx, p, "managementPolicy is Observe")
	case policy == orqv1alpha1.DeletionPolicyOrphan:
		return r.release(ctx, p, "deletionPolicy is Orphan")
	}
	return nil
}

// confirmOwnership finds the remote object: only the one whose id this object recorded is
// deleted, whatever adoptionPolicy says (it decides what may be taken over, not what may be
// deleted), or one provably its own lost create or re-create (see marker.go).
func (r *Reconciler) confirmOwnership(ctx context.Context, p *pass) error {
	st := p.status()
	if parented, ok := r.Kind.(Parented); ok {
		parent, err := r.parentKey(ctx, parented.Parent(p.obj))
		if err != nil || parent == "" {
			return r.releaseOrWait(ctx, p, err, "its parent is gone, and its remote objects with it")
		}
		p.desired.Parent = parent
	}
	if e := r.Kind.Endpoint(); e.Keyless && st.ID == "" && p.obj.RemoteKey() == "" {
		return r.confirmLostCreateOfKeyless(ctx, p)
	}
	remote, err := r.find(ctx, p, r.now(), false)
	switch {
	case reasonOf(err) == orqv1alpha1.ReasonAdoptionRequired:
		return r.release(ctx, p, "this "+r.Kind.Name()+" cannot tell which remote object its lost create made: "+err.Error())
	case err != nil:
		return r.waitForProof(ctx, p, err) // findLostCreate may not read what its body was built from yet
	case remote == nil:
		return r.releaseGone(ctx, p)
	case st.ID != "" && remote.ID == st.ID:
		p.claimedID = remote.ID
		return nil
	}
	own, err := r.lostCreate(ctx, p, remote)
	switch {
	case err != nil:
		return r.waitForProof(ctx, p, err)
	case own:
		p.claimedID = remote.ID
		return nil
	case st.ID != "":
		return r.release(ctx, p, fmt.Sprintf("a different %s (id %s) now holds its place; this %s's (id %s) is gone", r.Kind.Endpoint().Kind, remote.ID, r.Kind.Name(), st.ID))
	}
	return r.release(ctx, p, "this "+r.Kind.Name()+" cannot prove it created it")
}

// lostCreate tells whether a remote object is the object's own create (or re-create of its
// recorded id) whose answer was lost: a pending create marker, whose body the remote object still
// equals, and not the one the spec names to adopt (see idToAdopt). That body is the spec as the
// manage path resolves it (references by the identity of their targets, values from their Secrets
// and ConfigMaps); err says why it cannot be resolved now.
func (r *Reconciler) lostCreate(ctx context.Context, p *pass, remote *orqclient.Remote) (bool, error) {
	pending := r.pending(p.obj, p.status().ID)
	if pending == "" {
		return false, nil
	}
	if ok, err := r.sentRequest(ctx, p); !ok || err != nil {
		return false, err
	}
	return pending == p.hash && remote.ID != r.idToAdopt(p.obj) && len(r.Kind.Compare(p.desired.Body, remote)) == 0, nil
}

// sentRequest builds, while the object is deleted, the request its creates sent: its references
// by the identity of their targets, whatever their state (only that matters here), its values
// from their Secrets and ConfigMaps (as last read, if deleted first). false: the spec cannot
// become a request, so no create sent anything like it. A request this pass built already (the
// manage path's, or this one's) is not built again.
func (r *Reconciler) sentRequest(ctx context.Context, p *pass) (bool, error) {
	if p.hash != "" {
		return true, nil
	}
	in := r.inputs(p.obj, p.apiKeyHash)
	in.lenient = true
	parent := p.desired.Parent
	desired, err := r.Kind.Desired(ctx, in, p.obj)
	if err != nil {
		return false, nil
	}
	if err := in.failure(); err != nil {
		return false, err
	}
	if desired.Parent == "" {
		desired.Parent = parent
	}
	p.desired, p.hash = desired, Hash(desired.Body)
	return true, nil
}

// confirmLostCreateOfKeyless looks, for an object of a kind without keys that recorded no remote
// object, for its create whose answer was lost, among its parent's members (see findLostCreate).
func (r *Reconciler) confirmLostCreateOfKeyless(ctx context.Context, p *pass) error {
	if p.pending == "" {
		return r.release(ctx, p, "") // it never sent a create of unknown outcome: nothing to delete
	}
	if ok, err := r.sentRequest(ctx, p); err != nil {
		return r.waitForProof(ctx, p, err)
	} else if !ok {
		return r.release(ctx, p, "this "+r.Kind.Name()+" cannot prove it created one")
	}
	remote, err := r.findLostCreate(ctx, p)
	switch {
	case reasonOf(err) == orqv1alpha1.ReasonAdoptionRequired:
		// Which one is its cannot be told: none is deleted, and the event names them.
		return r.release(ctx, p, "this "+r.Kind.Name()+" cannot tell which remote object its lost create made: "+err.Error())
	case err != nil:
		return err
	case remote == nil:
		return r.releaseGone(ctx, p)
	}
	p.claimedID = remote.ID
	return nil
}

// waitForProof keeps an object being deleted while what its lost create's body was built from
// cannot be read, retrying every proofRetry for proofWait after its deletion began; then it is
// released, its remote object left in orq, with an event that says why.
func (r *Reconciler) waitForProof(ctx context.Context, p *pass, err error) error {
	if c := classify(err); c.handling != waitingOnCluster {
		return err
	}
	if r.now().Sub(p.obj.GetDeletionTimestamp().Time) >= proofWait {
		return r.release(ctx, p, "this "+r.Kind.Name()+" cannot prove it created it: "+err.Error())
	}
	return &stepError{reason: reasonOf(err), handling: waiting, after: proofRetry,
		err: fmt.Errorf("cannot yet prove the remote object is this %s's lost create: %w", r.Kind.Name(), err)}
}

// releaseOrWait releases an object whose remote objects went with its parent, or waits on err.
func (r *Reconciler) releaseOrWait(ctx context.Context, p *pass, err error, why string) error {
	if err != nil {
		return err
	}
	return r.release(ctx, p, why)
}

// parentKey is the key of a parent object's remote object; "" when the parent object is gone.
func (r *Reconciler) parentKey(ctx context.Context, ref Reference) (string, error) {
	kind, ok := r.Kinds.Get(ref.Kind)
	if !ok {
		return "", nil
	}
	parent := kind.New()
	err := r.Get(ctx, client.ObjectKey{Namespace: ref.Namespace, Name: ref.Name}, parent)
	if apierrors.IsNotFound(err) {
		return "", nil
	}
	return parent.RemoteKey(), err
}

// deleteRemote deletes this object's remote object, then releases the object.
func (r *Reconciler) deleteRemote(ctx context.Context, p *pass) error {
	switch err := p.api.Delete(ctx, r.Kind.Endpoint(), p.desired.Parent, r.address(p.obj, p.claimedID)); {
	case err == nil:
		r.event(p.obj, corev1.EventTypeNormal, orqv1alpha1.ReasonDeleted, actionDelete, "Deleted %s", r.remoteName(p.obj))
	case orqclient.IsNotFound(err):
		return r.releaseGone(ctx, p)
	default:
		return err
	}
	return r.release(ctx, p, "")
}

// releaseGone releases an object whose remote object a 404 said is gone, once orq itself is seen
// to answer, at the agents (CheckAPI) and at the object's own collection: a gateway in front of orq
// can answer a route miss exactly in orq's 404 shape, for one collection and not another (review
// 2, S8). Until then the object stays, with the error naming the URL that answered. A collection
// under a parent answers 404 when its parent is gone, which takes its members with it.
func (r *Reconciler) releaseGone(ctx context.Context, p *pass) error {
	if err := p.api.CheckAPI(ctx); err != nil {
		return err
	}
	if e := r.Kind.Endpoint(); e.Path != orqclient.Agents.Path {
		_, err := p.api.ListVersions(ctx, e, p.desired.Parent, orqclient.ListOptions{Limit: 1})
		if err != nil && !(p.desired.Parent != "" && orqclient.IsNotFound(err)) {
			return err
		}
	}
	return r.release(ctx, p, reasonGone)
}

// release removes the finalizer, so the object goes; why, when not empty, says why its remote
// object stays in orq (an event).
func (r *Reconciler) release(ctx context.Context, p *pass, why string) error {
	if why != "" && why != reasonGone {
		r.event(p.obj, corev1.EventTypeNormal, orqv1alpha1.ReasonOrphaned, actionDelete, "Left %s in orq: %s", r.remoteName(p.obj), why)
	}
	patch := client.MergeFromWithOptions(p.obj.DeepCopyObject().(Object), client.MergeFromWithOptimisticLock{})
	controllerutil.RemoveFinalizer(p.obj, r.Kind.Finalizer())
	if err := r.Patch(ctx, p.obj, patch); err != nil && !apierrors.IsNotFound(err) {
		return err
	}
	return p.done(endReleased)
}
