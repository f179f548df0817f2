package managed

import (
	"context"
	"fmt"
	"slices"

	"sigs.k8s.io/controller-runtime/pkg/client"
)

// refIndex indexes objects by what their spec references ("Kind/namespace/name", see
// Reference.Key); heldIndex by what their remote object holds, as their status last reported it
// (see heldKeys).
const (
	refIndex  = ".managed.references"
	heldIndex = ".managed.holds"
)

// waitForUsers keeps an object being deleted while others still use its remote object: objects
// whose spec names it, from a namespace it allows (unless they let it go by themselves, see
// Reference.Droppable), and objects whose remote object holds it. Their changes wake it (see watches.go).
func (r *Reconciler) waitForUsers(ctx context.Context, p *pass) error {
	users, err := r.usersOf(ctx, p.obj)
	if err != nil {
		return err
	}
	if len(users) > 0 {
		p.users = users
		return p.done(endInUse)
	}
	return nil
}

// usersOf lists the objects, of any kind, that use the remote object of target.
func (r *Reconciler) usersOf(ctx context.Context, target Object) ([]string, error) {
	self := Reference{Kind: r.Kind.Name(), Namespace: target.GetNamespace(), Name: target.GetName()}.Key()
	held := heldKeysOf(r.Kind.Name(), target)
	var users []string
	add := func(kind Kind, o Object) {
		if o.GetUID() == target.GetUID() {
			return
		}
		if name := fmt.Sprintf("%s %s/%s", kind.Name(), o.GetNamespace(), o.GetName()); !slices.Contains(users, name) {
			users = append(users, name)
		}
	}
	for _, kind := range r.Kinds.All() {
		referrers, err := r.listBy(ctx, kind, refIndex, self)
		if err != nil {
			return nil, err
		}
		for _, o := range referrers {
			// A reference the target does not allow never reached orq (RefNotPermitted): it holds
			// nothing, and must not let another namespace keep the target for ever (review 2, S6).
			if allowsReferencesFrom(target, o.GetNamespace()) &&
				slices.ContainsFunc(kind.References(o), func(ref Reference) bool { return ref.Key() == self && !ref.Droppable }) {
				add(kind, o)
			}
		}
		if _, ok := kind.(Holder); !ok {
			continue
		}
		for _, h := range held {
			holders, err := r.listBy(ctx, kind, heldIndex, h)
			if err != nil {
				return nil, err
			}
			for _, o := range holders {
				add(kind, o)
			}
		}
	}
	return users, nil
}

// heldKeysOf are the heldIndex values under which a holder lists the remote object of o: by key
// and by id, in its workspace.
func heldKeysOf(kind string, o Object) []string {
	st := o.ManagedStatus()
	if st.APIKeyHash == "" {
		return nil // it never reached orq: nothing holds it
	}
	var out []string
	if key := o.RemoteKey(); key != "" {
		out = append(out, heldKey(kind, st.APIKeyHash, "key", key))
	}
	if st.ID != "" {
		out = append(out, heldKey(kind, st.APIKeyHash, "id", st.ID))
	}
	return out
}

func heldKey(kind, workspace, by, value string) string {
	return kind + "@" + workspace + "/" + by + "/" + value
}

// heldKeys is the heldIndex value of a holder: what its remote object holds, in its workspace.
func heldKeys(h Holder, o Object) []string {
	ws := o.ManagedStatus().APIKeyHash
	if ws == "" {
		return nil
	}
	var out []string
	for _, held := range h.Holds(o) {
		if held.Key != "" {
			out = append(out, heldKey(held.Kind, ws, "key", held.Key))
		}
		if held.ID != "" {
			out = append(out, heldKey(held.Kind, ws, "id", held.ID))
		}
	}
	return out
}

// listBy lists the objects of a kind whose field index holds value.
func (r *Reconciler) listBy(ctx context.Context, kind Kind, field, value string) ([]Object, error) {
	list := kind.NewList()
	if err := r.List(ctx, list, client.MatchingFields{field: value}); err != nil {
		return nil, err
	}
	return kind.Items(list), nil
}
