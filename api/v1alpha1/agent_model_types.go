package v1alpha1

import (
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
)

// The model of an agent: its configuration, parameters, fallbacks and the request-scoped
// features of the model call.

// ModelConfig is a model with optional behavior parameters and retry settings.
type ModelConfig struct {
	// The model's id, provider/model, such as `openai/gpt-4o` or
	// `anthropic/claude-haiku-4-5-20251001`. Only models that support tool calling can run agents.
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

	// How much effort a reasoning model spends on reasoning: none, minimal, low, medium, high,
	// xhigh or max. Less effort gives faster responses and fewer reasoning tokens.
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

	// The kinds of output the model generates: text (the default) and audio, which only models
	// that generate audio (such as gpt-4o-audio-preview) accept.
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
	// The format of the model's output: text (the default), json_object (any JSON object), or
	// json_schema (JSON that follows jsonSchema).
	// +required
	// +kubebuilder:validation:Enum=text;json_object;json_schema
	Type string `json:"type"`

	// The name, purpose and JSON Schema the output follows, when type is json_schema (required
	// then, not allowed otherwise).
	// +optional
	JSONSchema *JSONSchemaFormat `json:"jsonSchema,omitempty"`
}

// JSONSchemaFormat describes a structured response format.
type JSONSchemaFormat struct {
	// What the response format is for, read by the model to decide how to answer in it.
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
	// Whether the model thinks before it answers: disabled, enabled (with a budget of
	// budgetTokens) or adaptive (the model decides).
	// +required
	// +kubebuilder:validation:Enum=disabled;enabled;adaptive
	Type string `json:"type"`

	// How many tokens the model can use for its internal reasoning: at least 1024 and less than
	// maxTokens.
	// +optional
	// +kubebuilder:validation:Minimum=1024
	BudgetTokens *int64 `json:"budgetTokens,omitempty"`

	// How much the model reasons, for gemini-3 models only: minimal, low, medium or high.
	// +optional
	// +kubebuilder:validation:Enum=minimal;low;medium;high
	ThinkingLevel string `json:"thinkingLevel,omitempty"`
}

// ToolChoice is either a mode (none, auto, required) or a function the model must call. The API's
// string form is `type: none|auto|required`; its object form is `type: function` with `function`.
// +kubebuilder:validation:XValidation:rule="self.type == 'function' ? has(self.function) : !has(self.function)",message="function is required when type is function and not allowed otherwise"
type ToolChoice struct {
	// Whether and which tool the model calls: none (no tool), auto (the model decides), required
	// (at least one tool), or function (the function named in function).
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
	// The plugin, which decides the fields it takes: pii_redaction (replaces personal data with
	// placeholders before the provider sees it and restores it in the response), response_healing
	// (repairs malformed JSON in output that is not streamed) or trace_scrubbing (masks the trace
	// surfaces of mask).
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
	// The fallback model's id, provider/model, such as openai/gpt-4o-mini.
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

	// How a request finds a cached response: exact_match, the only type, reuses the response to an
	// identical request.
	// +required
	// +kubebuilder:validation:Enum=exact_match
	Type string `json:"type"`
}

// LoadBalancer spreads requests over several models.
type LoadBalancer struct {
	// How requests are spread over models: weight_based, the only strategy, sends each model a share
	// of the requests in proportion to its weight.
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
	// The model's id, provider/model, such as openai/gpt-4o-mini.
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
	// How long a model request may take, in milliseconds, before it is retried or falls back to
	// the next model.
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
