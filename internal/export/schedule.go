package export

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"sort"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/util/validation"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
	schedulekind "github.com/orq-ai/orq-operator/internal/kinds/agentschedule"
	"github.com/orq-ai/orq-operator/internal/orqclient"
)

// scheduleExporter exports the schedules of the exported agents, last: each names its Agent.
var scheduleExporter = exporter{kind: "AgentSchedule", one: "schedule", many: "schedules", list: listSchedules, export: exportSchedules}

// listSchedules lists the schedules of each exported agent (one unpaged list per agent). Each
// is tagged with the agent it was listed under, which orq also echoes as agent_key.
func listSchedules(ctx context.Context, l Lister, done *exported) ([]orqclient.Remote, error) {
	var out []orqclient.Remote
	for _, m := range done.manifests {
		if m.Kind() != "Agent" {
			continue
		}
		remotes, err := l.ListAll(ctx, schedulekind.Endpoint, m.Key)
		if err != nil {
			return nil, fmt.Errorf("of agent %s: %w", m.Key, err)
		}
		for _, r := range remotes {
			if r.Raw == nil {
				r.Raw = orqclient.Body{}
			}
			r.Raw["agent_key"] = m.Key
			out = append(out, r)
		}
	}
	return out, nil
}

// exportSchedules makes an AgentSchedule of each schedule: its agentRef the exported Agent, its
// scheduleId the schedule's id (schedules have no key: it adopts by id), its spec what orq echoes.
// A schedule the kind cannot hold (a legacy once or interval schedule) is left out.
func exportSchedules(remotes []orqclient.Remote, done *exported) ([]Manifest, error) {
	sort.SliceStable(remotes, func(i, j int) bool {
		a, b := remotes[i].Raw, remotes[j].Raw
		if a["agent_key"] != b["agent_key"] {
			return fmt.Sprint(a["agent_key"]) < fmt.Sprint(b["agent_key"])
		}
		if a["display_name"] != b["display_name"] {
			return fmt.Sprint(a["display_name"]) < fmt.Sprint(b["display_name"])
		}
		return remotes[i].ID < remotes[j].ID
	})
	names := newNamer("schedule")
	var out []Manifest
	for _, r := range remotes {
		agentKey, _ := r.Raw["agent_key"].(string)
		agent, ok := done.byKey("Agent", agentKey)
		if !ok {
			done.skip("schedule %s: its agent %s is not exported", r.ID, agentKey)
			continue
		}
		echo, err := decodeSchedule(r.Raw)
		if err != nil {
			done.skip("schedule %s of agent %s: %v", r.ID, agentKey, err)
			continue
		}
		name := names.name(agent.Object.GetName() + "-" + echo.DisplayName)
		s := scheduleSpec(echo, name)
		s.spec.AgentRef = orqv1alpha1.LocalAgentReference{Name: agent.Object.GetName()}
		s.spec.ScheduleID = r.ID
		o := &orqv1alpha1.AgentSchedule{TypeMeta: typeMeta("AgentSchedule"), ObjectMeta: done.meta(name), Spec: s.spec}
		out = append(out, Manifest{Object: o, ID: r.ID, Notes: s.notes(echo.DisplayName, done.opts.Namespace)})
	}
	return out, nil
}

// scheduleExport is the spec of a schedule, and the Secret its secret variables come from: its
// name, and its key for each such variable.
type scheduleExport struct {
	spec       orqv1alpha1.AgentScheduleSpec
	secret     string
	secretKeys map[string]string
}

// scheduleEcho is a schedule as orq echoes it, without the members only the server sets
// (serverOnly).
type scheduleEcho struct {
	Type        string `json:"type"`
	DisplayName string `json:"display_name"`
	Expression  string `json:"expression"`
	AgentTag    string `json:"agent_tag"`
	IsActive    *bool  `json:"is_active"`
	Payload     struct {
		Input          *apiextensionsv1.JSON      `json:"input"`
		Variables      map[string]json.RawMessage `json:"variables"`
		Metadata       map[string]string          `json:"metadata"`
		MemoryEntityID string                     `json:"memory_entity_id"`
	} `json:"payload"`
}

// serverOnly are the members of a schedule that only orq sets: ids, counters and stamps.
var serverOnly = []string{"_id", "agent_key", "generation", "trigger_count", "last_triggered_at", "created", "created_by_id", "updated", "updated_by_id"}

// decodeSchedule reads what a spec may hold of a schedule, refusing a member it cannot hold (a
// manifest without it would not make the request orq answered) and a schedule that is not cron
// (legacy once and interval schedules).
func decodeSchedule(raw orqclient.Body) (*scheduleEcho, error) {
	rest := maps.Clone(raw)
	for _, k := range serverOnly {
		delete(rest, k)
	}
	var echo scheduleEcho
	if err := decodeStrict(rest, &echo); err != nil {
		return nil, err
	}
	if echo.Type != "cron" {
		return nil, fmt.Errorf("of type %q: the AgentSchedule kind holds cron schedules only", echo.Type)
	}
	return &echo, nil
}

// scheduleSpec is the spec, for an object named name, whose request is what orq echoes for the
// schedule: displayName left out when it is the name, suspend from is_active, and each secret
// variable read from the Secret <name>-variables, never from what orq echoes. A schedule without
// a display name, or with a secret variable, only observes: applying it would send what orq does
// not show.
func scheduleSpec(echo *scheduleEcho, name string) *scheduleExport {
	out := &scheduleExport{secret: withSuffix(name, "-variables"), secretKeys: map[string]string{}}
	s := &out.spec
	s.Expression, s.AgentTag, s.Policies = echo.Expression, echo.AgentTag, adopt().Policies
	s.Suspend = echo.IsActive != nil && !*echo.IsActive
	if echo.DisplayName != name {
		s.DisplayName = echo.DisplayName
	}
	p := echo.Payload
	s.Payload = orqv1alpha1.SchedulePayload{Metadata: p.Metadata, MemoryEntityID: p.MemoryEntityID}
	if p.Input != nil && string(p.Input.Raw) != "null" {
		s.Payload.Input = p.Input
	}
	out.variables(p.Variables)
	if echo.DisplayName == "" || len(out.secretKeys) > 0 {
		s.ManagementPolicy = orqv1alpha1.ManagementPolicyObserve
	}
	return out
}

// variables sets the spec's plain variables, and a variablesFrom entry for each secret one: its
// value is never read.
func (s *scheduleExport) variables(echoed map[string]json.RawMessage) {
	taken := map[string]bool{}
	for _, name := range sortedKeys(echoed) {
		raw := echoed[name]
		var form struct {
			Secret bool `json:"secret"`
		}
		if json.Unmarshal(raw, &form) == nil && form.Secret {
			key := variableKey(name, taken)
			s.secretKeys[name] = key
			s.spec.Payload.VariablesFrom = append(s.spec.Payload.VariablesFrom, orqv1alpha1.ScheduleVariableSource{
				Name: name, SecretKeyRef: orqv1alpha1.SecretKeyReference{Name: s.secret, Key: key}})
			continue
		}
		if s.spec.Payload.Variables == nil {
			s.spec.Payload.Variables = map[string]apiextensionsv1.JSON{}
		}
		s.spec.Payload.Variables[name] = apiextensionsv1.JSON{Raw: raw}
	}
}

// variableKey is the Secret key of a variable: its name when a key can be that, else as a
// header's (see secretKey).
func variableKey(name string, taken map[string]bool) string {
	if len(validation.IsConfigMapKey(name)) == 0 && !taken[name] {
		taken[name] = true
		return name
	}
	return secretKey(name, taken)
}

// notes tell what to do before applying the schedule.
func (s *scheduleExport) notes(displayName, namespace string) []string {
	var out []string
	if displayName == "" {
		out = append(out, "managementPolicy Observe: orq holds no display name for this schedule; applied as managed, the operator sets it to the object's name. Remove managementPolicy to let it.")
	}
	if len(s.secretKeys) == 0 {
		return out
	}
	var keys string
	var names []string
	for _, variable := range sortedKeys(s.secretKeys) {
		k := s.secretKeys[variable]
		keys += fmt.Sprintf(" %s (variable %s)", k, variable)
		names = append(names, k)
	}
	return append(out,
		"Create Secret "+s.secret+" first: these variables are secret in orq, and their values are never exported; its keys:"+keys+".",
		"  "+createSecretCommand(s.secret, namespace, names...),
		"managementPolicy Observe: the operator cannot compare the Secret with orq's values. Remove it once the Secret holds them; the operator then sends them once.")
}
