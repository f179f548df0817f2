package managed

import (
	"context"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"
	logf "sigs.k8s.io/controller-runtime/pkg/log"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
)

// credentialHolder is the object whose credentials an object uses: itself, or, for a kind with a
// parent (a schedule), the parent, which must exist.
func (r *Reconciler) credentialHolder(ctx context.Context, o Object) (Object, error) {
	parented, ok := r.Kind.(Parented)
	if !ok {
		return o, nil
	}
	ref := parented.Parent(o)
	kind, ok := r.Kinds.Get(ref.Kind)
	if !ok {
		return nil, failure(terminal, orqv1alpha1.ReasonInvalidSpec, "invalid spec: %s names a %s, which this operator does not manage", ref.Field, ref.Kind)
	}
	parent := kind.New()
	switch err := r.Get(ctx, types.NamespacedName{Namespace: ref.Namespace, Name: ref.Name}, parent); {
	case apierrors.IsNotFound(err):
		return nil, failure(waitingOnCluster, orqv1alpha1.ReasonDependencyNotReady, "waiting for %s: it does not exist", display(ref))
	case err != nil:
		return nil, err
	}
	return parent, nil
}

// dropLeaving lets the targets being deleted go from the remote object, when the kind does so by
// itself (an agent drops a leaving team member) and this object manages its remote object; the
// rest is left as it is until every reference resolves again.
func (r *Reconciler) dropLeaving(ctx context.Context, p *pass, leaving []Target) error {
	dropper, ok := r.Kind.(Dropper)
	st := p.status()
	if !ok || st.ID == "" || p.obj.ManagedPolicies().ManagementPolicy == orqv1alpha1.ManagementPolicyObserve || p.api == nil {
		return nil
	}
	e := r.Kind.Endpoint()
	remote, err := p.api.Get(ctx, e, "", r.address(p.obj, st.ID))
	if err != nil {
		return err
	}
	if remote.ID != st.ID {
		return nil // not this object's remote object any more: claimRemote deals with it once refs resolve
	}
	body, dropped := dropper.Drop(remote, leaving)
	if len(dropped) > 0 {
		if remote, err = p.api.Update(ctx, e, "", r.address(p.obj, st.ID), body); err != nil {
			return err
		}
		p.wrote = true // the remote object now differs from the spec, which still names them
		logf.FromContext(ctx).Info("let go of objects that are being deleted", "dropped", dropped)
		r.event(p.obj, corev1.EventTypeNormal, orqv1alpha1.ReasonMemberRemoved, actionUpdate, "Removed %s from orq %s %q: their objects are being deleted",
			strings.Join(dropped, ", "), r.Kind.Endpoint().Kind, p.obj.RemoteKey())
	}
	p.view, p.claimedID = &remoteView{remote: remote}, remote.ID
	return nil
}

// address is how a remote object is addressed in its collection: its key, or its id.
func (r *Reconciler) address(o Object, id string) string {
	if r.Kind.Endpoint().ByID {
		return id
	}
	return o.RemoteKey()
}
