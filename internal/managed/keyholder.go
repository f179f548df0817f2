package managed

import (
	"context"
	"slices"

	"k8s.io/client-go/util/workqueue"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
)

// keyIndex indexes the objects of a kind by the place of their remote object: its key (for a kind
// without keys, the id a spec adopts and the id it records). Two objects of one kind in one place
// conflict only if their credentials reach the same workspace (see Workspaces.Of).
const keyIndex = ".managed.key"

// placesOf are the keyIndex values of an object of kind k. A remote object of a kind without keys
// is known by its id only: the one a spec adopts, and the one an object created and records, so
// that an object adopting a schedule another one holds conflicts with it (review 2, S3).
func placesOf(k Kind, o Object) []string {
	places := nonEmpty(o.RemoteKey())
	if id := o.ManagedStatus().ID; k.Endpoint().Keyless && id != "" && id != o.RemoteKey() {
		places = append(places, id)
	}
	return places
}

// findKeyHolder records the object that manages this object's key in its workspace when it is
// another one; an object that is not being deleted then waits, KeyConflict, without a call to orq.
func (r *Reconciler) findKeyHolder(ctx context.Context, p *pass) error {
	holder, err := r.keyHolder(ctx, p.obj)
	if err != nil {
		return err
	}
	p.keyHolder = holder
	if holder != nil && p.obj.GetDeletionTimestamp().IsZero() {
		return p.done(endKeyConflict)
	}
	return nil
}

// keyHolder returns the object of this kind that manages this object's key in its workspace,
// when it is another one; nil means this object. Of the objects with the key whose credentials
// reach that workspace (in any namespace, through any credential source), the one that holds the
// remote object wins; between two holders, or two that hold none, the oldest (see outranks).
func (r *Reconciler) keyHolder(ctx context.Context, o Object) (Object, error) {
	var others []Object
	for _, place := range placesOf(r.Kind, o) {
		list := r.Kind.NewList()
		if err := r.List(ctx, list, client.MatchingFields{keyIndex: place}); err != nil {
			return nil, err
		}
		others = append(others, r.Kind.Items(list)...)
	}
	holder, workspace, known := o, "", false
	here := func() string { // o's workspace, read once and only when needed (it may read a Secret)
		if !known {
			workspace, known = r.workspaceOf(ctx, o), true
		}
		return workspace
	}
	for _, other := range others {
		if other.GetUID() == o.GetUID() || !outranks(other, holder, here) {
			continue
		}
		if r.credentialSource(ctx, other) != r.credentialSource(ctx, o) {
			if here() == "" || r.workspaceOf(ctx, other) != here() {
				continue // another workspace, where the key names another remote object
			}
		}
		holder = other
	}
	if holder.GetUID() == o.GetUID() {
		return nil, nil
	}
	return holder, nil
}

// credentialSource is the source of the credentials an object uses (its parent's, for a kind
// with a parent).
func (r *Reconciler) credentialSource(ctx context.Context, o Object) string {
	if holder, err := r.credentialHolder(ctx, o); err == nil {
		return Source(holder)
	}
	return Source(o)
}

// workspaceOf is the workspace of the credentials an object uses.
func (r *Reconciler) workspaceOf(ctx context.Context, o Object) string {
	holder, err := r.credentialHolder(ctx, o)
	if err != nil {
		return o.ManagedStatus().APIKeyHash
	}
	return r.Workspaces.Of(ctx, holder)
}

// outranks tells whether a has the better claim to a key than b in the workspace here names: the
// object that holds the remote object wins, whatever its age; then the older (creationTimestamp
// has a resolution of one second, so ties go by namespace/name). Two objects that each hold a
// remote object under the key, recorded in different workspaces (status.apiKeyHash), hold one here
// only if it is the one recorded here: an object whose credentials moved from another workspace
// holds its remote object there, not the one another object made here (review 2, S7).
func outranks(a, b Object, here func() string) bool {
	aHolds, bHolds := holdsKey(a), holdsKey(b)
	if aw, bw := a.ManagedStatus().APIKeyHash, b.ManagedStatus().APIKeyHash; aHolds && bHolds && aw != bw && here != nil {
		if ws := here(); ws != "" && (aw == ws || bw == ws) {
			aHolds, bHolds = aw == ws, bw == ws
		}
	}
	if aHolds != bHolds {
		return aHolds
	}
	at, bt := a.GetCreationTimestamp(), b.GetCreationTimestamp()
	if !at.Equal(&bt) {
		return at.Before(&bt)
	}
	if a.GetNamespace() != b.GetNamespace() {
		return a.GetNamespace() < b.GetNamespace()
	}
	return a.GetName() < b.GetName()
}

// holdsKey tells whether an object manages its remote object now: it records one, and neither
// lost its key to another object (KeyConflict) nor found, by reading, that another remote object
// took its place (AdoptionRequired).
func holdsKey(o Object) bool {
	st := o.ManagedStatus()
	return st.ID != "" && !stalledWith(st, orqv1alpha1.ReasonKeyConflict) && !stalledWith(st, orqv1alpha1.ReasonAdoptionRequired)
}

// keySharers wakes the other objects of a kind that share, or shared, an object's key when it is
// created, deleted, or its key, credential source or workspace (the API key it reads) changes, or
// it starts or stops holding its remote object: a KeyConflict may have begun or ended.
type keySharers struct{ r *Reconciler }

var _ handler.TypedEventHandler[client.Object, reconcile.Request] = keySharers{}

func (k keySharers) Create(ctx context.Context, e event.CreateEvent, q workqueue.TypedRateLimitingInterface[reconcile.Request]) {
	k.add(ctx, q, e.Object)
}

func (k keySharers) Delete(ctx context.Context, e event.DeleteEvent, q workqueue.TypedRateLimitingInterface[reconcile.Request]) {
	k.add(ctx, q, e.Object)
}

func (k keySharers) Update(ctx context.Context, e event.UpdateEvent, q workqueue.TypedRateLimitingInterface[reconcile.Request]) {
	o, ok1 := e.ObjectOld.(Object)
	n, ok2 := e.ObjectNew.(Object)
	if ok1 && ok2 && (!slices.Equal(placesOf(k.r.Kind, o), placesOf(k.r.Kind, n)) || Source(o) != Source(n) ||
		o.ManagedStatus().APIKeyHash != n.ManagedStatus().APIKeyHash || holdsKey(o) != holdsKey(n)) {
		k.add(ctx, q, o)
		k.add(ctx, q, n)
	}
}

func (keySharers) Generic(context.Context, event.GenericEvent, workqueue.TypedRateLimitingInterface[reconcile.Request]) {
}

// add queues the objects indexed under o's key, other than o.
func (k keySharers) add(ctx context.Context, q workqueue.TypedRateLimitingInterface[reconcile.Request], o client.Object) {
	obj, ok := o.(Object)
	if !ok {
		return
	}
	for _, place := range placesOf(k.r.Kind, obj) {
		for _, req := range k.r.requestsByIndex(ctx, k.r.Kind, keyIndex, place, o.GetUID()) {
			q.Add(req)
		}
	}
}
