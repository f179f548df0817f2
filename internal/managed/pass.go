package managed

import (
	"errors"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
	"github.com/orq-ai/orq-operator/internal/orqclient"
)

// pass is the scope of one reconcile of one object: what its steps read and what they found.
// Steps fill it in order; none writes status: status.go computes it once, from the pass, at the
// end.
type pass struct {
	// obj is the object as read, with the metadata this pass wrote (finalizer, create marker).
	obj Object
	// stored is the object as read: the deferred status write compares with its status.
	stored Object
	// pending is the body hash of an earlier create whose outcome is unknown, as the pass found
	// it (see marker.go); "" for none.
	pending string
	// woken: a drift sweep saw the remote object change, so the pass reads it whatever status
	// says.
	woken bool

	// keyHolder is another object that holds the key (KeyConflict), or nil.
	keyHolder Object
	// api is the client of the object's workspace, and apiKeyHash identifies its key.
	api        API
	apiKeyHash string
	// refs is how the references to other objects resolved (nil: the spec has none, or the pass
	// did not get that far).
	refs *refsOutcome
	// desired is the request the spec asks for; hash identifies it (Secrets by version), and
	// secretsHash the versions of the Secrets it carries.
	desired     Desired
	hash        string
	secretsHash string

	// view is the last answer of orq about the remote object, compared with desired; claimedID
	// is the id of the one this object may manage (created, recognised or adopted in this pass,
	// or recorded before).
	view      *remoteView
	claimedID string
	// wrote tells whether this pass created or updated the remote object; sentSecrets whether
	// that write carried every Secret value of desired.
	wrote, sentSecrets bool
	// users are the objects that still use the remote object of an object being deleted.
	users []string

	// end says how the pass ended, and err what failed when it did.
	end ending
	err error
}

// ending is how a pass ended; status.go reports each.
type ending int

const (
	// endApplied: the remote object is this object's; view says how it compares with the spec.
	endApplied ending = iota
	// endUnchanged: status already shows this spec applied; nothing was read, nothing changes.
	endUnchanged
	// endObserved: managementPolicy Observe read the remote object (view nil: it does not exist).
	endObserved
	// endKeyConflict: keyHolder holds the key.
	endKeyConflict
	// endSuspended: spec.suspend.
	endSuspended
	// endFailed: err says why.
	endFailed
	// endInUse: being deleted, but other objects still use its remote object (users).
	endInUse
	// endReleased: the finalizer is gone; the object with it.
	endReleased
)

// errPassDone ends a pass early, without failure: p.end says how.
var errPassDone = errors.New("pass done")

// done ends the pass as end says.
func (p *pass) done(end ending) error {
	p.end = end
	return errPassDone
}

// status is the shared status of the object as the pass found it.
func (p *pass) status() *orqv1alpha1.ResourceStatus { return p.stored.ManagedStatus() }

// claimed tells whether the remote object in view is the one this object may manage.
func (p *pass) claimed() bool {
	return p.view != nil && p.claimedID != "" && p.view.remote.ID == p.claimedID
}

// remoteView is what one answer of orq says about the remote object, compared with the desired
// request (crossplane's ExternalObservation: exists, and up to date when changed is empty).
type remoteView struct {
	remote *orqclient.Remote
	// changed lists the fields (API names) that differ from the desired request.
	changed []string
}

// upToDate tells whether the remote object matches the desired request.
func (v *remoteView) upToDate() bool { return len(v.changed) == 0 }
