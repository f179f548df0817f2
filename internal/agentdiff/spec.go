package agentdiff

import (
	"encoding/json"
	"fmt"
	"strings"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
)

// SpecFromRemote returns the spec of an agent as the API returns it: server-only fields and the
// API's defaults are left out, so the spec says only what differs from a default agent. Applied
// as it is, the spec compares equal to the remote agent.
func SpecFromRemote(remote Object) (orqv1alpha1.AgentSpec, error) {
	o := Normalize(Observed(remote))
	// The API lists every {{variable}} of the instructions with an empty value: those are its
	// own, not the spec's.
	if vars, ok := o["variables"].(Object); ok {
		for k, v := range vars {
			if v == "" {
				delete(vars, k)
			}
		}
		if len(vars) == 0 {
			delete(o, "variables")
		}
	}
	forEachTool(o, fileSystemToSpec)
	forEachParameters(o, func(p Object) {
		// The spec's toolChoice is always an object: {type: auto} for the API's "auto".
		if s, ok := p["tool_choice"].(string); ok {
			p["tool_choice"] = Object{"type": s}
		}
	})
	raw, err := json.Marshal(camelKeys(o))
	if err != nil {
		return orqv1alpha1.AgentSpec{}, err
	}
	var spec orqv1alpha1.AgentSpec
	if err := json.Unmarshal(raw, &spec); err != nil {
		return orqv1alpha1.AgentSpec{}, fmt.Errorf("agent %v: %w", remote["key"], err)
	}
	spec.Key, _ = remote["key"].(string)
	return spec, nil
}

// camelKeys converts the keys of a decoded JSON value from snake_case to lowerCamelCase, except
// inside opaque values: the inverse of snakeKeys.
func camelKeys(v any) any { return rekey(v, camel) }

// camel converts snake_case to lowerCamelCase: max_execution_time → maxExecutionTime.
func camel(s string) string {
	parts := strings.Split(s, "_")
	for i := 1; i < len(parts); i++ {
		if parts[i] != "" {
			parts[i] = strings.ToUpper(parts[i][:1]) + parts[i][1:]
		}
	}
	return strings.Join(parts, "")
}
