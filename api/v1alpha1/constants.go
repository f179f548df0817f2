package v1alpha1

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
	// ReasonAPIMisconfigured: the answer did not come from the orq API (a redirect, or a 404 of
	// a proxy or a wrong base URL); the base URL is probably wrong.
	ReasonAPIMisconfigured = "APIMisconfigured"
	// ReasonRateLimited: the API asked the operator to slow down (429).
	ReasonRateLimited = "RateLimited"
	// ReasonAPIUnavailable: the API did not answer properly (5xx, timeout, network).
	ReasonAPIUnavailable = "APIUnavailable"
	// ReasonNotConverging: the API answered a PATCH with an agent that still differs from the spec.
	ReasonNotConverging = "NotConverging"
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
	// ReasonAdoptionRequired: the key exists in orq and this object cannot prove it created it; or,
	// for an object without a key (a schedule), a create whose answer was lost may have made more
	// than one of the remote objects found, and a person names the right one by id.
	ReasonAdoptionRequired = "AdoptionRequired"
	// ReasonResolvedRefs: every agentRef names a Ready Agent.
	ReasonResolvedRefs = "ResolvedRefs"
	// ReasonDependencyNotReady: a referenced Agent does not exist, is not Ready, or is being
	// deleted, or a prompt's ConfigMap or key does not exist; the Agent waits for it.
	ReasonDependencyNotReady = "DependencyNotReady"
	// ReasonRefNotPermitted: a referenced Agent of another namespace does not allow the reference.
	ReasonRefNotPermitted = "RefNotPermitted"
	// ReasonWorkspaceMismatch: an agentRef names an Agent whose API key reaches another workspace,
	// where its key names nothing, or another agent.
	ReasonWorkspaceMismatch = "WorkspaceMismatch"
	// ReasonUnknownReference: orq answered 404 to a request although what it addresses exists:
	// the request names something orq does not know (a schedule's agentTag naming no version).
	ReasonUnknownReference = "UnknownReference"
	// ReasonRefMismatch: a referenced object does not fit where the spec names it (a Tool whose
	// type is not the agent's tool entry's).
	ReasonRefMismatch = "RefMismatch"
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
	// ReasonConfigMapUnreadable: the operator may not read the ConfigMap of spec.instructionsFrom or
	// spec.systemPromptFrom.
	ReasonConfigMapUnreadable = "ConfigMapUnreadable"
	// ReasonNoCredentials: no spec.apiKeySecretRef, and the operator has no API key of its own.
	ReasonNoCredentials = "NoCredentials"
)

// Finalizers keep an object until its remote object is deleted (or let go): FinalizerName an
// Agent's, the others those of the kinds they name.
const (
	FinalizerName          = "orq.ai/agent"
	FinalizerTool          = "orq.ai/tool"
	FinalizerKnowledgeBase = "orq.ai/knowledgebase"
	FinalizerMemoryStore   = "orq.ai/memorystore"
	FinalizerAgentSchedule = "orq.ai/agentschedule"
)

// Annotations understood by the operator.
const (
	// AnnotationSyncInterval overrides, for one Agent, how often the remote agent is re-read to
	// catch drift (a Go duration such as 5m; at least 10s).
	AnnotationSyncInterval = "orq.ai/sync-interval"
	// AnnotationReconcileRequestedAt forces an immediate sync when its value changes; the value
	// handled is echoed in status.lastHandledReconcileAt.
	AnnotationReconcileRequestedAt = "orq.ai/reconcile-requested-at"
	// AnnotationCreateAttempt is written by the operator before each create whose outcome it
	// may not learn (a crash, a timeout): "<uid>/<replaced id>/<body hash>", the Agent's UID, the
	// status.id the create replaces ("" for the first) and a hash of the exact body sent. While
	// status.id is still that replaced id, an agent at the key that equals the body as the API
	// echoes it is that create's. A copy of the Agent (another UID) or a recorded outcome makes
	// it inert. Not for users to set.
	AnnotationCreateAttempt = "orq.ai/create-attempt"
	// AnnotationRevision names the source revision an object was applied from, such as the Git
	// commit your CI or GitOps tool applied; set by you or your tooling, never by the operator.
	// Recorded with the versions an Agent publishes (status.releases) and carried by the traces
	// of the object's reconciles (internal/tracing), so both lead back to the commit.
	AnnotationRevision = "orq.ai/revision"
	// AnnotationLegacyCreateAttemptedAt was the marker of earlier versions (a time). It is never
	// taken as evidence, and removed with the next marker.
	AnnotationLegacyCreateAttemptedAt = "orq.ai/create-attempted-at"
)

// RevisionAnnotations are the annotations that tell the revision an object was applied from, in
// the order they are read. Only the project's own: neither Argo CD nor Flux puts the commit on the
// objects it applies (docs/monitoring.md shows how each fills orq.ai/revision).
var RevisionAnnotations = []string{AnnotationRevision}
