package managed

import (
	"context"
	"fmt"
	"strings"
	"time"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
	"github.com/orq-ai/orq-operator/internal/orqclient"
)

// readRemote reads the remote object that is, or may be, this object's: the one it recorded, or
// the one at its key. A first create needs no read when orq answers a taken key with a 409 (agents),
// or when the kind has no key (schedules: nothing else can be "theirs"); a first create of another
// kind looks its key up in a recent listing (see lookupMaxAge). It reads at once when it recorded a
// remote object, may adopt one, has a create whose outcome it never learned, or was refused
// adoption before.
func (r *Reconciler) readRemote(ctx context.Context, p *pass) error {
	st, e := p.status(), r.Kind.Endpoint()
	// An object that observed a remote object before (managementPolicy Observe, then Manage)
	// knows its key is taken: it reads first, rather than send a create that cannot be its own.
	observed := st.ID == "" && st.RemoteUpdated != ""
	direct := st.ID != "" || adopts(p.obj) || p.pending != "" || observed || stalledWith(st, orqv1alpha1.ReasonAdoptionRequired)
	if !direct && (e.Conflict409 || (e.Keyless && p.obj.RemoteKey() == "")) {
		return nil
	}
	// A first create may use a listing begun after its object was created (anything made at the
	// key before the object was applied shows in it) and at most lookupMaxAge ago; any other read
	// is fresh.
	notBefore := r.now().Add(-lookupMaxAge)
	if created := p.obj.GetCreationTimestamp(); created.After(notBefore) {
		notBefore = created.Time
	}
	if direct {
		notBefore = r.now()
	}
	remote, err := r.find(ctx, p, notBefore, !direct)
	if err != nil || remote == nil {
		if err == nil && st.ID != "" {
			r.log(ctx).Info("the remote object is gone; creating it again")
		}
		return err
	}
	p.view = r.view(p, remote)
	return nil
}

// find locates the remote object: by its recorded id, or by its key (an id a listing found, for
// a collection addressed by id), or, for a kind without keys, the id to adopt (spec), or, when
// there is none or it is gone, its lost create among the parent's members. nil: there is none.
// listFirst: a first create of a kind addressed by key looks its key up in a recent listing too,
// and reads it only when it is taken, so that a burst of creates costs a listing, not a read each.
func (r *Reconciler) find(ctx context.Context, p *pass, notBefore time.Time, listFirst bool) (*orqclient.Remote, error) {
	st, e, parent := p.status(), r.Kind.Endpoint(), p.desired.Parent
	if !e.ByID {
		if listFirst {
			id, err := r.lookups.find(ctx, p.api, p.apiKeyHash, e, parent, p.obj.RemoteKey(), notBefore)
			if err != nil || id == "" {
				return nil, err
			}
		}
		return r.get(ctx, p, p.obj.RemoteKey())
	}
	if st.ID != "" {
		if remote, err := r.get(ctx, p, st.ID); remote != nil || err != nil {
			return remote, err
		}
	}
	if e.Keyless {
		if id := r.idToAdopt(p.obj); id != "" && id != st.ID {
			// The one the spec adopts; once it is gone, a create sent since may have made another.
			if remote, err := r.get(ctx, p, id); remote != nil || err != nil {
				return remote, err
			}
		}
		return r.findLostCreate(ctx, p)
	}
	id, err := r.lookups.find(ctx, p.api, p.apiKeyHash, e, parent, p.obj.RemoteKey(), notBefore)
	if err != nil || id == "" {
		return nil, err
	}
	return r.get(ctx, p, id)
}

// get reads a remote object by its address; nil when orq says it does not exist.
func (r *Reconciler) get(ctx context.Context, p *pass, addr string) (*orqclient.Remote, error) {
	remote, err := p.api.Get(ctx, r.Kind.Endpoint(), p.desired.Parent, addr)
	if orqclient.IsNotFound(err) {
		return nil, nil
	}
	return remote, err
}

// findLostCreate looks, for a kind without keys, for the remote object a create of unknown outcome
// made: among the parent's members that no other object records, the one equal to what that create
// sent (its marker's body). The display name alone proves nothing. When it cannot tell (two equal
// members, or the spec changed since that create, so that any unrecorded member may be it), it
// stalls without spending the marker: each pass looks again, until a person adopts one by id or
// deletes in orq those that are not this object's. Creating anew then could duplicate a schedule
// that runs.
func (r *Reconciler) findLostCreate(ctx context.Context, p *pass) (*orqclient.Remote, error) {
	if p.pending == "" {
		return nil, nil
	}
	// An object being deleted builds the request its creates sent only now (once a pass).
	if ok, err := r.sentRequest(ctx, p); err != nil || !ok {
		return nil, err // !ok: the spec cannot become a request, so no create sent one
	}
	page, err := p.api.ListVersions(ctx, r.Kind.Endpoint(), p.desired.Parent, orqclient.ListOptions{})
	if err != nil {
		return nil, err
	}
	recorded, err := r.recordedIDs(ctx)
	if err != nil {
		return nil, err
	}
	var candidates []*orqclient.Remote
	for _, v := range page.Versions {
		if recorded[v.ID] {
			continue
		}
		remote, err := r.get(ctx, p, v.ID)
		if err != nil {
			return nil, err
		}
		if remote != nil && (p.pending != p.hash || r.madeByCreate(p, remote)) {
			candidates = append(candidates, remote)
		}
	}
	switch {
	case len(candidates) == 0:
		return nil, nil
	case len(candidates) == 1 && p.pending == p.hash:
		return candidates[0], nil
	}
	return nil, ambiguousCreate(r.Kind, p.desired.Parent, candidates, p.pending == p.hash)
}

// ambiguousCreate is the stall of a lost create that may have made any of candidates.
func ambiguousCreate(k Kind, parent string, candidates []*orqclient.Remote, sameBody bool) error {
	ids := make([]string, len(candidates))
	for i, c := range candidates {
		ids[i] = c.ID
	}
	which := "all equal to its body"
	if !sameBody {
		which = "as the spec changed since, any that no " + k.Name() + " records"
	}
	return failure(stalledSlow, orqv1alpha1.ReasonAdoptionRequired,
		"a create of this %s whose answer was lost may have made any of the %ss %s of %q (%s): "+
			"set %s to the one that is its (with adoptionPolicy Adopt), or delete in orq those that are not",
		k.Name(), k.Endpoint().Kind, strings.Join(ids, ", "), parent, which, idField(k))
}

// idField names the spec field by which an object of a kind without keys names the remote object
// it adopts.
func idField(k Kind) string {
	if a, ok := k.(IDAdopter); ok {
		return a.IDField()
	}
	return "the id to adopt"
}

// recordedIDs are the ids the objects of this kind record, or name to adopt (a kind without keys
// names the remote object to adopt by its id): those remote objects are theirs.
func (r *Reconciler) recordedIDs(ctx context.Context) (map[string]bool, error) {
	list := r.Kind.NewList()
	if err := r.List(ctx, list); err != nil {
		return nil, fmt.Errorf("listing %ss: %w", r.Kind.Name(), err)
	}
	out := map[string]bool{}
	for _, o := range r.Kind.Items(list) {
		for _, id := range placesOf(r.Kind, o) { // a kind without keys: the ids adopted and recorded
			out[id] = true
		}
	}
	return out, nil
}

// view compares an answer of orq with the desired request. For the object's own remote object, a
// field carrying a Secret whose version changed since it was last sent differs, whatever orq
// echoes (it does not echo the value), and so does a field orq does not echo at all once the spec
// changed since it was last applied.
func (r *Reconciler) view(p *pass, remote *orqclient.Remote) *remoteView {
	v := &remoteView{remote: remote}
	if p.desired.Body == nil {
		return v
	}
	v.changed = r.Kind.Compare(p.desired.Body, remote)
	if !p.claimedOrRecorded(remote) {
		return v
	}
	if p.secretsHash != p.status().SecretsHash && !p.sentSecrets && !r.Values.planning() {
		v.changed = union(v.changed, secretFields(p.desired.Body))
	}
	if u, ok := r.Kind.(Unechoed); ok && p.hash != p.status().AppliedHash && !p.wrote {
		for _, f := range u.UnechoedFields() {
			if _, set := p.desired.Body[f]; set {
				v.changed = union(v.changed, []string{f})
			}
		}
	}
	return v
}

// claimedOrRecorded tells whether a remote object is the one this object manages, by the id it
// claimed in this pass or recorded before.
func (p *pass) claimedOrRecorded(remote *orqclient.Remote) bool {
	return remote.ID != "" && (remote.ID == p.claimedID || remote.ID == p.status().ID)
}
