package controller

import (
	"context"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"
	logf "sigs.k8s.io/controller-runtime/pkg/log"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
	"github.com/orq-ai/orq-operator/internal/metrics"
	"github.com/orq-ai/orq-operator/internal/orqclient"
)

// ensureFinalizer adds the finalizer before anything is created remotely. An Agent that has not
// created its agent yet also gets, in the same write, the marker of the create it is about to
// send (see marker.go): the first create then costs no write of its own before its POST.
func (r *AgentReconciler) ensureFinalizer(ctx context.Context, p *pass) error {
	if controllerutil.ContainsFinalizer(p.agent, orqv1alpha1.FinalizerName) {
		return nil
	}
	patch := client.MergeFromWithOptions(p.agent.DeepCopy(), client.MergeFromWithOptimisticLock{})
	controllerutil.AddFinalizer(p.agent, orqv1alpha1.FinalizerName)
	if p.stored.ID == "" && p.pending == "" {
		metav1.SetMetaDataAnnotation(&p.agent.ObjectMeta, orqv1alpha1.AnnotationCreateAttempt, markerValue(p))
	}
	return r.Patch(ctx, p.agent, patch)
}

// observeRemote reads the agent at the key, unless this Agent never had one and may create it
// at once: the key is the client's, so a first create needs no read (a 409 says the key is
// taken). It reads first when it recorded an agent, may adopt one, has a create whose outcome
// it never learned, or was refused adoption before.
func (r *AgentReconciler) observeRemote(ctx context.Context, p *pass) error {
	read := p.stored.ID != "" || adopts(p.agent) || p.pending != "" ||
		stalledWith(p.stored, orqv1alpha1.ReasonAdoptionRequired)
	if !read {
		return nil
	}
	remote, err := p.api.GetAgent(ctx, p.agent.RemoteKey())
	switch {
	case orqclient.IsNotFound(err):
		if p.stored.ID != "" {
			logf.FromContext(ctx).Info("remote agent is gone; creating it again")
		}
		return nil
	case err != nil:
		return err
	}
	p.remote = observe(p.desired, remote)
	return nil
}

// claimRemote decides whether the agent found at the key is this Agent's to manage: the one it
// recorded, its own create whose answer was lost (proved by the create marker), or one it may
// adopt. Anything else stalls, AdoptionRequired, untouched.
func (r *AgentReconciler) claimRemote(ctx context.Context, p *pass) error {
	if p.remote == nil {
		return nil
	}
	return r.claim(ctx, p, p.pending)
}

// claim is claimRemote with the body hash of a create whose outcome is unknown ("" for none).
func (r *AgentReconciler) claim(ctx context.Context, p *pass, pending string) error {
	key, id := p.agent.RemoteKey(), p.remote.id
	switch {
	case p.stored.ID != "" && id == p.stored.ID:
	case pending != "" && pending == p.hash && p.remote.upToDate():
		logf.FromContext(ctx).Info("found the remote agent of a create whose answer was lost: it is exactly the body that create sent", "id", id)
	case adopts(p.agent):
		r.event(p.agent, corev1.EventTypeNormal, orqv1alpha1.ReasonAdopted, actionAdopt, "Adopted existing orq agent %q (id %s)", key, id)
	case p.stored.ID != "":
		r.spend(ctx, p) // the one agent a pending create could have made is refused
		return failure(stalledSlow, orqv1alpha1.ReasonAdoptionRequired,
			"a different orq agent (id %s) now holds key %q; the agent this Agent managed (id %s) is gone. "+
				"Delete it in orq to have this Agent create its own, or set spec.adoptionPolicy: Adopt to take it over", id, key, p.stored.ID)
	default:
		r.spend(ctx, p)
		return failure(stalledSlow, orqv1alpha1.ReasonAdoptionRequired,
			"orq agent %q (id %s) already exists and this Agent cannot prove it created it; "+
				"set spec.adoptionPolicy: Adopt to take it over and correct it to the spec", key, id)
	}
	p.ownedID = id
	return nil
}

// createRemote POSTs the agent when none is at the key, after recording the attempt.
func (r *AgentReconciler) createRemote(ctx context.Context, p *pass) error {
	if p.remote != nil {
		return nil
	}
	if err := r.writeMarker(ctx, p); err != nil {
		return err
	}
	created, err := p.api.CreateAgent(ctx, p.desired)
	switch {
	case err == nil:
		r.recordCreated(p, created)
		return nil
	case orqclient.IsConflict(err):
		return r.createConflicted(ctx, p)
	case orqclient.NotSent(err):
		return err // nothing was sent: the marker stays as it is, to be used by the next attempt
	case orqclient.Refused(err):
		// Refused: nothing was created, and an agent made at the key later is not this Agent's.
		r.spend(ctx, p)
		return err
	default:
		return err // the outcome is unknown: the marker stays, as evidence for the next pass
	}
}

// recordCreated takes the agent a create answered with as this Agent's.
func (r *AgentReconciler) recordCreated(p *pass, created *orqclient.Agent) {
	key := p.agent.RemoteKey()
	if p.stored.ID != "" {
		metrics.DriftCorrections.WithLabelValues(metrics.DriftRecreated).Inc()
		r.event(p.agent, corev1.EventTypeNormal, orqv1alpha1.ReasonRecreated, actionCreate, "Re-created orq agent %q, deleted outside Kubernetes", key)
	} else {
		r.event(p.agent, corev1.EventTypeNormal, orqv1alpha1.ReasonCreated, actionCreate, "Created orq agent %q", key)
	}
	p.remote, p.ownedID, p.wrote = observe(p.desired, created), created.ID, true
}

// createConflicted handles a 409: this create made nothing, so the marker is spent at once,
// before anything else can fail and leave it as evidence. The agent at the key is someone else's:
// observeRemote found none before the POST, so an earlier create of unknown outcome did not make
// it either, unless that request was still on its way, and then the Agent stalls (failing safe).
// It is taken only under adoptionPolicy Adopt.
func (r *AgentReconciler) createConflicted(ctx context.Context, p *pass) error {
	r.spend(ctx, p)
	remote, err := p.api.GetAgent(ctx, p.agent.RemoteKey())
	if err != nil {
		return err
	}
	p.remote = observe(p.desired, remote)
	return r.claim(ctx, p, "")
}

// adopts tells whether an Agent may take over an agent it did not create.
func adopts(a *orqv1alpha1.Agent) bool {
	return a.Spec.AdoptionPolicy == orqv1alpha1.AdoptionPolicyAdopt
}
