package v1alpha1

import (
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
)

// The execution settings of an agent: limits, tool approval, tools, evaluators and guardrails.

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

	// Whether orq's AI Chat offers the agent to its users as one they can pick and talk to.
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
	Tools []AgentTool `json:"tools,omitempty"`

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

// AgentTool is a tool the agent can use.
// +kubebuilder:validation:XValidation:rule="self.type in ['google_search','web_scraper','call_sub_agent','retrieve_agents','query_memory_store','write_memory_store','retrieve_memory_stores','delete_memory_document','retrieve_knowledge_bases','query_knowledge_base','current_date','advisor','sidekick','code_interpreter','file_system','http','code','function','json_schema','mcp'] || self.type.matches('^[a-z][a-z0-9_-]*:.+$')",message="type must be a built-in tool (google_search, web_scraper, call_sub_agent, retrieve_agents, query_memory_store, write_memory_store, retrieve_memory_stores, delete_memory_document, retrieve_knowledge_bases, query_knowledge_base, current_date, advisor, sidekick, code_interpreter), file_system, http, code, function, json_schema, mcp, or a provider tool of the form provider:name"
// +kubebuilder:validation:XValidation:rule="!(self.type in ['http','code','function','json_schema']) || [has(self.key), has(self.id), has(self.toolRef)].filter(x, x).size() == 1",message="http, code, function and json_schema tools name their tool by exactly one of key, id (a tool no Tool object manages) and toolRef (a Tool object)"
// +kubebuilder:validation:XValidation:rule="self.type != 'mcp' || has(self.key) || has(self.id)",message="mcp tools must reference a pre-created tool by key or id"
// +kubebuilder:validation:XValidation:rule="!has(self.toolRef) || self.type in ['http','code','function','json_schema']",message="toolRef names a Tool object: only http, code, function and json_schema tools take it"
// +kubebuilder:validation:XValidation:rule="!(self.type in ['google_search','web_scraper','call_sub_agent','retrieve_agents','query_memory_store','write_memory_store','retrieve_memory_stores','delete_memory_document','retrieve_knowledge_bases','query_knowledge_base','current_date','advisor','sidekick','code_interpreter','file_system']) || (!has(self.key) && !has(self.id))",message="built-in and file_system tools take neither key nor id"
// +kubebuilder:validation:XValidation:rule="self.type == 'file_system' ? has(self.fileSystem) : !has(self.fileSystem)",message="fileSystem is required for file_system tools and not allowed for other tools"
// +kubebuilder:validation:XValidation:rule="self.type == 'mcp' ? has(self.toolId) : !has(self.toolId)",message="toolId is required for mcp tools and not allowed for other tools"
// +kubebuilder:validation:XValidation:rule="!has(self.timeout) || self.type != 'code' || self.timeout <= 120",message="timeout of a code tool is at most 120 seconds"
// +kubebuilder:validation:XValidation:rule="!has(self.timeout) || self.type in ['http','code'] || self.type.matches('^[a-z][a-z0-9_-]*:.+$')",message="timeout is only allowed for http, code and provider tools"
// +kubebuilder:validation:XValidation:rule="!has(self.configuration) || !(self.type in ['file_system','http','code','function','json_schema','mcp'])",message="configuration is only allowed for built-in and provider tools (a file_system tool's is fileSystem)"
type AgentTool struct {
	// What the tool is, which decides the fields it takes: a built-in tool (google_search,
	// web_scraper, call_sub_agent, retrieve_agents, query_memory_store, write_memory_store,
	// retrieve_memory_stores, delete_memory_document, retrieve_knowledge_bases,
	// query_knowledge_base, current_date, advisor, sidekick, code_interpreter), which takes no key
	// or id; file_system, which takes fileSystem; a custom tool (http, code, function,
	// json_schema), named by one of key, id and toolRef; mcp, a tool of an MCP server, named by key
	// or id, with toolId; or a provider's own tool, provider:name (such as openai:web_search),
	// which orq passes through to that provider.
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

	// A Tool object whose tool the agent uses (http, code, function and json_schema tools): the
	// operator sends its id once it is Ready; the Tool's spec.type must equal this type.
	// +optional
	ToolRef *ObjectReference `json:"toolRef,omitempty"`

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
	// The evaluator, by key or id: one of orq's (such as orq_pii_detection) or one of the
	// workspace's.
	// +required
	// +kubebuilder:validation:MinLength=1
	ID string `json:"id"`

	// Percentage of executions to evaluate (1-100).
	// +optional
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=100
	// +kubebuilder:default=50
	SampleRate *float64 `json:"sampleRate,omitempty"`

	// What it evaluates: input (the user's message) or output (the agent's response).
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
