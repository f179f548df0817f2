package managed

import (
	"context"
	"fmt"
	"slices"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
	"github.com/orq-ai/orq-operator/internal/metrics"
	"github.com/orq-ai/orq-operator/internal/orqclient"
)

// ensureFinalizer adds the finalizer before anything is created remotely. An object that has not
// created its remote object yet also gets, in the same write, the marker of the create it is about
// to send (see marker.go): the first create then costs no write of its own before its POST. An
// object that names the remote object to adopt by id reads it first, and the read may fail: its
// marker waits for a create that is certain to be sent (createRemote), so that it never stands
// for a create that never was.
func (r *Reconciler) ensureFinalizer(ctx context.Context, p *pass) error {
	finalizer := r.Kind.Finalizer()
	if controllerutil.ContainsFinalizer(p.obj, finalizer) {
		return nil
	}
	patch := client.MergeFromWithOptions(p.obj.DeepCopyObject().(Object), client.MergeFromWithOptimisticLock{})
	controllerutil.AddFinalizer(p.obj, finalizer)
	if p.status().ID == "" && p.pending == "" && r.idToAdopt(p.obj) == "" {
		annotations := p.obj.GetAnnotations()
		if annotations == nil {
			annotations = map[string]string{}
		}
		annotations[orqv1alpha1.AnnotationCreateAttempt] = markerValue(p)
		p.obj.SetAnnotations(annotations)
	}
	return r.Patch(ctx, p.obj, patch)
}

// claimRemote decides whether the remote object found is this object's to manage: the one it
// recorded, its own create whose answer was lost (proved by the create marker), or one it may
// adopt. Anything else stalls, AdoptionRequired, untouched.
func (r *Reconciler) claimRemote(ctx context.Context, p *pass) error {
	if p.view == nil {
		return nil
	}
	return r.claim(ctx, p, p.pending)
}

// claim is claimRemote with the body hash of a create whose outcome is unknown ("" for none):
// the one ownership proof of the core, which deletion applies too (see confirmOwnership).
func (r *Reconciler) claim(ctx context.Context, p *pass, pending string) error {
	st, remote := p.status(), p.view.remote
	what := r.remoteName(p.obj)
	switch {
	case st.ID != "" && remote.ID == st.ID:
	case r.created.is(p.obj, remote.ID):
		r.log(ctx).Info("found the remote object this process created, its recording in status not seen yet", "id", remote.ID)
	case pending != "" && pending == p.hash && remote.ID != r.idToAdopt(p.obj) && r.madeByCreate(p, remote):
		r.log(ctx).Info("found the remote object of a create whose answer was lost: it is exactly the body that create sent", "id", remote.ID)
	case adopts(p.obj):
		r.event(p.obj, corev1.EventTypeNormal, orqv1alpha1.ReasonAdopted, actionAdopt, "Adopted existing %s (id %s)", what, remote.ID)
	case st.ID != "":
		r.spend(ctx, p) // the one remote object a pending create could have made is refused
		return failure(stalledSlow, orqv1alpha1.ReasonAdoptionRequired,
			"a different %s (id %s) now holds its place; the one this %s managed (id %s) is gone. "+
				"Delete it in orq to have this %s create its own, or set spec.adoptionPolicy: Adopt to take it over",
			what, remote.ID, r.Kind.Name(), st.ID, r.Kind.Name())
	default:
		r.spend(ctx, p)
		return failure(stalledSlow, orqv1alpha1.ReasonAdoptionRequired,
			"%s (id %s) already exists and this %s cannot prove it created it; "+
				"set spec.adoptionPolicy: Adopt to take it over and correct it to the spec", what, remote.ID, r.Kind.Name())
	}
	p.claimedID = remote.ID
	p.view = r.view(p, remote) // now this object's: its Secret fields are compared as its own
	return nil
}

// createRemote creates the remote object when there is none, after recording the attempt.
func (r *Reconciler) createRemote(ctx context.Context, p *pass) error {
	if p.view != nil {
		return nil
	}
	if err := r.writeMarker(ctx, p); err != nil {
		return err
	}
	created, err := p.api.Create(ctx, r.Kind.Endpoint(), p.desired.Parent, r.createBody(p.desired.Body))
	switch {
	case err == nil:
		r.recordCreated(p, created)
		return nil
	case orqclient.IsNotFound(err):
		// orq's own 404 to a create under a parent the cluster holds: the request names something
		// orq does not know (an agent's version). The spec must change, or the version come.
		r.spend(ctx, p)
		return unknownReference(err)
	case orqclient.IsConflict(err):
		return r.createConflicted(ctx, p)
	case orqclient.NotSent(err):
		// Nothing was sent, so nothing can be this create's: the marker stays as it is (no write
		// per retry), but proves nothing until an attempt is sent.
		r.unsent.add(markerValue(p))
		p.pending = ""
		return err
	case orqclient.Refused(err):
		// Refused: nothing was created, and a remote object made later is not this object's.
		r.spend(ctx, p)
		return err
	default:
		return err // the outcome is unknown: the marker stays, as evidence for the next pass
	}
}

// createBody is the create request of a desired request: all of it, or what the kind's Creator
// sends.
func (r *Reconciler) createBody(desired orqclient.Body) orqclient.Body {
	if c, ok := r.Kind.(Creator); ok {
		return c.CreateBody(desired)
	}
	return desired
}

// madeByCreate tells whether remote equals what a create of this pass's request made, in every
// field the create sends: a suspended schedule's lost create made an active schedule.
func (r *Reconciler) madeByCreate(p *pass, remote *orqclient.Remote) bool {
	return len(r.Kind.Compare(r.createBody(p.desired.Body), remote)) == 0
}

// recordCreated takes the remote object a create answered with as this object's.
func (r *Reconciler) recordCreated(p *pass, created *orqclient.Remote) {
	what, st := r.remoteName(p.obj), p.status()
	switch {
	case st.ID != "" && st.APIKeyHash != "" && st.APIKeyHash != p.apiKeyHash:
		// Its credentials now reach another workspace: nothing was deleted, and the remote object
		// of the former one is left there, no longer managed (review 2, S4).
		r.event(p.obj, corev1.EventTypeNormal, orqv1alpha1.ReasonCreated, actionCreate,
			"Created %s in the workspace of its new API key; the one of its former workspace (id %s) is left there", what, st.ID)
	case st.ID != "":
		metrics.DriftCorrections.WithLabelValues(metrics.DriftRecreated).Inc()
		r.event(p.obj, corev1.EventTypeNormal, orqv1alpha1.ReasonRecreated, actionCreate, "Re-created %s, deleted outside Kubernetes", what)
	default:
		r.event(p.obj, corev1.EventTypeNormal, orqv1alpha1.ReasonCreated, actionCreate, "Created %s", what)
	}
	p.claimedID, p.wrote, p.sentSecrets = created.ID, true, true
	r.created.add(p.obj, created.ID)
	p.view = r.view(p, created)
}

// createConflicted handles a 409: this create made nothing, so the marker is spent at once,
// before anything else can fail and leave it as evidence. The remote object at the key is someone
// else's: readRemote found none before the create, so an earlier create of unknown outcome did
// not make it either, unless that request was still on its way, and then the object stalls
// (failing safe). It is taken only under adoptionPolicy Adopt.
func (r *Reconciler) createConflicted(ctx context.Context, p *pass) error {
	// A create of unknown outcome before this one (the pass began with its marker pending) is not
	// refuted by this create's 409: the one read that follows it may still find it, equal to its
	// body (review R4; the window README states). This create's own marker proves nothing more.
	earlier := p.pending
	r.spend(ctx, p)
	remote, err := r.find(ctx, p, r.now(), false)
	switch {
	case err != nil:
		return err
	case remote == nil:
		return failure(retryable, orqv1alpha1.ReasonAPIUnavailable, "orq answered that %s exists, then that it does not; trying again", r.remoteName(p.obj))
	}
	p.view = r.view(p, remote)
	return r.claim(ctx, p, earlier)
}

// unknownReference is the stall of a request orq answered 404 although what it addresses exists:
// it names something orq does not know. Retried every sync period, and when the object or its
// parent changes: never in a loop.
func unknownReference(err error) error {
	return &stepError{reason: orqv1alpha1.ReasonUnknownReference, handling: stalledSlow,
		err: fmt.Errorf("orq does not know something the request names: %w", err)}
}

// idToAdopt is the id of the remote object that an object of a kind without keys names in its
// spec to take (spec.scheduleId), or "". It existed before the object did: no create of the
// object ever made it, whatever a marker says.
func (r *Reconciler) idToAdopt(o Object) string {
	if !r.Kind.Endpoint().Keyless {
		return ""
	}
	return o.RemoteKey()
}

// adopts tells whether an object may take over a remote object it did not create.
func adopts(o Object) bool {
	return o.ManagedPolicies().AdoptionPolicy == orqv1alpha1.AdoptionPolicyAdopt
}

// remoteName names the remote object in messages: `orq agent "support"`, `orq schedule of agent
// "digest"`.
func (r *Reconciler) remoteName(o Object) string {
	e := r.Kind.Endpoint()
	if key := o.RemoteKey(); key != "" && !e.Keyless {
		return "orq " + e.Kind + " " + quote(key)
	}
	return "orq " + e.Kind + " " + quote(o.GetName())
}

// union is the sorted union of two sorted lists of field names.
func union(a, b []string) []string {
	out := slices.Clone(a)
	for _, f := range b {
		if !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	slices.Sort(out)
	return out
}
