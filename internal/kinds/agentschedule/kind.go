// Package agentschedule is the AgentSchedule kind's adapter to the managed core: a schedule that
// runs an agent on a cron cadence, created by POST /v3/agents/{agent_key}/schedules. A schedule
// lives under its agent (the parent: its workspace, its credentials, the key of its collection),
// has no key, and is known by its id.
package agentschedule

import (
	"context"
	"fmt"

	"k8s.io/apimachinery/pkg/api/meta"
	"sigs.k8s.io/controller-runtime/pkg/client"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
	"github.com/orq-ai/orq-operator/internal/kinds/wire"
	"github.com/orq-ai/orq-operator/internal/managed"
	"github.com/orq-ai/orq-operator/internal/orqclient"
)

// Endpoint is the collection of an agent's schedules: by id, without keys, listed whole.
var Endpoint = orqclient.Endpoint{Kind: "schedule", Path: "/v3/agents/{parent}/schedules", ByID: true, Keyless: true,
	Unpaged: true, ListMember: "schedules"}

// Kind is the AgentSchedule kind.
type Kind struct{}

var (
	_ managed.Kind      = Kind{}
	_ managed.Parented  = Kind{}
	_ managed.Reporter  = Kind{}
	_ managed.Creator   = Kind{}
	_ managed.IDAdopter = Kind{}
)

func (Kind) Name() string                 { return "AgentSchedule" }
func (Kind) New() managed.Object          { return &orqv1alpha1.AgentSchedule{} }
func (Kind) NewList() client.ObjectList   { return &orqv1alpha1.AgentScheduleList{} }
func (Kind) Endpoint() orqclient.Endpoint { return Endpoint }
func (Kind) Finalizer() string            { return orqv1alpha1.FinalizerAgentSchedule }
func (Kind) IDField() string              { return "spec.scheduleId" }
func (Kind) Items(l client.ObjectList) []managed.Object {
	return wire.Items(l.(*orqv1alpha1.AgentScheduleList).Items)
}

// Parent is the Agent whose agent the schedule runs.
func (Kind) Parent(o managed.Object) managed.Reference {
	s := o.(*orqv1alpha1.AgentSchedule)
	return managed.Reference{Kind: "Agent", Namespace: s.Namespace, Name: s.Spec.AgentRef.Name, Field: "spec.agentRef"}
}

// References lists the Agent (an Agent with schedules is deleted from orq only once they are) and
// the Secrets of the variables.
func (k Kind) References(o managed.Object) []managed.Reference {
	s := o.(*orqv1alpha1.AgentSchedule)
	out := []managed.Reference{k.Parent(o)}
	for i, v := range s.Spec.Payload.VariablesFrom {
		out = append(out, managed.Reference{Kind: "Secret", Namespace: s.Namespace, Name: v.SecretKeyRef.Name, Field: variableField(i)})
	}
	return out
}

// Desired is the schedule's request: the Agent's key as parent once the Agent is Ready, the
// payload with the variables from Secrets in orq's secret form, and is_active from spec.suspend.
func (k Kind) Desired(ctx context.Context, in *managed.Inputs, o managed.Object) (managed.Desired, error) {
	s := o.(*orqv1alpha1.AgentSchedule)
	agent, ok := in.Object(ctx, k.Parent(o))
	if ok && !meta.IsStatusConditionTrue(agent.Object.ManagedStatus().Conditions, orqv1alpha1.ConditionReady) && !in.Lenient() {
		in.Wait("waiting for Agent %s/%s: it is not Ready", s.Namespace, s.Spec.AgentRef.Name)
	}
	payload, err := payloadOf(ctx, in, s)
	if err != nil || in.Failed() {
		return managed.Desired{}, err
	}
	body := orqclient.Body{"type": "cron", "expression": s.Spec.Expression, "display_name": s.DisplayName(),
		"payload": payload, "is_active": !s.Spec.Suspend}
	if s.Spec.AgentTag != "" {
		body["agent_tag"] = s.Spec.AgentTag
	}
	return managed.Desired{Body: body, Parent: agent.Key}, nil
}

// payloadOf is the request's payload; a variable given twice is an invalid spec.
func payloadOf(ctx context.Context, in *managed.Inputs, s *orqv1alpha1.AgentSchedule) (orqclient.Body, error) {
	p := s.Spec.Payload
	payload := orqclient.Body{}
	if p.Input != nil {
		payload["input"] = p.Input
	}
	if len(p.Metadata) > 0 {
		payload["metadata"] = p.Metadata
	}
	if p.MemoryEntityID != "" {
		payload["memory_entity_id"] = p.MemoryEntityID
	}
	variables := orqclient.Body{}
	for name, v := range p.Variables {
		variables[name] = v
	}
	for i, v := range p.VariablesFrom {
		if _, dup := variables[v.Name]; dup {
			return nil, fmt.Errorf("spec.payload.variablesFrom[%d]: variable %q is also in spec.payload.variables: give it once", i, v.Name)
		}
		secret, ok := in.Secret(ctx, v.SecretKeyRef, variableField(i), func(value string) any {
			return orqclient.Body{"secret": true, "value": value}
		})
		if ok {
			variables[v.Name] = secret
		}
	}
	if len(variables) > 0 {
		payload["variables"] = variables
	}
	return payload, nil
}

// CreateBody leaves is_active out: a schedule is created active (the create takes no is_active),
// and a suspended one is deactivated by the update that follows.
func (Kind) CreateBody(desired orqclient.Body) orqclient.Body {
	out := orqclient.Body{}
	for k, v := range desired {
		if k != "is_active" {
			out[k] = v
		}
	}
	return out
}

// Compare lists the fields in which a remote schedule differs. A variable in orq's secret form is
// compared by its name and form, never its value (orq need not echo it; a change of its Secret is
// sent by the core). An unpinned spec (no agentTag) leaves a pin made in the studio as it is: the
// update cannot unset agent_tag.
func (Kind) Compare(desired orqclient.Body, remote *orqclient.Remote) []string {
	fields := []string{"type", "expression", "display_name", "payload", "agent_tag", "is_active"}
	return wire.Changed(desired, remote.Raw, fields, map[string]func(want, have any) bool{
		"payload": func(want, have any) bool { return wire.Same(withoutSecrets(want), withoutSecrets(have)) },
	})
}

// withoutSecrets is a payload whose secret variables keep their form, not their value.
func withoutSecrets(v any) any {
	payload, ok := wire.Plain(v).(map[string]any)
	if !ok {
		return v
	}
	if vars, ok := payload["variables"].(map[string]any); ok {
		for _, val := range vars {
			if obj, ok := val.(map[string]any); ok && obj["secret"] == true {
				delete(obj, "value")
			}
		}
	}
	return payload
}

// Patch sends the changed fields.
func (Kind) Patch(_ managed.Object, desired managed.Desired, changed []string) orqclient.Body {
	return wire.Only(desired.Body, changed)
}

// Report records the schedule as orq reports it: its agent, generation, activity and firings.
func (Kind) Report(o managed.Object, remote *orqclient.Remote, _ bool) {
	st := &o.(*orqv1alpha1.AgentSchedule).Status
	raw := remote.Raw
	st.AgentKey, _ = raw["agent_key"].(string)
	st.Generation = integer(raw["generation"])
	st.TriggerCount = integer(raw["trigger_count"])
	st.LastTriggeredAt, _ = raw["last_triggered_at"].(string)
	if active, ok := raw["is_active"].(bool); ok {
		st.IsActive = &active
	}
}

// integer reads a JSON number.
func integer(v any) int64 {
	switch n := v.(type) {
	case float64:
		return int64(n)
	case int64:
		return n
	}
	return 0
}

func variableField(i int) string {
	return fmt.Sprintf("spec.payload.variablesFrom[%d].secretKeyRef", i)
}
