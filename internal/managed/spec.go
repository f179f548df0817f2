package managed

import (
	"context"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
)

// checkSuspended ends the pass of a suspended object: no call to orq at all. It works out the
// request the spec asks for, from the cluster alone, only to tell whether that spec is the one
// applied ("" when it cannot tell).
func (r *Reconciler) checkSuspended(ctx context.Context, p *pass) error {
	if !p.obj.Suspended() {
		return nil
	}
	in := r.inputs(p.obj, "")
	in.lenient = true
	if desired, err := r.Kind.Desired(ctx, in, p.obj); err == nil && in.failure() == nil {
		p.hash = Hash(desired.Body)
	}
	return p.done(endSuspended)
}

// resolveCredentials finds the client of the object's workspace: its own credentials, or, for a
// kind with a parent, the parent's.
func (r *Reconciler) resolveCredentials(ctx context.Context, p *pass) error {
	holder, err := r.credentialHolder(ctx, p.obj)
	if err != nil {
		if reasonOf(err) == orqv1alpha1.ReasonDependencyNotReady {
			p.refs = &refsOutcome{err: err} // the parent is a reference too
		}
		return err
	}
	p.api, p.apiKeyHash, err = r.Workspaces.Client(ctx, holder)
	return err
}

// buildDesired turns the spec, its references resolved, into the request orq is to hold. An
// object whose references wait for other objects that are being deleted lets them go from its
// remote object first, when its kind does so by itself (see Dropper).
func (r *Reconciler) buildDesired(ctx context.Context, p *pass) error {
	in := r.inputs(p.obj, p.apiKeyHash)
	if err := in.checkCycle(ctx); err != nil {
		if classify(err).reason == orqv1alpha1.ReasonReferenceCycle {
			p.refs = &refsOutcome{err: err}
		}
		return err
	}
	desired, err := r.Kind.Desired(ctx, in, p.obj)
	if err != nil {
		return failure(terminal, orqv1alpha1.ReasonInvalidSpec, "invalid spec: %v", err)
	}
	p.refs = in.outcome()
	if err := in.failure(); err != nil {
		if len(in.leaving) > 0 {
			if derr := r.dropLeaving(ctx, p, in.leaving); derr != nil {
				return derr
			}
		}
		return err
	}
	p.desired, p.hash, p.secretsHash = desired, Hash(desired.Body), secretsHash(desired.Body)
	return nil
}
