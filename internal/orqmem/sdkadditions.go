package orqmem

import "encoding/json"

// This file holds what orq added to the Agents API after the OpenAPI
// document that Options.Schema usually holds. The source of each rule is the
// official TypeScript SDK, @orq-ai/node 4.15.11, generated from orq's newer
// OpenAPI (models/components/filesystemtoolinput.ts and
// models/operations/{createagentrequest,updateagent,retrieveagentrequest}.ts):
//
//   - a file_system tool in the settings.tools union: requires_approval, and
//     a required configuration with file_system_id, file_system_key and
//     access_mode, read_only (the SDK's default, which orqmem echoes when
//     absent) or read_write. The SDK marks the id and the key optional;
//     orqmem wants at least one (issue #14), as the tool must name a file
//     system;
//   - reasoning_effort gains "max" (model and fallback model parameters);
//   - settings.evaluators[] and settings.guardrails[] gain options, an open
//     object (z.record(z.any())). The SDK's agent types give the
//     model-parameter guardrails no options (its outbound schema drops
//     one); issue #14 says they gain it too, so orqmem accepts an object
//     there, by analogy with settings, and echoes it with the parameters.
//     The document leaves those objects open, so it needs no stripping.
//
// orqmem's own rules check these; the document's schema checks the rest of
// the body (withoutAdditions).

// fileSystemToolType is the type of the file_system tool.
const fileSystemToolType = "file_system"

// defaultAccessMode is the access_mode of a file_system tool sent without one.
const defaultAccessMode = "read_only"

// reasoningEfforts are the values of reasoning_effort, "max" being new.
var reasoningEfforts = []string{"none", "minimal", "low", "medium", "high", "xhigh", "max"}

// fileSystemToolRule validates a file_system tool.
func fileSystemToolRule(p fieldPath, v any) error {
	return object(props{
		"requires_approval": boolean,
		"configuration":     fileSystemConfigRule,
	}, "configuration")(p, v)
}

// fileSystemConfigRule validates a file_system tool's configuration: it
// names the file system by id or key.
func fileSystemConfigRule(p fieldPath, v any) error {
	err := object(props{
		"file_system_id":  str,
		"file_system_key": str,
		"access_mode":     enum(defaultAccessMode, "read_write"),
	})(p, v)
	if err != nil {
		return err
	}
	m := v.(map[string]any)
	if m["file_system_id"] == nil && m["file_system_key"] == nil {
		return p.fail("needs file_system_id or file_system_key")
	}
	return nil
}

// fileSystemConfig renders a file_system configuration with its default.
func fileSystemConfig(in any) map[string]any {
	out := copyMap(in.(map[string]any))
	if _, ok := out["access_mode"]; !ok {
		out["access_mode"] = defaultAccessMode
	}
	return out
}

// withoutAdditions validates bodies with a RequestValidator that predates
// the additions, after removing them.
type withoutAdditions struct{ next RequestValidator }

// ValidateCreateRequest implements RequestValidator.
func (w withoutAdditions) ValidateCreateRequest(body []byte) error {
	return w.next.ValidateCreateRequest(StripSDKAdditions(body))
}

// ValidateUpdateRequest implements RequestValidator.
func (w withoutAdditions) ValidateUpdateRequest(body []byte) error {
	return w.next.ValidateUpdateRequest(StripSDKAdditions(body))
}

// StripSDKAdditions returns body (a create or update request, an agent or a
// list of agents) without the additions listed above, so that the older
// OpenAPI document can judge the rest: file_system tools are dropped,
// evaluator and guardrail options removed, reasoning_effort "max" removed.
// Bodies that are not JSON objects are returned unchanged.
func StripSDKAdditions(body []byte) []byte {
	doc, err := decodeObject(body)
	if err != nil {
		return body
	}
	if items, ok := doc["data"].([]any); ok {
		for _, it := range items {
			if agent, ok := it.(map[string]any); ok {
				stripAgent(agent)
			}
		}
	} else {
		stripAgent(doc)
	}
	out, err := json.Marshal(doc)
	if err != nil {
		return body
	}
	return out
}

// stripAgent removes the additions from one agent or request, in place.
func stripAgent(doc map[string]any) {
	if settings, ok := doc["settings"].(map[string]any); ok {
		stripSettings(settings)
	}
	fallbacks, _ := doc["fallback_models"].([]any)
	if model, ok := doc["model"].(map[string]any); ok {
		stripParameters(model)
		inModel, _ := model["fallback_models"].([]any)
		fallbacks = append(fallbacks, inModel...)
	}
	for _, fb := range fallbacks {
		if m, ok := fb.(map[string]any); ok {
			stripParameters(m)
		}
	}
}

// stripSettings drops file_system tools and evaluator/guardrail options.
func stripSettings(settings map[string]any) {
	if tools, ok := settings["tools"].([]any); ok {
		kept := []any{}
		for _, t := range tools {
			m, _ := t.(map[string]any)
			if m["type"] != fileSystemToolType && m["action_type"] != fileSystemToolType {
				kept = append(kept, t)
			}
		}
		settings["tools"] = kept
	}
	for _, f := range []string{"evaluators", "guardrails"} {
		items, _ := settings[f].([]any)
		for _, it := range items {
			if m, ok := it.(map[string]any); ok {
				delete(m, "options")
			}
		}
	}
}

// stripParameters removes reasoning_effort "max" from a model object.
func stripParameters(model map[string]any) {
	if params, ok := model["parameters"].(map[string]any); ok && params["reasoning_effort"] == "max" {
		delete(params, "reasoning_effort")
	}
}
