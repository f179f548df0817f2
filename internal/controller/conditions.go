package controller

// Condition types of an Agent. Ready is what users and Flux read; Reconciling and Stalled follow
// kstatus's "abnormal-true" convention: present and True only while they apply.
const (
	ConditionReady       = "Ready"
	ConditionReconciling = "Reconciling"
	ConditionStalled     = "Stalled"
	// ConditionSynced tells whether the remote agent matches the spec; Ready only says it exists.
	ConditionSynced = "Synced"
	// ConditionSuspended is True while spec.suspend is.
	ConditionSuspended = "Suspended"
	// ConditionResolvedRefs tells whether every agentRef of teamOfAgents resolves to a Ready
	// Agent; present only when the team has agentRefs.
	ConditionResolvedRefs = "ResolvedRefs"
)

// Reasons, used in conditions and events.
const (
	// ReasonSynced: the remote agent exists and matches the spec.
	ReasonSynced = "Synced"
	// ReasonProgressing: the operator is bringing the remote agent to the spec.
	ReasonProgressing = "Progressing"
	// ReasonCreated, ReasonUpdated, ReasonDeleted, ReasonAdopted, ReasonRecreated: remote writes.
	ReasonCreated   = "Created"
	ReasonUpdated   = "Updated"
	ReasonDeleted   = "Deleted"
	ReasonAdopted   = "Adopted"
	ReasonRecreated = "Recreated"
	// ReasonAPIRejected: the API refused the agent (400/422); the spec must change.
	ReasonAPIRejected = "APIRejected"
	// ReasonUnauthorized: the API refused the API key (401/403).
	ReasonUnauthorized = "Unauthorized"
	// ReasonAPIMisconfigured: the API answered with a redirect; the base URL is probably wrong.
	ReasonAPIMisconfigured = "APIMisconfigured"
	// ReasonRateLimited: the API asked the operator to slow down (429).
	ReasonRateLimited = "RateLimited"
	// ReasonAPIUnavailable: the API did not answer properly (5xx, timeout, network).
	ReasonAPIUnavailable = "APIUnavailable"
	// ReasonNotConverging: the API answered a PATCH with an agent that still differs from the spec.
	ReasonNotConverging = "NotConverging"
	// ReasonDeleting: the remote agent is being deleted.
	ReasonDeleting = "Deleting"
	// ReasonInvalidSpec: the spec cannot be turned into a request.
	ReasonInvalidSpec = "InvalidSpec"
	// ReasonRemoteNotFound: an observed agent does not exist in orq.
	ReasonRemoteNotFound = "RemoteNotFound"
	// ReasonDrifted: an observed agent differs from the spec.
	ReasonDrifted = "Drifted"
	// ReasonDriftDetected, ReasonDriftCorrected: events for changes made outside Kubernetes.
	ReasonDriftDetected  = "DriftDetected"
	ReasonDriftCorrected = "DriftCorrected"
	// ReasonKeyConflict: an older Agent manages the same key.
	ReasonKeyConflict = "KeyConflict"
	// ReasonSuspended: spec.suspend is true.
	ReasonSuspended = "Suspended"
	// ReasonOrphaned: the Agent was deleted and its remote agent left in orq.
	ReasonOrphaned = "Orphaned"
	// ReasonAdoptionRequired: the key exists in orq and this Agent did not create it.
	ReasonAdoptionRequired = "AdoptionRequired"
	// ReasonResolvedRefs: every agentRef names a Ready Agent.
	ReasonResolvedRefs = "ResolvedRefs"
	// ReasonDependencyNotReady: a referenced Agent does not exist, is not Ready, or is being
	// deleted; the Agent waits for it.
	ReasonDependencyNotReady = "DependencyNotReady"
	// ReasonRefNotPermitted: a referenced Agent of another namespace does not allow the reference.
	ReasonRefNotPermitted = "RefNotPermitted"
	// ReasonReferenceCycle: the agentRefs of teams lead back to the Agent.
	ReasonReferenceCycle = "ReferenceCycle"
	// ReasonMemberRemoved: a member whose Agent is being deleted was dropped from the team.
	ReasonMemberRemoved = "MemberRemoved"
	// ReasonInUse: the Agent is being deleted, and its agent is still in the team of others.
	ReasonInUse = "InUse"
	// ReasonSecretNotFound: the Secret of spec.apiKeySecretRef, or its key, does not exist.
	ReasonSecretNotFound = "SecretNotFound"
	// ReasonSecretUnreadable: the operator may not read the Secret of spec.apiKeySecretRef.
	ReasonSecretUnreadable = "SecretUnreadable"
	// ReasonNoCredentials: no spec.apiKeySecretRef, and the operator has no API key of its own.
	ReasonNoCredentials = "NoCredentials"
)

// Event actions (the events.k8s.io "action" field).
const (
	actionCreate  = "Create"
	actionUpdate  = "Update"
	actionDelete  = "Delete"
	actionAdopt   = "Adopt"
	actionRefused = "Reconcile"
	actionObserve = "Observe"
)

// FinalizerName keeps an Agent until its remote agent is deleted.
const FinalizerName = "orq.ai/agent"
