package v1alpha1

import (
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// The spec mirrors the request body of orq's "create agent schedule" (POST
// /v3/agents/{agent_key}/schedules), field by field in lowerCamelCase. It differs where a
// Kubernetes object must: the agent is an agentRef (the schedule lives under that agent's key,
// in its workspace, reached with its credentials), type is always cron, and variables whose values
// must stay secret come from Secrets (payload.variablesFrom).

// A transition rule on an optional field runs only when both versions hold it, so the rule on
// scheduleId is the spec's: it can be neither set, changed nor removed once the object exists.

// AgentScheduleSpec is the desired state of a schedule of an orq.ai agent.
// +kubebuilder:validation:XValidation:rule="has(self.scheduleId) == has(oldSelf.scheduleId) && (!has(self.scheduleId) || self.scheduleId == oldSelf.scheduleId)",message="spec.scheduleId cannot change: it can be neither set nor removed once the AgentSchedule exists"
type AgentScheduleSpec struct {
	// The Agent, in this namespace, whose agent the schedule runs. The schedule is created once
	// that Agent is Ready, in its workspace, and cannot move to another Agent.
	// +required
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="spec.agentRef cannot change: a schedule lives under its agent; create a new AgentSchedule"
	AgentRef LocalAgentReference `json:"agentRef"`

	// The name shown in the orq studio; metadata.name when unset.
	// +optional
	// +kubebuilder:validation:MaxLength=255
	DisplayName string `json:"displayName,omitempty"`

	// When the agent runs, in UTC: a 6-field cron expression (seconds, minutes, hour,
	// day-of-month, month, weekday) firing at most once an hour. orq accepts exactly these
	// shapes: seconds and minutes 0, day-of-month and month *, hour * or a single value 0-23,
	// weekday * or a single value 0-6; no ranges, lists, steps or names. Hourly is
	// "0 0 * * * *", daily at 09:00 "0 0 9 * * *", weekly on Mondays at 09:00 "0 0 9 * * 1".
	// +required
	// +kubebuilder:validation:XValidation:rule="self.matches('^0 0 (\\\\*|1?[0-9]|2[0-3]) \\\\* \\\\* (\\\\*|[0-6])$')",message="expression must be a 6-field cron expression orq accepts (in UTC): seconds and minutes 0, day-of-month and month *, hour * or a single value 0-23, weekday * or a single value 0-6, no ranges, lists, steps or names: hourly '0 0 * * * *', daily '0 0 9 * * *', weekly '0 0 9 * * 1'"
	Expression string `json:"expression"`

	// What each run is given.
	// +optional
	Payload SchedulePayload `json:"payload,omitempty"`

	// Pins the schedule to one published version of the agent (its semantic version, as the
	// Agent's status.version and status.releases show it): the schedule keeps running that
	// version until this changes. Unset: the agent's current version at each run.
	// +optional
	// +kubebuilder:validation:MinLength=1
	AgentTag string `json:"agentTag,omitempty"`

	// The id of a schedule already in orq, under the agent, that this object adopts
	// (adoptionPolicy Adopt); set when the AgentSchedule is made, it cannot be added or removed
	// later. Schedules have no key: without an id, or once orq no longer has the schedule it
	// names, an AgentSchedule creates its own schedule.
	// +optional
	// +kubebuilder:validation:MinLength=1
	ScheduleID string `json:"scheduleId,omitempty"`

	// true deactivates the schedule in orq (is_active false) and false activates it again; nothing
	// else is touched. Unlike other kinds, a suspended schedule is still synced: only its
	// activity changes.
	// +optional
	Suspend bool `json:"suspend,omitempty"`

	// The fields that steer the operator; they are not sent to orq. A schedule's workspace and
	// credentials are those of its Agent.
	Policies `json:",inline"`
}

// LocalAgentReference names an Agent of the referrer's namespace.
type LocalAgentReference struct {
	// The metadata.name of an Agent in the referrer's namespace.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	Name string `json:"name"`
}

// SchedulePayload is what each run of a schedule is given.
type SchedulePayload struct {
	// The input of each run: a string, or a list of input items, as the Responses API takes it.
	// +optional
	// +kubebuilder:pruning:PreserveUnknownFields
	Input *apiextensionsv1.JSON `json:"input,omitempty"`

	// Template variables substituted into the agent's instructions, by name, with plain values
	// as the API takes them ({region: EMEA}). Values that must stay secret go in variablesFrom.
	// +optional
	Variables map[string]apiextensionsv1.JSON `json:"variables,omitempty"`

	// Template variables whose values come from Secrets in this namespace: each is sent in orq's
	// secret form ({"secret": true, "value": ...}), again whenever its Secret changes, and never
	// written to status, events, logs or an export.
	// +optional
	// +listType=map
	// +listMapKey=name
	// +kubebuilder:validation:MaxItems=64
	VariablesFrom []ScheduleVariableSource `json:"variablesFrom,omitempty"`

	// String key/value pairs attached to every response a run generates.
	// +optional
	Metadata map[string]string `json:"metadata,omitempty"`

	// A memory store entity id attached to each run.
	// +optional
	// +kubebuilder:validation:MinLength=1
	MemoryEntityID string `json:"memoryEntityId,omitempty"`
}

// ScheduleVariableSource is a template variable whose value comes from a Secret.
type ScheduleVariableSource struct {
	// The variable's name; a name also given in variables is refused (InvalidSpec).
	// +required
	// +kubebuilder:validation:MinLength=1
	Name string `json:"name"`

	// A key of a Secret in the AgentSchedule's namespace.
	// +required
	SecretKeyRef SecretKeyReference `json:"secretKeyRef"`
}

// AgentScheduleStatus is the observed state of an AgentSchedule.
type AgentScheduleStatus struct {
	ResourceStatus `json:",inline"`

	// The key of the agent the schedule lives under.
	// +optional
	AgentKey string `json:"agentKey,omitempty"`

	// orq's generation of the schedule: it grows when the expression or type changes, or when
	// the schedule is activated again.
	// +optional
	Generation int64 `json:"generation,omitempty"`

	// Whether the schedule fires, as orq reports it.
	// +optional
	IsActive *bool `json:"isActive,omitempty"`

	// How many times the schedule fired, as orq reports it.
	// +optional
	TriggerCount int64 `json:"triggerCount,omitempty"`

	// When the schedule last fired, as orq reports it.
	// +optional
	LastTriggeredAt string `json:"lastTriggeredAt,omitempty"`
}

// AgentSchedule runs an orq.ai agent on a cron cadence, optionally pinned to one of its published
// versions, managed declaratively.
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:shortName=orqschedule,categories=orq
// +kubebuilder:printcolumn:name="Agent",type=string,JSONPath=`.spec.agentRef.name`
// +kubebuilder:printcolumn:name="Expression",type=string,JSONPath=`.spec.expression`
// +kubebuilder:printcolumn:name="Tag",type=string,JSONPath=`.spec.agentTag`
// +kubebuilder:printcolumn:name="Active",type=boolean,JSONPath=`.status.isActive`
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="Synced",type=string,JSONPath=`.status.conditions[?(@.type=="Synced")].status`,priority=1
// +kubebuilder:printcolumn:name="Runs",type=integer,JSONPath=`.status.triggerCount`,priority=1
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
type AgentSchedule struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// +required
	Spec AgentScheduleSpec `json:"spec"`

	// +optional
	// +kubebuilder:default={observedGeneration: 0}
	Status AgentScheduleStatus `json:"status,omitempty"`
}

// AgentScheduleList is a list of AgentSchedules.
// +kubebuilder:object:root=true
type AgentScheduleList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []AgentSchedule `json:"items"`
}

// RemoteKey is the id of the schedule to adopt (spec.scheduleId), if any: schedules have no key.
func (s *AgentSchedule) RemoteKey() string { return s.Spec.ScheduleID }

// DisplayName is the schedule's name in orq: spec.displayName, or metadata.name.
func (s *AgentSchedule) DisplayName() string {
	if s.Spec.DisplayName != "" {
		return s.Spec.DisplayName
	}
	return s.Name
}
