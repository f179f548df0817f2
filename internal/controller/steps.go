package controller

import (
	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
)

// The paths of a pass, each an ordered list of steps. A step that finds nothing to do returns nil
// and the next one runs.
var (
	// manageSteps bring the remote agent to the spec (managementPolicy Manage).
	manageSteps = []step{
		(*AgentReconciler).findKeyOwner,
		(*AgentReconciler).checkSuspended,
		(*AgentReconciler).resolveCredentials,
		(*AgentReconciler).resolveTeam,
		(*AgentReconciler).resolvePrompts,
		(*AgentReconciler).buildDesired,
		(*AgentReconciler).ensureFinalizer,
		(*AgentReconciler).skipIfInSync,
		(*AgentReconciler).observeRemote,
		(*AgentReconciler).claimRemote,
		(*AgentReconciler).createRemote,
		(*AgentReconciler).updateRemote,
	}
	// observeSteps read the remote agent and report how it differs, writing nothing to orq.
	observeSteps = []step{
		(*AgentReconciler).findKeyOwner,
		(*AgentReconciler).checkSuspended,
		(*AgentReconciler).resolveCredentials,
		(*AgentReconciler).resolveTeam,
		(*AgentReconciler).resolvePrompts,
		(*AgentReconciler).buildDesired,
		(*AgentReconciler).skipIfInSync,
		(*AgentReconciler).observeOnly,
	}
	// deleteSteps delete the remote agent when it is this Agent's and is to go, then release the
	// Agent.
	deleteSteps = []step{
		(*AgentReconciler).checkFinalizer,
		(*AgentReconciler).findKeyOwner,
		(*AgentReconciler).keepIfNotToDelete,
		(*AgentReconciler).waitForTeams,
		(*AgentReconciler).resolveCredentials,
		(*AgentReconciler).confirmOwnership,
		(*AgentReconciler).deleteRemote,
	}
)

// stepsFor chooses an Agent's path.
func stepsFor(a *orqv1alpha1.Agent) []step {
	switch {
	case !a.DeletionTimestamp.IsZero():
		return deleteSteps
	case a.Spec.ManagementPolicy == orqv1alpha1.ManagementPolicyObserve:
		return observeSteps
	default:
		return manageSteps
	}
}
