package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// The types every kind shares: the lifecycle fields of a spec, which steer the operator and are
// never sent to orq, and the status fields the managed core fills for every kind.

// Policies say what the operator may do with the remote object of any kind.
type Policies struct {
	// What happens to the remote object when this object is deleted: Delete removes it from orq,
	// Orphan leaves it there. When unset, the operator's --default-deletion-policy applies (Delete
	// unless changed).
	// +optional
	// +kubebuilder:validation:Enum=Delete;Orphan
	DeletionPolicy DeletionPolicy `json:"deletionPolicy,omitempty"`

	// Whether the operator writes to orq: Manage (the default) makes the remote object match the
	// spec; Observe never writes, but reads the remote object, fills status, and lists in
	// status.pendingChanges the fields Manage would change. An observed object is never deleted
	// from orq.
	// +optional
	// +kubebuilder:validation:Enum=Manage;Observe
	// +kubebuilder:default=Manage
	ManagementPolicy ManagementPolicy `json:"managementPolicy,omitempty"`

	// What to do when the remote object already exists in orq and this object did not create
	// it: Fail (the default) reports Stalled with reason AdoptionRequired and changes nothing;
	// Adopt takes the remote object over and corrects it to the spec.
	// +optional
	// +kubebuilder:validation:Enum=Fail;Adopt
	// +kubebuilder:default=Fail
	AdoptionPolicy AdoptionPolicy `json:"adoptionPolicy,omitempty"`
}

// Lifecycle are the fields of the spec of a kind that lives in a workspace of its own choosing
// (Agent, Tool, KnowledgeBase, MemoryStore).
type Lifecycle struct {
	Policies `json:",inline"`

	// While true, the operator makes no call to orq for this object at all, and deleting the
	// object leaves its remote object in orq. Changes made meanwhile are applied once it is false
	// again.
	// +optional
	Suspend bool `json:"suspend,omitempty"`

	// The Secret, in this object's own namespace, holding the orq API key to use (and so the orq
	// workspace the remote object lives in). Unset: the operator's own key (ORQ_API_KEY). When the
	// Secret changes, the object is synced again with the new key at once.
	// +optional
	APIKeySecretRef *SecretKeyReference `json:"apiKeySecretRef,omitempty"`

	// Namespaces whose objects may reference this one (an Agent's agentRef, toolRef,
	// knowledgeBaseRef or memoryStoreRefs), or "*" for all. Objects of the same namespace always
	// may. In the spirit of Gateway API's ReferenceGrant: the target consents to cross-namespace
	// references.
	// +optional
	// +listType=set
	// +kubebuilder:validation:MaxItems=64
	// +kubebuilder:validation:items:MaxLength=63
	// +kubebuilder:validation:items:Pattern=`^(\*|[a-z0-9]([-a-z0-9]*[a-z0-9])?)$`
	AllowReferencesFrom []string `json:"allowReferencesFrom,omitempty"`
}

// DeletionPolicy says what happens to the remote object when its object is deleted.
type DeletionPolicy string

const (
	// DeletionPolicyDelete deletes the remote object with its object.
	DeletionPolicyDelete DeletionPolicy = "Delete"
	// DeletionPolicyOrphan leaves the remote object in orq.
	DeletionPolicyOrphan DeletionPolicy = "Orphan"
)

// ManagementPolicy says whether the operator writes to orq.
type ManagementPolicy string

const (
	// ManagementPolicyManage makes the remote object match the spec.
	ManagementPolicyManage ManagementPolicy = "Manage"
	// ManagementPolicyObserve only reads the remote object and reports differences.
	ManagementPolicyObserve ManagementPolicy = "Observe"
)

// AdoptionPolicy says what to do with a remote object this object did not create.
type AdoptionPolicy string

const (
	// AdoptionPolicyFail refuses to touch it.
	AdoptionPolicyFail AdoptionPolicy = "Fail"
	// AdoptionPolicyAdopt takes it over.
	AdoptionPolicyAdopt AdoptionPolicy = "Adopt"
)

// SecretKeyReference names one key of a Secret in the referring object's namespace.
type SecretKeyReference struct {
	// The name of the Secret, in the referring object's namespace.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:validation:Pattern=`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`
	Name string `json:"name"`

	// The key of the Secret's data that holds the value.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:validation:Pattern=`^[-._a-zA-Z0-9]+$`
	Key string `json:"key"`
}

// ConfigMapKeyReference names one key of a ConfigMap in the referring object's namespace.
type ConfigMapKeyReference struct {
	// The name of the ConfigMap, in the referring object's namespace.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:validation:Pattern=`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`
	Name string `json:"name"`

	// The key of the ConfigMap's data that holds the value.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:validation:Pattern=`^[-._a-zA-Z0-9]+$`
	Key string `json:"key"`
}

// ObjectReference names an object of the kind its field says (an Agent, a Tool, a
// KnowledgeBase, a MemoryStore).
type ObjectReference struct {
	// The metadata.name of the object (not the key of its remote object).
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	Name string `json:"name"`

	// The namespace of the object; the referrer's when empty. Another namespace must list the
	// referrer's namespace in the target's spec.allowReferencesFrom.
	// +optional
	// +kubebuilder:validation:MaxLength=63
	Namespace string `json:"namespace,omitempty"`
}

// ResourceStatus is the status every kind shares, filled by the managed core.
type ResourceStatus struct {
	// The generation of the spec that was last processed fully: synced, or stalled on it.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`

	// Ready tells whether the remote object exists; Synced whether it matches the spec;
	// Reconciling (True while the operator works towards the spec) and Stalled (True when it
	// cannot progress without a change) follow kstatus, so Flux, Argo CD and kubectl wait read
	// them; Suspended is True while spec.suspend is; ResolvedRefs, present when the spec references
	// other objects, tells whether each resolves.
	// +optional
	// +listType=map
	// +listMapKey=type
	Conditions []metav1.Condition `json:"conditions,omitempty"`

	// The key of the remote object this object manages (kinds that have keys).
	// +optional
	Key string `json:"key,omitempty"`

	// The id (`_id`) of the remote object this object created or adopted; empty while it only
	// observes one.
	// +optional
	ID string `json:"id,omitempty"`

	// When the operator last created or updated the remote object, or first found it matching
	// the current generation of the spec.
	// +optional
	LastSyncTime *metav1.Time `json:"lastSyncTime,omitempty"`

	// The top-level fields (in the API's names) in which the remote object differs from the
	// spec, as the last pass that read it compared them; with managementPolicy Observe, what
	// Manage would change.
	// +optional
	// +listType=atomic
	PendingChanges []string `json:"pendingChanges,omitempty"`

	// The value of the orq.ai/reconcile-requested-at annotation that was last handled.
	// +optional
	LastHandledReconcileAt string `json:"lastHandledReconcileAt,omitempty"`

	// 16 hex digits of the SHA-256 of the request the status was last computed from (sent,
	// confirmed or, with managementPolicy Observe, compared); values from Secrets count by their
	// Secret's version, never by value. While it and remoteUpdated stay the same, a remote object
	// that did not converge is not patched again (reason NotConverging).
	// +optional
	AppliedHash string `json:"appliedHash,omitempty"`

	// The remote object's `updated` time as orq last reported it: the drift sweep compares it
	// with each listing to find the remote objects changed outside Kubernetes.
	// +optional
	RemoteUpdated string `json:"remoteUpdated,omitempty"`

	// A hash of the versions (never the values) of the Secrets whose values were last sent, such
	// as tool header values: when a Secret changes, the fields that carry it are sent again, since
	// orq does not echo them back to compare.
	// +optional
	SecretsHash string `json:"secretsHash,omitempty"`

	// "sha256:" and the first 16 hex digits of the SHA-256 of the orq API key last used for this
	// object: it changes when the key is rotated, and never reveals the key.
	// +optional
	APIKeyHash string `json:"apiKeyHash,omitempty"`
}
