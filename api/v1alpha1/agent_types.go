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

	// The role or function of the agent.
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

	// Memory store keys the agent can use.
	// +optional
	// +listType=atomic
	MemoryStores []string `json:"memoryStores,omitempty"`

	// Knowledge bases the agent can query.
	// +optional
	// +listType=atomic
	KnowledgeBases []KnowledgeBase `json:"knowledgeBases,omitempty"`

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

	// Skills of the agent.
	// +optional
	// +listType=atomic
	Skills []string `json:"skills,omitempty"`

	// Variables used in the instructions, with their values. orq.ai also extracts variables from
	// the instructions by itself; only the variables listed here are compared with the remote agent.
	// +optional
	Variables map[string]apiextensionsv1.JSON `json:"variables,omitempty"`

	// Where the agent comes from. Set at creation; the orq API cannot change it afterwards.
	// +optional
	// +kubebuilder:validation:Enum=internal;external;experiment
	Source string `json:"source,omitempty"`

	// Template engine of the instructions.
	// +optional
	// +kubebuilder:validation:Enum=text;jinja;mustache
	// +kubebuilder:default=text
	Engine string `json:"engine,omitempty"`

	// The fields below steer the operator; they are not sent to orq.

	// What happens to the remote agent when this Agent is deleted: Delete removes it, Orphan
	// leaves it in orq. When unset, the operator's --default-deletion-policy applies (Delete unless
	// changed).
	// +optional
	// +kubebuilder:validation:Enum=Delete;Orphan
	DeletionPolicy DeletionPolicy `json:"deletionPolicy,omitempty"`

	// Manage makes the remote agent match the spec. Observe never writes to orq: it reads the
	// remote agent, fills status, and lists in status.pendingChanges the fields Manage would change.
	// An observed agent is never deleted from orq.
	// +optional
	// +kubebuilder:validation:Enum=Manage;Observe
	// +kubebuilder:default=Manage
	ManagementPolicy ManagementPolicy `json:"managementPolicy,omitempty"`

	// Suspend stops every call to orq for this agent until it is false again. Deleting a
	// suspended Agent leaves its remote agent in orq.
	// +optional
	Suspend bool `json:"suspend,omitempty"`

	// What to do when the key already exists in orq and this Agent did not create it: Fail
	// reports Stalled (reason AdoptionRequired) and changes nothing; Adopt takes the agent over
	// and corrects it to the spec.
	// +optional
	// +kubebuilder:validation:Enum=Fail;Adopt
	// +kubebuilder:default=Fail
	AdoptionPolicy AdoptionPolicy `json:"adoptionPolicy,omitempty"`

	// When the operator updates the remote agent, publish a new semantic version of it by bumping
	// this part: major, minor or patch.
	// +optional
	// +kubebuilder:validation:Enum=major;minor;patch
	VersionIncrement string `json:"versionIncrement,omitempty"`

	// Description of the version published by versionIncrement.
	// +optional
	// +kubebuilder:validation:MaxLength=300
	VersionDescription string `json:"versionDescription,omitempty"`

	// The Secret, in the Agent's own namespace, holding the orq API key to use for this agent
	// (and so the orq workspace it lives in). Unset: the operator's own key (ORQ_API_KEY). When
	// the Secret changes, the agent is synced again with the new key at once.
	// +optional
	APIKeySecretRef *SecretKeyReference `json:"apiKeySecretRef,omitempty"`

	// Namespaces whose Agents may name this Agent in teamOfAgents[].agentRef ("*": all). Agents of
	// the same namespace always may. In the spirit of Gateway API's ReferenceGrant: the target
	// consents to cross-namespace references.
	// +optional
	// +listType=set
	// +kubebuilder:validation:MaxItems=64
	// +kubebuilder:validation:items:MaxLength=63
	// +kubebuilder:validation:items:Pattern=`^(\*|[a-z0-9]([-a-z0-9]*[a-z0-9])?)$`
	AllowReferencesFrom []string `json:"allowReferencesFrom,omitempty"`
}

// PromptSource says where a prompt comes from.
type PromptSource struct {
	// A key of a ConfigMap in the Agent's namespace; its value is the prompt, as it is.
	// +required
	ConfigMapKeyRef ConfigMapKeyReference `json:"configMapKeyRef"`
}

// ConfigMapKeyReference names one key of a ConfigMap in the Agent's namespace.
type ConfigMapKeyReference struct {
	// The name of the ConfigMap.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:validation:Pattern=`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`
	Name string `json:"name"`

	// The key of the ConfigMap's data that holds the prompt.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:validation:Pattern=`^[-._a-zA-Z0-9]+$`
	Key string `json:"key"`
}

// SecretKeyReference names one key of a Secret in the Agent's namespace.
type SecretKeyReference struct {
	// The name of the Secret.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:validation:Pattern=`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`
	Name string `json:"name"`

	// The key of the Secret's data that holds the API key.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:validation:Pattern=`^[-._a-zA-Z0-9]+$`
	Key string `json:"key"`
}

// DeletionPolicy says what happens to the remote agent when its Agent is deleted.
type DeletionPolicy string

const (
	// DeletionPolicyDelete deletes the remote agent with its Agent.
	DeletionPolicyDelete DeletionPolicy = "Delete"
	// DeletionPolicyOrphan leaves the remote agent in orq.
	DeletionPolicyOrphan DeletionPolicy = "Orphan"
)

// ManagementPolicy says whether the operator writes to orq.
type ManagementPolicy string

const (
	// ManagementPolicyManage makes the remote agent match the spec.
	ManagementPolicyManage ManagementPolicy = "Manage"
	// ManagementPolicyObserve only reads the remote agent and reports differences.
	ManagementPolicyObserve ManagementPolicy = "Observe"
)

// AdoptionPolicy says what to do with a remote agent this Agent did not create.
type AdoptionPolicy string

const (
	// AdoptionPolicyFail refuses to touch it.
	AdoptionPolicyFail AdoptionPolicy = "Fail"
	// AdoptionPolicyAdopt takes it over.
	AdoptionPolicyAdopt AdoptionPolicy = "Adopt"
)

// ModelConfig is a model with optional behavior parameters and retry settings.
type ModelConfig struct {
	// A model ID string (for example `openai/gpt-4o` or `anthropic/claude-haiku-4-5-20251001`).
	// Only models that support tool calling can be used with agents.
	// +required
	// +kubebuilder:validation:MinLength=1
	ID string `json:"id"`

	// Model behavior parameters that control how the model generates responses. Support varies by
	// model.
	// +optional
	Parameters *ModelParameters `json:"parameters,omitempty"`

	// Retry configuration for model requests, triggered by the listed HTTP status codes.
	// +optional
	Retry *Retry `json:"retry,omitempty"`
}

// ModelParameters control how the model generates responses.
type ModelParameters struct {
	// The name to display on the trace. If not specified, the default system name is used.
	// +optional
	Name string `json:"name,omitempty"`

	// Number between -2.0 and 2.0. Positive values penalize new tokens based on their existing
	// frequency in the text so far.
	// +optional
	FrequencyPenalty *float64 `json:"frequencyPenalty,omitempty"`

	// Deprecated by the API in favor of maxCompletionTokens: the maximum number of tokens that can
	// be generated in the chat completion.
	// +optional
	MaxTokens *int64 `json:"maxTokens,omitempty"`

	// An upper bound for the number of tokens that can be generated for a completion, including
	// visible output tokens and reasoning tokens.
	// +optional
	// +kubebuilder:validation:Minimum=1
	MaxCompletionTokens *int64 `json:"maxCompletionTokens,omitempty"`

	// Number between -2.0 and 2.0. Positive values penalize new tokens based on whether they appear
	// in the text so far.
	// +optional
	PresencePenalty *float64 `json:"presencePenalty,omitempty"`

	// An object specifying the format that the model must output.
	// +optional
	ResponseFormat *ResponseFormat `json:"responseFormat,omitempty"`

	// max follows the SDK (4.15.11), which accepts it; the OpenAPI document predates it.

	// Constrains effort on reasoning for reasoning models. Reducing it can give faster responses
	// and fewer reasoning tokens.
	// +optional
	// +kubebuilder:validation:Enum=none;minimal;low;medium;high;xhigh;max
	ReasoningEffort string `json:"reasoningEffort,omitempty"`

	// Adjusts response verbosity. Lower levels yield shorter answers.
	// +optional
	Verbosity string `json:"verbosity,omitempty"`

	// If specified, the system makes a best effort to sample deterministically.
	// +optional
	Seed *float64 `json:"seed,omitempty"`

	// Up to 4 sequences where the API will stop generating further tokens.
	// +optional
	// +kubebuilder:validation:MaxItems=4
	// +listType=atomic
	Stop []string `json:"stop,omitempty"`

	// Thinking (extended reasoning) configuration.
	// +optional
	Thinking *Thinking `json:"thinking,omitempty"`

	// What sampling temperature to use, between 0 and 2. Higher values make the output more random,
	// lower values more focused and deterministic.
	// +optional
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=2
	Temperature *float64 `json:"temperature,omitempty"`

	// Nucleus sampling: the model considers the tokens with topP probability mass (0 to 1).
	// +optional
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=1
	TopP *float64 `json:"topP,omitempty"`

	// Limits the model to consider only the top k most likely tokens at each step.
	// +optional
	TopK *float64 `json:"topK,omitempty"`

	// Controls which (if any) tool is called by the model.
	// +optional
	ToolChoice *ToolChoice `json:"toolChoice,omitempty"`

	// Whether to enable parallel function calling during tool use.
	// +optional
	ParallelToolCalls *bool `json:"parallelToolCalls,omitempty"`

	// Output types that you would like the model to generate.
	// +optional
	// +listType=atomic
	Modalities []Modality `json:"modalities,omitempty"`

	// A list of guardrails to apply to the request.
	// +optional
	// +listType=atomic
	Guardrails []ModelGuardrail `json:"guardrails,omitempty"`

	// Request-scoped transforms applied to the text exchanged with the model.
	// +optional
	// +kubebuilder:validation:MaxItems=16
	// +listType=atomic
	Plugins []Plugin `json:"plugins,omitempty"`

	// Fallback models to use if the primary model fails.
	// +optional
	// +listType=atomic
	Fallbacks []ModelFallback `json:"fallbacks,omitempty"`

	// Cache configuration for the request.
	// +optional
	Cache *Cache `json:"cache,omitempty"`

	// Load balancer configuration for the request.
	// +optional
	LoadBalancer *LoadBalancer `json:"loadBalancer,omitempty"`

	// Timeout configuration to apply to the request. If the request exceeds the timeout, it is
	// retried or falls back to the next model if configured.
	// +optional
	Timeout *RequestTimeout `json:"timeout,omitempty"`

	// Provider-level prompt caching configuration. Only supported by Anthropic Claude models.
	// +optional
	CacheControl *CacheControl `json:"cacheControl,omitempty"`

	// Used by OpenAI to cache responses for similar requests to optimize cache hit rates.
	// +optional
	PromptCacheKey string `json:"promptCacheKey,omitempty"`
}

// ResponseFormat is the output format of the model.
// +kubebuilder:validation:XValidation:rule="self.type == 'json_schema' ? has(self.jsonSchema) : !has(self.jsonSchema)",message="jsonSchema is required when type is json_schema and not allowed otherwise"
type ResponseFormat struct {
	// text (default), json_object, or json_schema (structured output following jsonSchema).
	// +required
	// +kubebuilder:validation:Enum=text;json_object;json_schema
	Type string `json:"type"`

	// The JSON schema of a json_schema response format.
	// +optional
	JSONSchema *JSONSchemaFormat `json:"jsonSchema,omitempty"`
}

// JSONSchemaFormat describes a structured response format.
type JSONSchemaFormat struct {
	// A description of what the response format is for.
	// +optional
	Description string `json:"description,omitempty"`

	// The name of the response format: a-z, A-Z, 0-9, underscores and dashes, at most 64 characters.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=64
	// +kubebuilder:validation:Pattern=`^[A-Za-z0-9_-]+$`
	Name string `json:"name"`

	// The schema for the response format, described as a JSON Schema object.
	// +optional
	Schema *apiextensionsv1.JSON `json:"schema,omitempty"`

	// Whether to enable strict schema adherence when generating the output.
	// +optional
	// +kubebuilder:default=false
	Strict *bool `json:"strict,omitempty"`
}

// Thinking configures the model's thinking mode.
// +kubebuilder:validation:XValidation:rule="self.type == 'enabled' ? has(self.budgetTokens) : !has(self.budgetTokens) && !has(self.thinkingLevel)",message="budgetTokens is required when type is enabled; budgetTokens and thinkingLevel are only allowed when type is enabled"
type Thinking struct {
	// disabled, enabled (with a token budget) or adaptive (the model decides).
	// +required
	// +kubebuilder:validation:Enum=disabled;enabled;adaptive
	Type string `json:"type"`

	// How many tokens the model can use for its internal reasoning: at least 1024 and less than
	// maxTokens.
	// +optional
	// +kubebuilder:validation:Minimum=1024
	BudgetTokens *int64 `json:"budgetTokens,omitempty"`

	// The level of reasoning the model should use (gemini-3 models only).
	// +optional
	// +kubebuilder:validation:Enum=minimal;low;medium;high
	ThinkingLevel string `json:"thinkingLevel,omitempty"`
}

// ToolChoice is either a mode (none, auto, required) or a function the model must call. The API's
// string form is `type: none|auto|required`; its object form is `type: function` with `function`.
// +kubebuilder:validation:XValidation:rule="self.type == 'function' ? has(self.function) : !has(self.function)",message="function is required when type is function and not allowed otherwise"
type ToolChoice struct {
	// none, auto, required, or function.
	// +required
	// +kubebuilder:validation:Enum=none;auto;required;function
	Type string `json:"type"`

	// The function to call, when type is function.
	// +optional
	Function *ToolChoiceFunction `json:"function,omitempty"`
}

// ToolChoiceFunction names a function to call.
type ToolChoiceFunction struct {
	// The name of the function to call.
	// +required
	// +kubebuilder:validation:MinLength=1
	Name string `json:"name"`
}

// Modality is an output type of the model.
// +kubebuilder:validation:Enum=text;audio
type Modality string

// Unlike the guardrails of settings, a model guardrail takes no options: neither the OpenAPI
// document nor the SDK (4.15.11) has them here.

// ModelGuardrail is a guardrail applied to model requests.
type ModelGuardrail struct {
	// The key of the guardrail: orq_pii_detection, orq_secret_detection, orq_sexual_moderation,
	// orq_harmful_moderation, or the key or identifier of an evaluator.
	// +required
	// +kubebuilder:validation:MinLength=1
	ID string `json:"id"`

	// Whether the guardrail runs on the input (user message) or output (model response).
	// +required
	// +kubebuilder:validation:Enum=input;output
	ExecuteOn string `json:"executeOn"`
}

// The pii_redaction fields follow the SDK (4.15.11): language is any detector language (auto
// detects it), entities are the types the API's PII capabilities list (they grow with regions),
// and regions and entityThresholds are new. The OpenAPI document closed language to en and nl
// and entities to a fixed list per language; the API now checks them itself. The bounds of
// regions, entities and entityThresholds (64) are the project's, for the rules' cost.

// Plugin is a request-scoped transform: pii_redaction, response_healing or trace_scrubbing.
// +kubebuilder:validation:XValidation:rule="self.id == 'trace_scrubbing' ? has(self.mask) : !has(self.mask)",message="mask is required for trace_scrubbing and not allowed for other plugins"
// +kubebuilder:validation:XValidation:rule="self.id == 'pii_redaction' || (!has(self.onFailure) && !has(self.threshold) && !has(self.language) && !has(self.regions) && !has(self.entities) && !has(self.entityThresholds))",message="onFailure, threshold, language, regions, entities and entityThresholds are only allowed for pii_redaction"
// +kubebuilder:validation:XValidation:rule="!has(self.regions) || !('all' in self.regions) || size(self.regions) == 1",message="regions: all cannot be combined with other regions"
// +kubebuilder:validation:XValidation:rule="!has(self.entityThresholds) || self.entityThresholds.all(k, has(self.entities) && k in self.entities)",message="every key of entityThresholds must also be listed in entities"
type Plugin struct {
	// Plugin discriminator.
	// +required
	// +kubebuilder:validation:Enum=pii_redaction;response_healing;trace_scrubbing
	ID string `json:"id"`

	// pii_redaction: behavior when redaction is unavailable. block (default) fails the request;
	// passthrough sends the original text.
	// +optional
	// +kubebuilder:validation:Enum=block;passthrough
	OnFailure string `json:"onFailure,omitempty"`

	// pii_redaction: detection confidence threshold between 0 and 1.
	// +optional
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=1
	Threshold *float64 `json:"threshold,omitempty"`

	// pii_redaction: detector language, for example en or nl; auto detects it. en when omitted.
	// +optional
	// +kubebuilder:validation:MinLength=1
	Language string `json:"language,omitempty"`

	// pii_redaction: region codes (for example nl, gb) whose entity types are all redacted, on
	// top of the base catalog; [all] covers every region, as does leaving both regions and
	// entities empty. Combined with entities, the two selections add up.
	// +optional
	// +kubebuilder:validation:MaxItems=64
	// +kubebuilder:validation:items:MinLength=1
	// +listType=atomic
	Regions []string `json:"regions,omitempty"`

	// pii_redaction: entity types to redact, even those of a region not selected. Alone, only
	// these are redacted; with regions, they add to the regions' types. The API's PII
	// capabilities (GET /v2/pii/capabilities) list the valid types.
	// +optional
	// +kubebuilder:validation:MaxItems=64
	// +listType=atomic
	Entities []PIIEntity `json:"entities,omitempty"`

	// pii_redaction: confidence cutoffs between 0 and 1 per entity type, overriding threshold.
	// They tune confidence only, so every key must also be listed in entities.
	// +optional
	// +kubebuilder:validation:MaxProperties=64
	EntityThresholds map[string]PIIConfidence `json:"entityThresholds,omitempty"`

	// trace_scrubbing: trace surfaces to scrub. `all` includes system, input, output, metadata, and
	// variables.
	// +optional
	// +kubebuilder:validation:MinItems=1
	// +listType=atomic
	Mask []TraceSurface `json:"mask,omitempty"`
}

// PIIEntity is an entity type that pii_redaction can redact, such as EMAIL_ADDRESS.
// +kubebuilder:validation:MinLength=1
type PIIEntity string

// PIIConfidence is a detection confidence cutoff.
// +kubebuilder:validation:Minimum=0
// +kubebuilder:validation:Maximum=1
type PIIConfidence float64

// TraceSurface is a trace surface that trace_scrubbing can scrub.
// +kubebuilder:validation:Enum=all;system;input;output;metadata;variables
type TraceSurface string

// ModelFallback is a fallback model of the request.
type ModelFallback struct {
	// Fallback model identifier, for example openai/gpt-4o-mini.
	// +required
	// +kubebuilder:validation:MinLength=1
	Model string `json:"model"`
}

// Cache configures response caching.
type Cache struct {
	// Time to live for cached responses in seconds (at most 259200, 3 days).
	// +optional
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=259200
	// +kubebuilder:default=1800
	TTL *float64 `json:"ttl,omitempty"`

	// The cache type.
	// +required
	// +kubebuilder:validation:Enum=exact_match
	Type string `json:"type"`
}

// LoadBalancer spreads requests over several models.
type LoadBalancer struct {
	// The load balancing strategy.
	// +required
	// +kubebuilder:validation:Enum=weight_based
	Type string `json:"type"`

	// The models to balance over.
	// +required
	// +listType=atomic
	Models []LoadBalancedModel `json:"models"`
}

// LoadBalancedModel is a model of a load balancer with its weight.
type LoadBalancedModel struct {
	// Model identifier for load balancing.
	// +required
	// +kubebuilder:validation:MinLength=1
	Model string `json:"model"`

	// Weight assigned to this model, between 0.001 and 1.
	// +optional
	// +kubebuilder:validation:Minimum=0.001
	// +kubebuilder:validation:Maximum=1
	// +kubebuilder:default=0.5
	Weight *float64 `json:"weight,omitempty"`
}

// RequestTimeout is the timeout of a model request.
type RequestTimeout struct {
	// Timeout value in milliseconds.
	// +required
	// +kubebuilder:validation:Minimum=1
	CallTimeout float64 `json:"callTimeout"`
}

// CacheControl is a provider-level prompt caching breakpoint.
type CacheControl struct {
	// Creates a cache control breakpoint at this content block. Only "ephemeral".
	// +required
	// +kubebuilder:validation:Enum=ephemeral
	Type string `json:"type"`

	// The time-to-live for the cache control breakpoint: 5m (default) or 1h.
	// +optional
	// +kubebuilder:validation:Enum="5m";"1h"
	// +kubebuilder:default="5m"
	TTL string `json:"ttl,omitempty"`
}

// Retry configures retries of model requests.
type Retry struct {
	// Number of retry attempts (1-5).
	// +optional
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=5
	// +kubebuilder:default=3
	Count *int64 `json:"count,omitempty"`

	// HTTP status codes that trigger retry logic, for example 429, 500, 502, 503, 504.
	// +optional
	// +kubebuilder:validation:MinItems=1
	// +listType=atomic
	OnCodes []HTTPStatusCode `json:"onCodes,omitempty"`
}

// HTTPStatusCode is an HTTP status code.
// +kubebuilder:validation:Minimum=100
// +kubebuilder:validation:Maximum=599
type HTTPStatusCode int32

// AgentSettings are the execution settings of an agent.
type AgentSettings struct {
	// Maximum iterations (LLM calls) before the agent stops executing.
	// +optional
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=100
	// +kubebuilder:default=100
	MaxIterations *int64 `json:"maxIterations,omitempty"`

	// Maximum time in seconds for the agent to execute.
	// +optional
	// +kubebuilder:validation:Minimum=2
	// +kubebuilder:validation:Maximum=600
	// +kubebuilder:default=600
	MaxExecutionTime *int64 `json:"maxExecutionTime,omitempty"`

	// Maximum cost of an execution; 0 means no limit.
	// +optional
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:default=0
	MaxCost *float64 `json:"maxCost,omitempty"`

	// If all, every tool call requires approval; if respect_tool, each tool's own requiresApproval
	// decides; if none, no tool call requires approval.
	// +optional
	// +kubebuilder:validation:Enum=all;respect_tool;none
	// +kubebuilder:default=respect_tool
	ToolApprovalRequired string `json:"toolApprovalRequired,omitempty"`

	// Whether the agent is exposed in chat.
	// +optional
	ChatExposed *bool `json:"chatExposed,omitempty"`

	// The tools the agent can use: built-in tools (google_search, web_scraper, call_sub_agent,
	// retrieve_agents, query_memory_store, write_memory_store, retrieve_memory_stores,
	// delete_memory_document, retrieve_knowledge_bases, query_knowledge_base, current_date, advisor,
	// sidekick, code_interpreter), a file system (file_system), pre-created tools referenced by key
	// or id (http, code, function, json_schema, mcp), or provider tools (`provider:name`).
	// +optional
	// +kubebuilder:validation:MaxItems=128
	// +listType=atomic
	Tools []Tool `json:"tools,omitempty"`

	// Evaluators run on the agent's input or output.
	// +optional
	// +listType=atomic
	Evaluators []Evaluator `json:"evaluators,omitempty"`

	// Guardrails run on the agent's input or output.
	// +optional
	// +listType=atomic
	Guardrails []Evaluator `json:"guardrails,omitempty"`
}

// Provider tools (provider:name) follow the OpenAPI document: the SDK (4.15.11) has no member
// for them in its closed union of tool types, but the API documents and returns them, and
// existing Agents use them.

// Tool is a tool the agent can use.
// +kubebuilder:validation:XValidation:rule="self.type in ['google_search','web_scraper','call_sub_agent','retrieve_agents','query_memory_store','write_memory_store','retrieve_memory_stores','delete_memory_document','retrieve_knowledge_bases','query_knowledge_base','current_date','advisor','sidekick','code_interpreter','file_system','http','code','function','json_schema','mcp'] || self.type.matches('^[a-z][a-z0-9_-]*:.+$')",message="type must be a built-in tool (google_search, web_scraper, call_sub_agent, retrieve_agents, query_memory_store, write_memory_store, retrieve_memory_stores, delete_memory_document, retrieve_knowledge_bases, query_knowledge_base, current_date, advisor, sidekick, code_interpreter), file_system, http, code, function, json_schema, mcp, or a provider tool of the form provider:name"
// +kubebuilder:validation:XValidation:rule="!(self.type in ['http','code','function','json_schema','mcp']) || has(self.key) || has(self.id)",message="http, code, function, json_schema and mcp tools must reference a pre-created tool by key or id"
// +kubebuilder:validation:XValidation:rule="!(self.type in ['google_search','web_scraper','call_sub_agent','retrieve_agents','query_memory_store','write_memory_store','retrieve_memory_stores','delete_memory_document','retrieve_knowledge_bases','query_knowledge_base','current_date','advisor','sidekick','code_interpreter','file_system']) || (!has(self.key) && !has(self.id))",message="built-in and file_system tools take neither key nor id"
// +kubebuilder:validation:XValidation:rule="self.type == 'file_system' ? has(self.fileSystem) : !has(self.fileSystem)",message="fileSystem is required for file_system tools and not allowed for other tools"
// +kubebuilder:validation:XValidation:rule="self.type == 'mcp' ? has(self.toolId) : !has(self.toolId)",message="toolId is required for mcp tools and not allowed for other tools"
// +kubebuilder:validation:XValidation:rule="!has(self.timeout) || self.type != 'code' || self.timeout <= 120",message="timeout of a code tool is at most 120 seconds"
// +kubebuilder:validation:XValidation:rule="!has(self.timeout) || self.type in ['http','code'] || self.type.matches('^[a-z][a-z0-9_-]*:.+$')",message="timeout is only allowed for http, code and provider tools"
// +kubebuilder:validation:XValidation:rule="!has(self.configuration) || !(self.type in ['file_system','http','code','function','json_schema','mcp'])",message="configuration is only allowed for built-in and provider tools (a file_system tool's is fileSystem)"
type Tool struct {
	// The tool type.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=255
	Type string `json:"type"`

	// The key of the pre-created tool (http, code, function, json_schema, mcp, provider tools).
	// +optional
	// +kubebuilder:validation:MinLength=1
	Key string `json:"key,omitempty"`

	// The ID of the pre-created tool (http, code, function, json_schema, mcp, provider tools).
	// +optional
	// +kubebuilder:validation:MinLength=1
	ID string `json:"id,omitempty"`

	// The ID of the specific tool within an MCP server (mcp tools only).
	// +optional
	// +kubebuilder:validation:MinLength=1
	ToolID string `json:"toolId,omitempty"`

	// Whether this tool requires approval before execution.
	// +optional
	RequiresApproval *bool `json:"requiresApproval,omitempty"`

	// Static tool configuration set at design time, merged over LLM-provided arguments at execution
	// time (built-in and provider tools).
	// +optional
	// +kubebuilder:validation:Type=object
	// +kubebuilder:pruning:PreserveUnknownFields
	Configuration *apiextensionsv1.JSON `json:"configuration,omitempty"`

	// Tool execution timeout in seconds for this agent (http and provider tools: 1-600; code tools:
	// 1-120). Overrides the timeout configured on the tool definition.
	// +optional
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=600
	Timeout *float64 `json:"timeout,omitempty"`

	// The file system a file_system tool attaches to the agent (file_system tools only). Sent as
	// the tool's configuration: typed here, unlike the free-form configuration of other tools, so
	// that the apiserver checks it.
	// +optional
	FileSystem *FileSystemToolConfig `json:"fileSystem,omitempty"`
}

// FileSystemToolConfig names the persistent file system of a file_system tool and how the agent
// may use it.
// +kubebuilder:validation:XValidation:rule="has(self.fileSystemId) != has(self.fileSystemKey)",message="set exactly one of fileSystemId and fileSystemKey"
type FileSystemToolConfig struct {
	// The id of the file system to attach.
	// +optional
	// +kubebuilder:validation:MinLength=1
	FileSystemID string `json:"fileSystemId,omitempty"`

	// The key of the file system to attach.
	// +optional
	// +kubebuilder:validation:MinLength=1
	FileSystemKey string `json:"fileSystemKey,omitempty"`

	// Whether the agent may only read the file system (read_only, the default) or also write
	// to it (read_write).
	// +optional
	// +kubebuilder:validation:Enum=read_only;read_write
	// +kubebuilder:default=read_only
	AccessMode string `json:"accessMode,omitempty"`
}

// Evaluator is an evaluator or guardrail of the agent.
type Evaluator struct {
	// Unique key or identifier of the evaluator.
	// +required
	// +kubebuilder:validation:MinLength=1
	ID string `json:"id"`

	// Percentage of executions to evaluate (1-100).
	// +optional
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=100
	// +kubebuilder:default=50
	SampleRate *float64 `json:"sampleRate,omitempty"`

	// Whether it runs on the input or the output.
	// +required
	// +kubebuilder:validation:Enum=input;output
	ExecuteOn string `json:"executeOn"`

	// Evaluator-specific configuration, passed to the evaluator at run time with its keys as
	// written. For orq_pii_detection: regions, entities, entity_thresholds, language and
	// threshold (regions and entities exclude each other; on_failure is refused, as an evaluator
	// used as a guardrail always fails closed).
	// +optional
	// +kubebuilder:validation:Type=object
	// +kubebuilder:pruning:PreserveUnknownFields
	Options *apiextensionsv1.JSON `json:"options,omitempty"`
}

// KnowledgeBase is a knowledge base the agent can query.
type KnowledgeBase struct {
	// The identifier of the knowledge base.
	// +required
	// +kubebuilder:validation:MinLength=1
	KnowledgeID string `json:"knowledgeId"`
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

	// The role of the agent in the team.
	// +optional
	Role string `json:"role,omitempty"`
}

// AgentReference names an Agent object.
type AgentReference struct {
	// The name of the Agent.
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
	// The generation of the spec that was last reconciled successfully.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`

	// Ready tells whether the remote agent exists and matches the spec. Reconciling (True while
	// the operator works towards the spec) and Stalled (True when it cannot progress without a
	// change) follow kstatus, so Flux, Argo CD and kubectl wait read them.
	// +optional
	// +listType=map
	// +listMapKey=type
	Conditions []metav1.Condition `json:"conditions,omitempty"`

	// The key of the remote agent this object manages.
	// +optional
	Key string `json:"key,omitempty"`

	// The ID (`_id`) of the remote agent this Agent created or adopted; empty while it only
	// observes one.
	// +optional
	ID string `json:"id,omitempty"`

	// The ID of the orq.ai project holding the agent.
	// +optional
	ProjectID string `json:"projectId,omitempty"`

	// The remote agent's current semantic version.
	// +optional
	Version string `json:"version,omitempty"`

	// The remote agent's status (live, draft, pending, published).
	// +optional
	RemoteStatus string `json:"remoteStatus,omitempty"`

	// When the operator last created or updated the remote agent, or first found it matching the
	// current generation of the spec.
	// +optional
	LastSyncTime *metav1.Time `json:"lastSyncTime,omitempty"`

	// The top-level fields (in the API's names) in which the remote agent differs from the spec:
	// with managementPolicy Observe, what Manage would change.
	// +optional
	// +listType=atomic
	PendingChanges []string `json:"pendingChanges,omitempty"`

	// The value of the orq.ai/reconcile-requested-at annotation that was last handled.
	// +optional
	LastHandledReconcileAt string `json:"lastHandledReconcileAt,omitempty"`

	// A hash of the request the status was last computed from (sent, confirmed or, with
	// managementPolicy Observe, compared), and the remote agent's `updated` time then: while
	// neither changes, a remote agent that did not converge is not patched again (reason
	// NotConverging), and the drift sweep knows which remote agents changed.
	// +optional
	AppliedHash string `json:"appliedHash,omitempty"`
	// +optional
	RemoteUpdated string `json:"remoteUpdated,omitempty"`

	// A hash (sha256, shortened) of the orq API key last used for this agent: it changes when
	// the key is rotated. Never the key itself.
	// +optional
	APIKeyHash string `json:"apiKeyHash,omitempty"`

	// The keys of the team members of the remote agent, as orq last reported them. A member
	// Agent is deleted only once no orchestrator lists its key here.
	// +optional
	// +listType=atomic
	TeamKeys []string `json:"teamKeys,omitempty"`
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
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
// +kubebuilder:validation:XValidation:rule="has(self.spec.key) || self.metadata.name.matches('^[A-Za-z][A-Za-z0-9]*([._-][A-Za-z0-9]+)*$')",message="metadata.name is not a valid orq agent key (letters and digits, separated by single '.', '_' or '-', starting with a letter): set spec.key"
// +kubebuilder:validation:XValidation:rule="(has(self.spec.key) ? self.spec.key : self.metadata.name) == (has(oldSelf.spec.key) ? oldSelf.spec.key : oldSelf.metadata.name)",message="spec.key is immutable: the key of an orq agent cannot change once set; create a new Agent for a new key"
type Agent struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// +required
	Spec AgentSpec `json:"spec"`

	// The default (observedGeneration 0: not observed yet) makes an Agent the operator has not
	// processed read as InProgress to kstatus (Flux, Argo CD, kubectl wait), not Current.
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
