package v1alpha1

import (
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// The spec mirrors the request body of orq's "create tool" (POST /v2/tools), field by field in
// lowerCamelCase (code_tool is codeTool), with the API's bounds, patterns, enums and required
// fields. One field is not mirrored: the request's `status` (live, draft, pending, published)
// describes a tool version's review state, and a tool managed here is always the live one.

// ToolSpec is the desired state of a custom tool of an orq.ai workspace.
// +kubebuilder:validation:XValidation:rule="self.type == oldSelf.type",message="spec.type cannot change: the orq API cannot change a tool's type; create a new Tool"
// +kubebuilder:validation:XValidation:rule="[has(self.function), has(self.jsonSchema), has(self.http), has(self.codeTool)].filter(x, x).size() == 1",message="set exactly one of function, jsonSchema, http and codeTool: the one its type names"
// +kubebuilder:validation:XValidation:rule="self.type == 'function' ? has(self.function) : self.type == 'json_schema' ? has(self.jsonSchema) : self.type == 'http' ? has(self.http) : has(self.codeTool)",message="the payload must match the type: function for function, jsonSchema for json_schema, http for http, codeTool for code"
type ToolSpec struct {
	// The unique key of the tool in the workspace, shown in the orq studio. Defaults to
	// metadata.name and cannot change once set: letters and digits, separated by single '_' or
	// '-', starting with a letter, at most 64 characters.
	// +optional
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=64
	// +kubebuilder:validation:Pattern=`^[A-Za-z]([A-Za-z0-9]*([_-][A-Za-z0-9]+)*)?$`
	Key string `json:"key,omitempty"`

	// Where the tool is stored: the project (its display name), then folders, created as needed,
	// such as "Default Project/tools". With a project-scoped API key the path is relative to that
	// project.
	// +required
	// +kubebuilder:validation:MinLength=1
	Path string `json:"path"`

	// The name shown in the orq studio; the key when unset.
	// +optional
	DisplayName string `json:"displayName,omitempty"`

	// What the tool does: the model reads it to choose when and how to call the tool, so make it
	// precise.
	// +required
	// +kubebuilder:validation:MinLength=1
	Description string `json:"description"`

	// The kind of tool, which names its payload: function (a function the model calls with
	// structured arguments: function), json_schema (a structured output format: jsonSchema), http
	// (an HTTP request made from a blueprint: http) or code (Python run in a sandbox: codeTool).
	// It cannot change once set.
	// +required
	// +kubebuilder:validation:Enum=function;json_schema;http;code
	Type string `json:"type"`

	// The payload of a function tool (type function): the function the model calls, with its
	// name and parameters. Required for function, not allowed for other types.
	// +optional
	Function *FunctionToolSpec `json:"function,omitempty"`

	// The payload of a json_schema tool (type json_schema): the structured output format the model
	// follows. Required for json_schema, not allowed for other types.
	// +optional
	JSONSchema *JSONSchemaToolSpec `json:"jsonSchema,omitempty"`

	// The payload of an http tool (type http): the request it makes and its arguments. Required
	// for http, not allowed for other types.
	// +optional
	HTTP *HTTPToolSpec `json:"http,omitempty"`

	// The payload of a code tool (type code): Python code run in orq's sandbox, with its
	// parameters. Required for code, not allowed for other types.
	// +optional
	CodeTool *CodeToolSpec `json:"codeTool,omitempty"`

	// The fields that steer the operator; they are not sent to orq.
	Lifecycle `json:",inline"`
}

// FunctionToolSpec is a function the model can call with structured arguments.
type FunctionToolSpec struct {
	// The name of the function: letters, digits, '_' and '-', at most 64 characters.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=64
	// +kubebuilder:validation:Pattern=`^[A-Za-z0-9_-]+$`
	Name string `json:"name"`

	// What the function does, read by the model to choose when and how to call it.
	// +optional
	Description string `json:"description,omitempty"`

	// Whether the model must follow the parameters' schema exactly (a subset of JSON Schema;
	// OpenAI models only).
	// +optional
	Strict *bool `json:"strict,omitempty"`

	// The function's parameters, as a JSON Schema object: {type: object, properties: {...},
	// required: [...]}, with any other JSON Schema members (additionalProperties: false, as OpenAI's
	// strict mode wants, $defs). orq checks the schema, and refuses one it does not take
	// (APIRejected).
	// +optional
	// +kubebuilder:validation:Type=object
	// +kubebuilder:pruning:PreserveUnknownFields
	Parameters *apiextensionsv1.JSON `json:"parameters,omitempty"`
}

// JSONSchemaToolSpec is a structured output format the model must follow.
type JSONSchemaToolSpec struct {
	// The name of the format: letters, digits, '_' and '-', 1 to 64 characters.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=64
	Name string `json:"name"`

	// What the format is for, shown to the user.
	// +required
	Description string `json:"description"`

	// The JSON Schema of the output: an object with type, properties and required, other members
	// kept as written.
	// +required
	// +kubebuilder:validation:Type=object
	// +kubebuilder:pruning:PreserveUnknownFields
	Schema apiextensionsv1.JSON `json:"schema"`

	// Whether the model must follow the schema exactly (a subset of JSON Schema; OpenAI models
	// only).
	// +optional
	Strict *bool `json:"strict,omitempty"`
}

// HTTPToolSpec is an HTTP request the tool makes, from a blueprint whose placeholders the
// arguments fill.
type HTTPToolSpec struct {
	// The request: URL, method, headers, body and timeout.
	// +required
	Blueprint HTTPBlueprint `json:"blueprint"`

	// The arguments, by name: their values replace the placeholders of the blueprint's url,
	// headers and body.
	// +optional
	Arguments map[string]HTTPArgument `json:"arguments,omitempty"`
}

// HTTPBlueprint is the request of an http tool.
type HTTPBlueprint struct {
	// The URL to send the request to; may hold {{argument}} placeholders.
	// +required
	// +kubebuilder:validation:MinLength=1
	URL string `json:"url"`

	// The HTTP method: GET, POST, PUT or DELETE.
	// +required
	// +kubebuilder:validation:Enum=GET;POST;PUT;DELETE
	Method string `json:"method"`

	// The headers, by name: each a value written here, or one read from a Secret (valueFrom),
	// which is sent encrypted and never written to status, events, logs or an export. When unset,
	// orq sends Content-Type: application/json.
	// +optional
	Headers map[string]HTTPHeader `json:"headers,omitempty"`

	// The JSON body to send; may hold {{argument}} placeholders.
	// +optional
	// +kubebuilder:validation:Type=object
	// +kubebuilder:pruning:PreserveUnknownFields
	Body *apiextensionsv1.JSON `json:"body,omitempty"`

	// The request timeout in seconds, 1 to 600 (orq's default: 60). In an agent, tool runs are
	// also bound by the agent run's own tool timeout.
	// +optional
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=600
	Timeout *float64 `json:"timeout,omitempty"`
}

// HTTPHeader is the value of one header: written here, or read from a Secret.
// +kubebuilder:validation:XValidation:rule="has(self.value) != has(self.valueFrom)",message="set exactly one of value and valueFrom"
type HTTPHeader struct {
	// The header's value, as written. Do not put a secret here: use valueFrom.
	// +optional
	Value *string `json:"value,omitempty"`

	// Where the header's value comes from: a key of a Secret in the Tool's namespace. The value is
	// sent as {value, encrypted: true}, again whenever the Secret changes.
	// +optional
	ValueFrom *HeaderValueSource `json:"valueFrom,omitempty"`
}

// HeaderValueSource names the Secret a header's value is read from.
type HeaderValueSource struct {
	// A key of a Secret in the Tool's namespace.
	// +required
	SecretKeyRef SecretKeyReference `json:"secretKeyRef"`
}

// HTTPArgument is an argument of an http tool.
type HTTPArgument struct {
	// The argument's type: string, number or boolean.
	// +required
	// +kubebuilder:validation:Enum=string;number;boolean
	Type string `json:"type"`

	// What the argument is, read by the model.
	// +required
	Description string `json:"description"`

	// Whether the model fills the argument (true, the default); when false, the caller gives it,
	// or it stays empty.
	// +optional
	SendToModel *bool `json:"sendToModel,omitempty"`

	// The value used when none is given: a string, a number or a boolean.
	// +optional
	// +kubebuilder:pruning:PreserveUnknownFields
	DefaultValue *apiextensionsv1.JSON `json:"defaultValue,omitempty"`
}

// CodeToolSpec is code the tool runs in orq's sandbox.
type CodeToolSpec struct {
	// The language of the code: python.
	// +required
	// +kubebuilder:validation:Enum=python
	Language string `json:"language"`

	// The Python code to run.
	// +required
	// +kubebuilder:validation:MinLength=1
	Code string `json:"code"`

	// The code's parameters, as a JSON Schema object: {type: object, properties: {...},
	// required: [...]}, with any other JSON Schema members. orq checks the schema.
	// +optional
	// +kubebuilder:validation:Type=object
	// +kubebuilder:pruning:PreserveUnknownFields
	Parameters *apiextensionsv1.JSON `json:"parameters,omitempty"`
}

// ToolStatus is the observed state of a Tool.
type ToolStatus struct {
	ResourceStatus `json:",inline"`

	// The id of the orq.ai project holding the tool.
	// +optional
	ProjectID string `json:"projectId,omitempty"`
}

// Tool is a custom tool of an orq.ai workspace (function, json_schema, http or code), managed
// declaratively; Agents name it in spec.settings.tools[].toolRef.
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:shortName=orqtool,categories=orq
// +kubebuilder:printcolumn:name="Key",type=string,JSONPath=`.status.key`
// +kubebuilder:printcolumn:name="Type",type=string,JSONPath=`.spec.type`
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="Synced",type=string,JSONPath=`.status.conditions[?(@.type=="Synced")].status`,priority=1
// +kubebuilder:printcolumn:name="Suspended",type=string,JSONPath=`.spec.suspend`,priority=1
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
// +kubebuilder:validation:XValidation:rule="has(self.spec.key) || self.metadata.name.matches('^[A-Za-z]([A-Za-z0-9]*([_-][A-Za-z0-9]+)*)?$')",message="metadata.name is not a valid orq tool key (letters and digits, separated by single '_' or '-', starting with a letter, at most 64): set spec.key"
// +kubebuilder:validation:XValidation:rule="(has(self.spec.key) ? self.spec.key : self.metadata.name) == (has(oldSelf.spec.key) ? oldSelf.spec.key : oldSelf.metadata.name)",message="spec.key is immutable: create a new Tool for a new key"
type Tool struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// +required
	Spec ToolSpec `json:"spec"`

	// +optional
	// +kubebuilder:default={observedGeneration: 0}
	Status ToolStatus `json:"status,omitempty"`
}

// ToolList is a list of Tools.
// +kubebuilder:object:root=true
type ToolList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []Tool `json:"items"`
}

// RemoteKey is the key of the orq tool: spec.key, or metadata.name when it is empty.
func (t *Tool) RemoteKey() string {
	if t.Spec.Key != "" {
		return t.Spec.Key
	}
	return t.Name
}
