package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// The spec mirrors the request body of orq's "create knowledge base" (POST /v2/knowledge), field by
// field in lowerCamelCase, with the API's bounds, enums, required fields and defaults. One field
// is shaped differently: an external knowledge base's API key is read from a Secret
// (externalConfig.apiKeySecretRef), since orq never echoes it back: it is compared by the
// Secret's version, never by reading it back.

// KnowledgeBaseSpec is the desired state of a knowledge base of an orq.ai workspace.
// +kubebuilder:validation:XValidation:rule="self.type == oldSelf.type",message="spec.type cannot change: create a new KnowledgeBase"
// +kubebuilder:validation:XValidation:rule="self.type == 'internal' ? has(self.embeddingModel) && !has(self.externalConfig) : has(self.externalConfig) && !has(self.embeddingModel) && !has(self.retrievalSettings)",message="an internal knowledge base takes embeddingModel (and optionally retrievalSettings), an external one externalConfig"
type KnowledgeBaseSpec struct {
	// The unique key of the knowledge base in the workspace. Defaults to metadata.name and cannot
	// change once set.
	// +optional
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=255
	Key string `json:"key,omitempty"`

	// internal (the default): orq embeds and indexes the content uploaded to it; external: orq
	// queries an external retrieval API (externalConfig). It cannot change once set.
	// +optional
	// +kubebuilder:validation:Enum=internal;external
	// +kubebuilder:default=internal
	Type string `json:"type,omitempty"`

	// What the knowledge base holds.
	// +optional
	Description string `json:"description,omitempty"`

	// The embedding model of an internal knowledge base, "provider/model" (or
	// "workspaceKey@provider/model" for a private model), such as openai/text-embedding-3-small.
	// orq echoes it as `model`; changing it re-embeds every datasource of the knowledge base.
	// +optional
	// +kubebuilder:validation:MinLength=1
	EmbeddingModel string `json:"embeddingModel,omitempty"`

	// Where the knowledge base is stored: the project, then folders, created as needed, such as
	// "Default/knowledge". With a project-scoped API key the path is relative to that project.
	// +required
	// +kubebuilder:validation:MinLength=1
	Path string `json:"path"`

	// How an internal knowledge base is searched: hybrid search with the top 5 results and no
	// threshold when unset.
	// +optional
	RetrievalSettings *RetrievalSettings `json:"retrievalSettings,omitempty"`

	// The external retrieval API of an external knowledge base.
	// +optional
	ExternalConfig *ExternalKnowledgeConfig `json:"externalConfig,omitempty"`

	// The fields that steer the operator; they are not sent to orq.
	Lifecycle `json:",inline"`
}

// RetrievalSettings say how a knowledge base is searched.
type RetrievalSettings struct {
	// vector_search, keyword_search or hybrid_search (the default).
	// +optional
	// +kubebuilder:validation:Enum=vector_search;keyword_search;hybrid_search
	// +kubebuilder:default=hybrid_search
	RetrievalType string `json:"retrievalType,omitempty"`

	// How many results a search returns, more than 0 (default 5).
	// +optional
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:default=5
	TopK *int64 `json:"topK,omitempty"`

	// Only results scoring above this relevance, 0 to 1, are returned (default 0).
	// +optional
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=1
	// +kubebuilder:default=0
	Threshold *float64 `json:"threshold,omitempty"`

	// A reranking model that orders the results again, for precision.
	// +optional
	RerankConfig *RerankConfig `json:"rerankConfig,omitempty"`

	// Agentic RAG: a model that rewrites the query before the search.
	// +optional
	AgenticRagConfig *AgenticRagConfig `json:"agenticRagConfig,omitempty"`
}

// RerankConfig is the reranking of a knowledge base's results.
type RerankConfig struct {
	// The rerank model, such as cohere/rerank-v3.5.
	// +required
	// +kubebuilder:validation:MinLength=1
	RerankModel string `json:"rerankModel"`

	// How many results the reranking returns, 1 to 100 (default 5).
	// +optional
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=100
	// +kubebuilder:default=5
	TopK *int64 `json:"topK,omitempty"`

	// Only reranked results scoring above this, 0 to 1, are returned (default 0.5).
	// +optional
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=1
	// +kubebuilder:default=0.5
	RerankThreshold *float64 `json:"rerankThreshold,omitempty"`
}

// AgenticRagConfig is the model of agentic RAG.
type AgenticRagConfig struct {
	// The model that rewrites queries.
	// +required
	// +kubebuilder:validation:MinLength=1
	Model string `json:"model"`
}

// ExternalKnowledgeConfig is the retrieval API of an external knowledge base.
type ExternalKnowledgeConfig struct {
	// The name orq records for the external knowledge base (required by orq; the key is spec.key).
	// +required
	// +kubebuilder:validation:MinLength=1
	Name string `json:"name"`

	// The URL of the external retrieval API.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:Pattern=`^https?://`
	APIURL string `json:"apiUrl"`

	// The Secret, in the KnowledgeBase's namespace, holding the external API's key: sent to orq
	// when the knowledge base is created and whenever the Secret changes, never written to
	// status, events, logs or an export.
	// +required
	APIKeySecretRef SecretKeyReference `json:"apiKeySecretRef"`
}

// KnowledgeBaseStatus is the observed state of a KnowledgeBase.
type KnowledgeBaseStatus struct {
	ResourceStatus `json:",inline"`

	// The embedding model orq reports (its `model`).
	// +optional
	Model string `json:"model,omitempty"`
}

// KnowledgeBase is a knowledge base of an orq.ai workspace, managed declaratively; Agents name it
// in spec.knowledgeBases[].knowledgeBaseRef. Its content (datasources) is not managed here.
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:shortName=orqkb,categories=orq
// +kubebuilder:printcolumn:name="Key",type=string,JSONPath=`.status.key`
// +kubebuilder:printcolumn:name="Type",type=string,JSONPath=`.spec.type`
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="Synced",type=string,JSONPath=`.status.conditions[?(@.type=="Synced")].status`,priority=1
// +kubebuilder:printcolumn:name="Suspended",type=string,JSONPath=`.spec.suspend`,priority=1
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
// +kubebuilder:validation:XValidation:rule="(has(self.spec.key) ? self.spec.key : self.metadata.name) == (has(oldSelf.spec.key) ? oldSelf.spec.key : oldSelf.metadata.name)",message="spec.key is immutable: create a new KnowledgeBase for a new key"
type KnowledgeBase struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// +required
	Spec KnowledgeBaseSpec `json:"spec"`

	// +optional
	// +kubebuilder:default={observedGeneration: 0}
	Status KnowledgeBaseStatus `json:"status,omitempty"`
}

// KnowledgeBaseList is a list of KnowledgeBases.
// +kubebuilder:object:root=true
type KnowledgeBaseList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []KnowledgeBase `json:"items"`
}

// RemoteKey is the key of the orq knowledge base: spec.key, or metadata.name when it is empty.
func (k *KnowledgeBase) RemoteKey() string {
	if k.Spec.Key != "" {
		return k.Spec.Key
	}
	return k.Name
}
