package v1alpha1

import (
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// The spec mirrors the request body of the orq.ai "create agent" call (POST /v2/agents), field by
// field, with the API's snake_case names in lowerCamelCase. Bounds, patterns, enums, required
// fields and defaults are those of the API, so the apiserver refuses what orq.ai would refuse.
//
// Two sources describe that request: the OpenAPI document of /v2/agents, and the official
// TypeScript SDK @orq-ai/node 4.15.11, generated from orq's current OpenAPI and so newer. The SDK
// adds the file_system tool, reasoningEffort max, evaluator options, and the PII plugin's regions
// and entityThresholds; where the two disagree, a comment at the field says which one the CRD
// follows. One field is shaped differently from the API: a file_system tool's configuration is
// the typed tool.fileSystem (see Tool).

// AgentSpec is the desired state of an orq.ai agent.
// +kubebuilder:validation:XValidation:rule="has(self.instructionsFrom) ? (!has(self.instructions) || size(self.instructions) == 0) : has(self.instructions)",message="set exactly one of instructions and instructionsFrom"
// +kubebuilder:validation:XValidation:rule="!(has(self.systemPrompt) && has(self.systemPromptFrom))",message="set at most one of systemPrompt and systemPromptFrom"
// +kubebuilder:validation:XValidation:rule="has(self.source) == has(oldSelf.source) && (!has(self.source) || self.source == oldSelf.source)",message="spec.source cannot change once the Agent exists: the orq API cannot update it"
type AgentSpec struct {
	// Unique identifier for the agent within the workspace. Defaults to metadata.name and cannot
	// change once set.
	// +optional
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=255
	// +kubebuilder:validation:Pattern=`^[A-Za-z][A-Za-z0-9]*([._-][A-Za-z0-9]+)*$`
	Key string `json:"key,omitempty"`

	// Agent display name within the workspace.
	// +optional
	// +kubebuilder:validation:MaxLength=255
	DisplayName string `json:"displayName,omitempty"`

	// What the agent is, in a few words, such as "Order lookup specialist".
	// +required
	// +kubebuilder:validation:MinLength=1
	Role string `json:"role"`

	// A brief description of what the agent does.
	// +required
	// +kubebuilder:validation:MinLength=1
	Description string `json:"description"`

	// Instructions has no omitempty: instructions may be "" (orq accepts it), and a Go client
	// writing an Agent with instructionsFrom sends instructions: "", which the rule on the spec
	// allows.

	// Detailed instructions that guide the agent's behavior. Set exactly one of instructions and
	// instructionsFrom (an empty instructions beside instructionsFrom counts as unset).
	// +optional
	Instructions string `json:"instructions"`

	// The instructions, from a key of a ConfigMap in the Agent's namespace: for a prompt kept in
	// a file of its own (Kustomize's configMapGenerator). When the ConfigMap changes, the agent
	// is synced again at once.
	// +optional
	InstructionsFrom *PromptSource `json:"instructionsFrom,omitempty"`

	// A custom system prompt template for the agent. If omitted, the default template is used.
	// +optional
	// +kubebuilder:validation:MinLength=1
	SystemPrompt *string `json:"systemPrompt,omitempty"`

	// The system prompt, from a key of a ConfigMap in the Agent's namespace; not with
	// systemPrompt.
	// +optional
	SystemPromptFrom *PromptSource `json:"systemPromptFrom,omitempty"`

	// The path where the agent is stored in the project structure. The first element identifies the
	// project, followed by nested folders (auto-created as needed). With project-based API keys the
	// first element is treated as a folder name, as the project is predetermined by the API key.
	// +required
	// +kubebuilder:validation:MinLength=1
	Path string `json:"path"`

	// Model configuration for agent execution: a model ID with optional behavior parameters and
	// retry settings. Only models that support tool calling can run agents.
	// +required
	Model ModelConfig `json:"model"`

	// Fallback models, used in order if the primary model request fails. Each must support tool
	// calling.
	// +optional
	// +kubebuilder:validation:MaxItems=32
	// +listType=atomic
	FallbackModels []ModelConfig `json:"fallbackModels,omitempty"`

	// Execution settings: limits, tool approval, tools, evaluators and guardrails.
	// +optional
	// +kubebuilder:default={}
	Settings AgentSettings `json:"settings,omitempty"`

	// Memory stores the agent can use, by key or id, when no MemoryStore object of this cluster
	// manages them (else name them in memoryStoreRefs).
	// +optional
	// +listType=atomic
	MemoryStores []string `json:"memoryStores,omitempty"`

	// MemoryStore objects whose memory stores the agent can use: the operator sends their keys
	// once they are Ready, after those of memoryStores.
	// +optional
	// +kubebuilder:validation:MaxItems=64
	// +listType=atomic
	MemoryStoreRefs []ObjectReference `json:"memoryStoreRefs,omitempty"`

	// Knowledge bases the agent can query: each by the id of a knowledge base no KnowledgeBase
	// object manages (knowledgeId), or by a KnowledgeBase object (knowledgeBaseRef).
	// +optional
	// +kubebuilder:validation:MaxItems=64
	// +listType=atomic
	KnowledgeBases []AgentKnowledgeBase `json:"knowledgeBases,omitempty"`

	// The bound of teamOfAgents is the project's, as neither the OpenAPI document nor the SDK has
	// one: 64 members is far more than an orchestrator hands off to, and keeps bounded what
	// status and events list of the team.

	// The agents that are accessible to this orchestrator. The main agent can hand off to these
	// agents to perform tasks. Each member is either the key of an agent not managed here, or an
	// agentRef to another Agent; the operator waits until every referenced Agent is Ready.
	// +optional
	// +kubebuilder:validation:MaxItems=64
	// +listType=atomic
	TeamOfAgents []TeamMember `json:"teamOfAgents,omitempty"`

	// The skills the agent has access to, each named by a string orq knows; sent as written (the
	// API lists no values to check them against).
	// +optional
	// +listType=atomic
	Skills []string `json:"skills,omitempty"`

	// Variables used in the instructions, with their values. orq.ai also extracts variables from
	// the instructions by itself; only the variables listed here are compared with the remote agent.
	// +optional
	Variables map[string]apiextensionsv1.JSON `json:"variables,omitempty"`

	// Where the agent comes from: internal, external or experiment. Set at creation; the orq API
	// cannot change it afterwards.
	// +optional
	// +kubebuilder:validation:Enum=internal;external;experiment
	Source string `json:"source,omitempty"`

	// The template engine that renders the instructions and their variables: text (the default),
	// jinja or mustache.
	// +optional
	// +kubebuilder:validation:Enum=text;jinja;mustache
	// +kubebuilder:default=text
	Engine string `json:"engine,omitempty"`

	// When the operator updates the remote agent, publish a new semantic version of it by bumping
	// this part: major, minor or patch.
	// +optional
	// +kubebuilder:validation:Enum=major;minor;patch
	VersionIncrement string `json:"versionIncrement,omitempty"`

	// Description of the version published by versionIncrement.
	// +optional
	// +kubebuilder:validation:MaxLength=300
	VersionDescription string `json:"versionDescription,omitempty"`

	// The fields that steer the operator; they are not sent to orq.
	Lifecycle `json:",inline"`
}

// PromptSource says where a prompt comes from.
type PromptSource struct {
	// A key of a ConfigMap in the Agent's namespace; its value is the prompt, as it is.
	// +required
	ConfigMapKeyRef ConfigMapKeyReference `json:"configMapKeyRef"`
}

// AgentKnowledgeBase is a knowledge base the agent can query.
// +kubebuilder:validation:XValidation:rule="has(self.knowledgeId) != has(self.knowledgeBaseRef)",message="set exactly one of knowledgeId (a knowledge base no KnowledgeBase object manages) and knowledgeBaseRef (a KnowledgeBase object)"
type AgentKnowledgeBase struct {
	// The identifier of a knowledge base that no KnowledgeBase object of this cluster manages.
	// +optional
	// +kubebuilder:validation:MinLength=1
	KnowledgeID string `json:"knowledgeId,omitempty"`

	// A KnowledgeBase object whose knowledge base the agent queries: the operator sends its id once
	// it is Ready.
	// +optional
	KnowledgeBaseRef *ObjectReference `json:"knowledgeBaseRef,omitempty"`
}

// TeamMember is an agent an orchestrator can hand off to.
// +kubebuilder:validation:XValidation:rule="has(self.key) != has(self.agentRef)",message="set exactly one of key (an agent not managed here) and agentRef (an Agent object)"
type TeamMember struct {
	// The key of an agent that no Agent object of this cluster manages.
	// +optional
	// +kubebuilder:validation:MinLength=1
	Key string `json:"key,omitempty"`

	// An Agent object whose agent joins the team: the operator sends its key once it is Ready.
	// +optional
	AgentRef *AgentReference `json:"agentRef,omitempty"`

	// What this member does in the team, in a few words (such as "refund specialist").
	// +optional
	Role string `json:"role,omitempty"`
}

// AgentReference names an Agent object.
type AgentReference struct {
	// The metadata.name of the Agent object (not the key of its agent).
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	Name string `json:"name"`

	// The namespace of the Agent; the referrer's when empty. Another namespace must list the
	// referrer's namespace in the target's spec.allowReferencesFrom.
	// +optional
	// +kubebuilder:validation:MaxLength=63
	Namespace string `json:"namespace,omitempty"`
}

// AgentStatus is the observed state of an Agent.
type AgentStatus struct {
	ResourceStatus `json:",inline"`

	// The ID of the orq.ai project holding the agent.
	// +optional
	ProjectID string `json:"projectId,omitempty"`

	// The remote agent's current semantic version: the one that runs when no version is pinned.
	// +optional
	Version string `json:"version,omitempty"`

	// The remote agent's status (live, draft, pending, published).
	// +optional
	RemoteStatus string `json:"remoteStatus,omitempty"`

	// The keys of the team members of the remote agent, as orq last reported them. A member
	// Agent is deleted only once no orchestrator lists its key here.
	// +optional
	// +listType=atomic
	TeamKeys []string `json:"teamKeys,omitempty"`

	// The keys of the custom tools the remote agent uses, as orq last reported them. A Tool is
	// deleted from orq only once no Agent lists its key here or names it in its spec.
	// +optional
	// +listType=atomic
	ToolKeys []string `json:"toolKeys,omitempty"`

	// The ids of the knowledge bases the remote agent queries, as orq last reported them.
	// +optional
	// +listType=atomic
	KnowledgeBaseIDs []string `json:"knowledgeBaseIds,omitempty"`

	// The memory stores (keys or ids) the remote agent uses, as orq last reported them.
	// +optional
	// +listType=atomic
	MemoryStores []string `json:"memoryStores,omitempty"`

	// The last versions this operator published of the agent (spec.versionIncrement), newest
	// first, at most ten: each with the generation of the spec it published and the revision it
	// came from, so that a version (and a schedule's agentTag) can be tied to a commit.
	// +optional
	// +listType=atomic
	// +kubebuilder:validation:MaxItems=10
	Releases []Release `json:"releases,omitempty"`
}

// Release is a version of an agent that this operator published.
type Release struct {
	// The semantic version orq gave the agent, such as 1.2.0.
	// +required
	Version string `json:"version"`

	// The generation of the Agent's spec the version was published from.
	// +required
	Generation int64 `json:"generation"`

	// When the operator published it.
	// +required
	Time metav1.Time `json:"time"`

	// The revision the spec came from: the orq.ai/revision annotation, or the one Flux or Argo CD
	// put on the applied object (a commit, a chart version); empty when none is known.
	// +optional
	Revision string `json:"revision,omitempty"`
}

// Agent is an agent of an orq.ai workspace, managed declaratively.
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:shortName=orqagent,categories=orq
// +kubebuilder:printcolumn:name="Key",type=string,JSONPath=`.status.key`
// +kubebuilder:printcolumn:name="Model",type=string,JSONPath=`.spec.model.id`
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="Synced",type=string,JSONPath=`.status.conditions[?(@.type=="Synced")].status`,priority=1
// +kubebuilder:printcolumn:name="Version",type=string,JSONPath=`.status.version`
// +kubebuilder:printcolumn:name="Suspended",type=boolean,JSONPath=`.spec.suspend`
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
// +kubebuilder:validation:XValidation:rule="has(self.spec.key) || self.metadata.name.matches('^[A-Za-z][A-Za-z0-9]*([._-][A-Za-z0-9]+)*$')",message="metadata.name is not a valid orq agent key (letters and digits, separated by single '.', '_' or '-', starting with a letter): set spec.key"
// +kubebuilder:validation:XValidation:rule="(has(self.spec.key) ? self.spec.key : self.metadata.name) == (has(oldSelf.spec.key) ? oldSelf.spec.key : oldSelf.metadata.name)",message="spec.key is immutable: the key of an orq agent cannot change once set; create a new Agent for a new key"
type Agent struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// +required
	Spec AgentSpec `json:"spec"`

	// The state of the agent as the operator last saw it; only the operator writes it. Its default,
	// observedGeneration 0 (not observed yet), makes an Agent the operator has not processed read
	// as InProgress to kstatus (Flux, Argo CD, kubectl wait), not Current.
	// +optional
	// +kubebuilder:default={observedGeneration: 0}
	Status AgentStatus `json:"status,omitempty"`
}

// AgentList is a list of Agents.
// +kubebuilder:object:root=true
type AgentList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []Agent `json:"items"`
}

// RemoteKey is the key of the orq agent: spec.key, or metadata.name when it is empty.
func (a *Agent) RemoteKey() string {
	if a.Spec.Key != "" {
		return a.Spec.Key
	}
	return a.Name
}
