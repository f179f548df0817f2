// Package agentdiff turns an Agent spec into the orq API's request form, projects the API's
// retrieve answer back onto that form, and tells which top-level fields differ.
//
// The comparison understands how the API echoes an agent: the model comes back as an object that
// holds the fallback models, tools come back with action_type, generated ids and defaults, settings
// gain server defaults, variables are extracted from the instructions, and lists default to [].
// A correctly applied agent compares equal to its remote copy, so the operator makes no write in
// steady state.
package agentdiff

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strings"
	"unicode"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
)

// Object is a JSON object in the API's form: a request body, or an agent as the API returns it.
// It is an alias, not a new type: map[string]any, as orqclient.Body is, so bodies pass between
// the client and this package without conversion. agentdiff names it Object and nothing else.
type Object = map[string]any

// fieldRule says how one top-level field of the request is compared and reset.
type fieldRule struct {
	// reset is sent when the spec no longer sets the field but the remote agent still has it.
	// nil means the field cannot be reset through the API: absent from the spec, it is not managed.
	reset func() any
	// subset compares only the entries the spec sets (the server adds its own).
	subset bool
	// createOnly fields cannot be changed by a PATCH (the update request has no such field).
	createOnly bool
	// same compares the desired and the observed value where equality is not exact (nil: exact).
	same func(want, have any) bool
}

func emptyList() any { return []any{} }
func null() any      { return nil }

// fields are the top-level fields of the create request that the operator manages (key is the
// identity, not a compared field).
var fields = map[string]fieldRule{
	"display_name":    {}, // the API may name an agent itself: unmanaged when the spec has none
	"role":            {},
	"description":     {},
	"instructions":    {},
	"system_prompt":   {reset: null},
	"path":            {same: samePath},
	"model":           {},
	"fallback_models": {reset: emptyList},
	"settings":        {},
	"memory_stores":   {reset: emptyList},
	"knowledge_bases": {reset: emptyList},
	"team_of_agents":  {reset: emptyList},
	"skills":          {reset: emptyList},
	"variables":       {subset: true},
	"source":          {createOnly: true},
	"engine":          {reset: func() any { return defaultEngine }},
}

const defaultEngine = "text"

// operatorFields are spec fields that steer the operator and are not part of the agent.
var operatorFields = []string{"deletion_policy", "management_policy", "suspend", "adoption_policy", "version_increment",
	"version_description", "api_key_secret_ref", "allow_references_from", "instructions_from", "system_prompt_from",
	"memory_store_refs"}

// opaqueKeys hold free-form JSON whose keys are the user's, not the schema's: they are copied
// as they are when converting names. (An evaluator's options and a tool's configuration are
// read by the evaluator or tool, in the API's spelling; entity_thresholds is keyed by entity
// types such as EMAIL_ADDRESS.)
var opaqueKeys = map[string]bool{"variables": true, "configuration": true, "schema": true, "options": true,
	"entity_thresholds": true}

// Desired returns the request body that creates the agent of the spec: every field of the spec in
// the API's snake_case form, with the agent's key.
//
// A prompt given by a ConfigMap (instructionsFrom, systemPromptFrom) must have been resolved into
// the inline field first, with its source cleared: the request is refused otherwise, so that an
// unresolved prompt is never sent as empty. So must the references to objects of the cluster
// (toolRef, knowledgeBaseRef, memoryStoreRefs, agentRef), so that none is sent as missing.
func Desired(a *orqv1alpha1.Agent) (Object, error) {
	if a.Spec.InstructionsFrom != nil || a.Spec.SystemPromptFrom != nil {
		return nil, fmt.Errorf("the prompts from ConfigMaps are not resolved")
	}
	if unresolved(a) {
		return nil, fmt.Errorf("the references to other objects are not resolved")
	}
	raw, err := json.Marshal(a.Spec)
	if err != nil {
		return nil, fmt.Errorf("encoding spec: %w", err)
	}
	var spec Object
	if err := json.Unmarshal(raw, &spec); err != nil {
		return nil, fmt.Errorf("decoding spec: %w", err)
	}
	body := snakeKeys(spec).(Object)
	for _, f := range operatorFields {
		delete(body, f)
	}
	body["key"] = a.RemoteKey()
	// An agentRef member is sent with the key the caller resolved it to (and wrote into the
	// member's key); the reference itself is not part of the API.
	if team, ok := body["team_of_agents"].([]any); ok {
		for _, m := range team {
			if m, ok := m.(Object); ok {
				delete(m, "agent_ref")
			}
		}
	}
	forEachTool(body, fileSystemToRequest)
	forEachParameters(body, func(p Object) {
		// The API's tool_choice is a string for a mode, an object for a function.
		if tc, ok := p["tool_choice"].(Object); ok && tc["type"] != "function" {
			p["tool_choice"] = tc["type"]
		}
	})
	// The settings lists are always sent, so that emptying them in the spec empties them in orq
	// whether the API replaces or merges settings.
	settings, _ := body["settings"].(Object)
	if settings == nil {
		settings = Object{}
		body["settings"] = settings
	}
	for _, list := range []string{"tools", "evaluators", "guardrails"} {
		if _, ok := settings[list]; !ok {
			settings[list] = []any{}
		}
	}
	return body, nil
}

// unresolved tells whether the spec still names objects of the cluster instead of their keys or
// ids.
func unresolved(a *orqv1alpha1.Agent) bool {
	if len(a.Spec.MemoryStoreRefs) > 0 {
		return true
	}
	for _, t := range a.Spec.Settings.Tools {
		if t.ToolRef != nil {
			return true
		}
	}
	for _, kb := range a.Spec.KnowledgeBases {
		if kb.KnowledgeBaseRef != nil {
			return true
		}
	}
	for _, m := range a.Spec.TeamOfAgents {
		if m.AgentRef != nil && m.Key == "" { // a resolved member carries the key it names
			return true
		}
	}
	return false
}

// Observed projects a complete agent, as the API returns it, onto the request form: server-only
// fields are dropped, fallback models are taken out of the model, tools get back their type.
func Observed(remote Object) Object {
	out := Object{}
	for name := range fields {
		if v, ok := remote[name]; ok {
			out[name] = deepCopy(v)
		}
	}
	if model, ok := out["model"].(Object); ok {
		if fb, ok := model["fallback_models"]; ok && fb != nil {
			out["fallback_models"] = fb
		}
		delete(model, "fallback_models")
		delete(model, "integration_id")
	}
	forEachTool(out, func(tool Object) {
		if at, ok := tool["action_type"]; ok {
			tool["type"] = at
			delete(tool, "action_type")
		}
	})
	return out
}

// Diff returns, sorted, the top-level fields whose desired value differs from the observed one.
// Both sides are request-form objects (Desired and Observed). A field the spec does not set is
// compared with its reset value when it has one, and not managed otherwise.
func Diff(desired, observed Object) []string {
	want, have := Normalize(desired), Normalize(alignToolReferences(desired, observed))
	var changed []string
	for name, rule := range fields {
		if _, set := desired[name]; rule.createOnly || (!set && rule.reset == nil) {
			continue
		}
		if rule.subset {
			if !containsAll(have[name], want[name]) {
				changed = append(changed, name)
			}
			continue
		}
		same := func(a, b any) bool { return reflect.DeepEqual(a, b) }
		if rule.same != nil {
			same = rule.same
		}
		if !same(want[name], have[name]) {
			changed = append(changed, name)
		}
	}
	sort.Strings(changed)
	return changed
}

// Hash identifies a request body: equal bodies have equal hashes.
func Hash(body Object) string {
	raw, err := json.Marshal(body) // map keys are sorted: the encoding is canonical
	if err != nil {
		return ""
	}
	sum := sha256.Sum256(raw)
	return hex.EncodeToString(sum[:8])
}

// Patch returns the PATCH body that brings the listed fields to their desired values; a field the
// spec no longer sets is sent as its reset value.
func Patch(desired Object, changed []string) Object {
	body := Object{}
	// The API keeps the fallback models inside the model: a model sent alone could lose them.
	if slices.Contains(changed, "model") || slices.Contains(changed, "fallback_models") {
		changed = append(slices.Clone(changed), "model", "fallback_models")
	}
	for _, name := range changed {
		if v, ok := desired[name]; ok {
			body[name] = v
			continue
		}
		if rule, ok := fields[name]; ok && rule.reset != nil {
			body[name] = rule.reset()
		}
	}
	return body
}

// containsAll tells whether every entry of want is in have with an equal value (for objects), or
// whether both are equal (anything else). Nothing wanted is always contained.
func containsAll(have, want any) bool {
	if want == nil {
		return true
	}
	w, ok := want.(Object)
	if !ok {
		return reflect.DeepEqual(have, want)
	}
	h, _ := have.(Object)
	for k, v := range w {
		if !reflect.DeepEqual(h[k], v) {
			return false
		}
	}
	return true
}

// snakeKeys converts the keys of a decoded JSON value from lowerCamelCase to snake_case, except
// inside opaque values.
func snakeKeys(v any) any { return rekey(v, snake) }

// rekey copies a decoded JSON value with every object key renamed, except inside opaque values
// (recognised by their snake_case name), which are kept as they are.
func rekey(v any, rename func(string) string) any {
	switch t := v.(type) {
	case Object:
		out := make(Object, len(t))
		for k, val := range t {
			nk := rename(k)
			if opaqueKeys[snake(nk)] {
				out[nk] = val
				continue
			}
			out[nk] = rekey(val, rename)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, val := range t {
			out[i] = rekey(val, rename)
		}
		return out
	default:
		return v
	}
}

// snake converts lowerCamelCase to snake_case: maxExecutionTime → max_execution_time.
func snake(s string) string {
	var b strings.Builder
	for i, r := range s {
		if unicode.IsUpper(r) {
			if i > 0 {
				b.WriteByte('_')
			}
			b.WriteRune(unicode.ToLower(r))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// forEachParameters calls f with the parameters object of the model and of each fallback model.
func forEachParameters(body Object, f func(Object)) {
	visit := func(m any) {
		if mo, ok := m.(Object); ok {
			if p, ok := mo["parameters"].(Object); ok {
				f(p)
			}
		}
	}
	visit(body["model"])
	if fbs, ok := body["fallback_models"].([]any); ok {
		for _, fb := range fbs {
			visit(fb)
		}
	}
}

// deepCopy copies a decoded JSON value, opaque values included.
func deepCopy(v any) any {
	switch t := v.(type) {
	case Object:
		out := make(Object, len(t))
		for k, val := range t {
			out[k] = deepCopy(val)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, val := range t {
			out[i] = deepCopy(val)
		}
		return out
	default:
		return v
	}
}
