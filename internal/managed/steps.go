package managed

import (
	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
)

// The paths of a pass, each an ordered list of steps. A step that finds nothing to do returns nil
// and the next one runs.
var (
	// manageSteps bring the remote object to the spec (managementPolicy Manage).
	manageSteps = []step{
		(*Reconciler).findKeyHolder,
		(*Reconciler).checkSuspended,
		(*Reconciler).resolveCredentials,
		(*Reconciler).buildDesired,
		(*Reconciler).ensureFinalizer,
		(*Reconciler).skipIfUnchanged,
		(*Reconciler).readRemote,
		(*Reconciler).claimRemote,
		(*Reconciler).createRemote,
		(*Reconciler).updateRemote,
	}
	// observeSteps read the remote object and report how it differs, writing nothing to orq.
	observeSteps = []step{
		(*Reconciler).findKeyHolder,
		(*Reconciler).checkSuspended,
		(*Reconciler).resolveCredentials,
		(*Reconciler).buildDesired,
		(*Reconciler).skipIfUnchanged,
		(*Reconciler).compareOnly,
	}
	// deleteSteps delete the remote object when it is this object's and is to go, then release
	// the object.
	deleteSteps = []step{
		(*Reconciler).checkFinalizer,
		(*Reconciler).findKeyHolder,
		(*Reconciler).keepIfNotToDelete,
		(*Reconciler).waitForUsers,
		(*Reconciler).resolveCredentials,
		(*Reconciler).confirmOwnership,
		(*Reconciler).deleteRemote,
	}
)

// stepsFor chooses an object's path.
func (r *Reconciler) stepsFor(o Object) []step {
	switch {
	case !o.GetDeletionTimestamp().IsZero():
		return deleteSteps
	case o.ManagedPolicies().ManagementPolicy == orqv1alpha1.ManagementPolicyObserve:
		return observeSteps
	default:
		return manageSteps
	}
}
