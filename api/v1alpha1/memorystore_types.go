package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// The spec mirrors the request body of orq's "create memory store" (POST /v2/memory-stores), field
// by field in lowerCamelCase, with the API's bounds, patterns and required fields. orq does not
// echo `path` back: a memory store moved in the orq studio is not seen as drift (see
// docs/graph.md).

// MemoryStoreSpec is the desired state of a memory store of an orq.ai workspace.
// +kubebuilder:validation:XValidation:rule="self.embeddingConfig == oldSelf.embeddingConfig",message="spec.embeddingConfig cannot change: the orq API cannot change a memory store's embedding model; create a new MemoryStore"
type MemoryStoreSpec struct {
	// The unique key of the memory store in the workspace. Defaults to metadata.name, and cannot
	// change once set: letters and digits, separated by single '.' or '_' (never '-'), starting
	// with a letter, at most 255 characters. A metadata.name holding '-' needs spec.key.
	// +optional
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=255
	// +kubebuilder:validation:Pattern=`^[A-Za-z]([A-Za-z0-9]*([._][A-Za-z0-9]+)*)?$`
	Key string `json:"key,omitempty"`

	// What the memory store is for, read by the models that use it: make it precise.
	// +required
	// +kubebuilder:validation:MinLength=1
	Description string `json:"description"`

	// The embedding model of the memories. It cannot change once set.
	// +required
	EmbeddingConfig MemoryStoreEmbeddingConfig `json:"embeddingConfig"`

	// How long memories are kept, as orq takes it (a number; orq's documents state no unit);
	// unset: kept until deleted.
	// +optional
	// +kubebuilder:validation:Minimum=0
	TTL *float64 `json:"ttl,omitempty"`

	// Where the memory store is stored: the project, then folders. With a project-scoped API key
	// the path is relative to that project. orq does not echo it, so a move made in the orq studio
	// is not seen; a change here is sent.
	// +required
	// +kubebuilder:validation:MinLength=1
	Path string `json:"path"`

	// The fields that steer the operator; they are not sent to orq.
	Lifecycle `json:",inline"`
}

// MemoryStoreEmbeddingConfig is the embedding model of a memory store.
type MemoryStoreEmbeddingConfig struct {
	// The embedding model, "provider/model" (or "workspaceKey@provider/model" for a private model),
	// such as openai/text-embedding-3-small.
	// +required
	// +kubebuilder:validation:MinLength=1
	Model string `json:"model"`
}

// MemoryStoreStatus is the observed state of a MemoryStore.
type MemoryStoreStatus struct {
	ResourceStatus `json:",inline"`
}

// MemoryStore is a memory store of an orq.ai workspace, managed declaratively; Agents name it in
// spec.memoryStoreRefs. Its memories are not managed here.
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:shortName=orqmemory,categories=orq
// +kubebuilder:printcolumn:name="Key",type=string,JSONPath=`.status.key`
// +kubebuilder:printcolumn:name="Model",type=string,JSONPath=`.spec.embeddingConfig.model`
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="Synced",type=string,JSONPath=`.status.conditions[?(@.type=="Synced")].status`,priority=1
// +kubebuilder:printcolumn:name="Suspended",type=string,JSONPath=`.spec.suspend`,priority=1
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
// +kubebuilder:validation:XValidation:rule="has(self.spec.key) || self.metadata.name.matches('^[A-Za-z]([A-Za-z0-9]*([._][A-Za-z0-9]+)*)?$')",message="metadata.name is not a valid orq memory store key (letters and digits, separated by single '.' or '_', never '-', starting with a letter): set spec.key"
// +kubebuilder:validation:XValidation:rule="(has(self.spec.key) ? self.spec.key : self.metadata.name) == (has(oldSelf.spec.key) ? oldSelf.spec.key : oldSelf.metadata.name)",message="spec.key is immutable: create a new MemoryStore for a new key"
type MemoryStore struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// +required
	Spec MemoryStoreSpec `json:"spec"`

	// +optional
	// +kubebuilder:default={observedGeneration: 0}
	Status MemoryStoreStatus `json:"status,omitempty"`
}

// MemoryStoreList is a list of MemoryStores.
// +kubebuilder:object:root=true
type MemoryStoreList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []MemoryStore `json:"items"`
}

// RemoteKey is the key of the orq memory store: spec.key, or metadata.name when it is empty.
func (m *MemoryStore) RemoteKey() string {
	if m.Spec.Key != "" {
		return m.Spec.Key
	}
	return m.Name
}
