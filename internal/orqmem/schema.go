package orqmem

import (
	"bytes"
	"encoding/json"
	"regexp"
)

// This file encodes the request schemas of the orq.ai Agents API (create and
// update) with the rules of rules.go.

// keyPattern is the agent key pattern of the API.
var keyPattern = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9]*([._-][A-Za-z0-9]+)*$`)

// providerToolType matches provider tool types such as "openai:web_search".
var providerToolType = regexp.MustCompile(`^[a-z][a-z0-9_-]*:.+$`)

// builtinToolTypes are the tool types that need no further reference.
var builtinToolTypes = []string{
	"google_search", "web_scraper", "call_sub_agent", "retrieve_agents",
	"query_memory_store", "write_memory_store", "retrieve_memory_stores",
	"delete_memory_document", "retrieve_knowledge_bases", "query_knowledge_base",
	"current_date", "advisor", "sidekick", "code_interpreter",
}

// piiEntities are the PII entities accepted by the automatic and English
// redaction plugins.
var piiEntities = []string{
	"AGE", "API_KEY", "BANK_ROUTING", "BIC", "BIOMETRIC_ID", "BLOOD_TYPE", "BSN",
	"CREDIT_CARD", "CRYPTO", "DATE_TIME", "DEVICE_ID", "EDUCATION_LEVEL",
	"EMAIL_ADDRESS", "EMPLOYMENT_STATUS", "GENDER", "HEALTH_PLAN_ID", "HTTP_COOKIE",
	"IBAN_CODE", "ID", "ID_CARD", "IMEI", "IP_ADDRESS", "JOBTITLE", "JWT",
	"KVK_NUMBER", "LANGUAGE", "LICENSE_NUMBER", "LICENSE_PLATE", "LOCATION",
	"MAC_ADDRESS", "MEDICAL_LICENSE", "MEDICAL_RECORD", "NRP", "ORGANIZATION",
	"PASSPORT", "PASSWORD", "PERSON", "PHONE_NUMBER", "PIN", "POLITICAL_VIEW",
	"RACE_ETHNICITY", "RELIGIOUS_BELIEF", "SEXUALITY", "TAX_ID", "TITLE", "UK_NHS",
	"URL", "US_BANK_NUMBER", "US_DRIVER_LICENSE", "US_ITIN", "US_PASSPORT",
	"US_SSN", "UUID", "VEHICLE_ID",
}

// piiEntitiesNotDutch are the entities the Dutch detector does not support.
var piiEntitiesNotDutch = map[string]bool{
	"JOBTITLE": true, "JWT": true, "MEDICAL_LICENSE": true, "UK_NHS": true,
	"US_BANK_NUMBER": true, "US_ITIN": true, "US_PASSPORT": true, "UUID": true,
}

// dutchPIIEntities returns piiEntities minus piiEntitiesNotDutch.
func dutchPIIEntities() []string {
	var out []string
	for _, e := range piiEntities {
		if !piiEntitiesNotDutch[e] {
			out = append(out, e)
		}
	}
	return out
}

var (
	// createRule validates POST /v2/agents bodies.
	createRule rule
	// updateRule validates PATCH /v2/agents/{key} bodies.
	updateRule rule
)

func init() {
	// Built in init because the model rules refer to each other.
	createRule = object(agentProps(true),
		"key", "role", "description", "instructions", "path", "model", "settings")
	updateRule = object(agentProps(false))
}

// agentProps returns the top-level properties of the create (create=true) or
// update request schema.
func agentProps(create bool) props {
	p := props{
		"role":            nonEmptyStr,
		"description":     nonEmptyStr,
		"instructions":    str,
		"system_prompt":   nullable(nonEmptyStr),
		"path":            str,
		"model":           modelRule(),
		"fallback_models": arrayOf(modelRule()),
		"settings":        settingsRule(),
		"memory_stores":   arrayOf(str),
		"knowledge_bases": arrayOf(object(props{"knowledge_id": str}, "knowledge_id")),
		"team_of_agents":  arrayOf(object(props{"key": str, "role": str}, "key")),
		"skills":          nullable(arrayOf(str)),
		"variables":       freeObject,
		"engine":          enum("text", "jinja", "mustache"),
	}
	if create {
		p["key"] = strSpec{minLen: 1, maxLen: 255, pattern: keyPattern}.rule()
		p["display_name"] = strSpec{maxLen: 255}.rule()
		p["source"] = enum("internal", "external", "experiment")
		return p
	}
	p["key"] = strSpec{pattern: keyPattern}.rule()
	p["display_name"] = str
	p["project_id"] = str
	p["versionIncrement"] = enum("major", "minor", "patch")
	p["versionDescription"] = strSpec{maxLen: 300}.rule()
	return p
}

// modelRule accepts a model id or a model configuration object.
func modelRule() rule {
	return stringOrObject(object(props{
		"id":         str,
		"parameters": modelParametersRule(),
		"retry": object(props{
			"count":    bounds{min: lim(1), max: lim(5)}.rule(),
			"on_codes": arraySpec{item: bounds{min: lim(100), max: lim(599)}.rule(), minItems: 1}.rule(),
		}),
	}, "id"))
}

// modelParametersRule validates model.parameters.
func modelParametersRule() rule {
	nullableNumber := nullable(number)
	return object(props{
		"name":                  str,
		"frequency_penalty":     nullableNumber,
		"presence_penalty":      nullableNumber,
		"max_tokens":            nullable(integer),
		"max_completion_tokens": nullable(bounds{min: lim(0), exclusiveMin: true, integer: true}.rule()),
		"response_format":       responseFormatRule(),
		"reasoning_effort":      enum(reasoningEfforts...),
		"verbosity":             str,
		"seed":                  nullableNumber,
		"stop":                  nullable(stopRule),
		"thinking":              thinkingRule(),
		"temperature":           nullable(bounds{min: lim(0), max: lim(2)}.rule()),
		"top_p":                 nullable(bounds{min: lim(0), max: lim(1)}.rule()),
		"top_k":                 nullableNumber,
		"tool_choice":           toolChoiceRule,
		"parallel_tool_calls":   boolean,
		"modalities":            nullable(arrayOf(enum("text", "audio"))),
		"guardrails": arrayOf(object(props{
			"id":         str,
			"execute_on": enum("input", "output"),
			"options":    freeObject, // see sdkadditions.go
		}, "id", "execute_on")),
		"plugins":   arrayOf(pluginRule),
		"fallbacks": arrayOf(object(props{"model": str}, "model")),
		"cache": object(props{
			"ttl":  bounds{min: lim(1), max: lim(259200)}.rule(),
			"type": enum("exact_match"),
		}, "type"),
		"load_balancer": discriminated("type", map[string]rule{
			"weight_based": object(props{
				"models": arrayOf(object(props{
					"model":  str,
					"weight": bounds{min: lim(0.001), max: lim(1)}.rule(),
				}, "model")),
			}, "models"),
		}),
		"timeout": object(props{"call_timeout": bounds{min: lim(1)}.rule()}, "call_timeout"),
		"cache_control": object(props{
			"type": enum("ephemeral"),
			"ttl":  enum("5m", "1h"),
		}, "type"),
		"prompt_cache_key": str,
	})
}

// responseFormatRule validates model.parameters.response_format.
func responseFormatRule() rule {
	return discriminated("type", map[string]rule{
		"text":        freeObject,
		"json_object": freeObject,
		"json_schema": object(props{
			"json_schema": object(props{
				"description": str,
				"name":        str,
				"schema":      anyValue,
				"strict":      boolean,
			}, "name"),
		}, "json_schema"),
	})
}

// thinkingRule validates model.parameters.thinking.
func thinkingRule() rule {
	return discriminated("type", map[string]rule{
		"disabled": freeObject,
		"adaptive": freeObject,
		"enabled": object(props{
			"budget_tokens":  number,
			"thinking_level": enum("minimal", "low", "medium", "high"),
		}, "budget_tokens"),
	})
}

// stopRule accepts a stop sequence or up to four of them.
func stopRule(p fieldPath, v any) error {
	if _, ok := v.(string); ok {
		return nil
	}
	if _, ok := v.([]any); ok {
		return arraySpec{item: str, maxItems: 4}.rule()(p, v)
	}
	return p.fail("must be a string, an array of strings or null")
}

// toolChoiceRule accepts "none", "auto", "required" or a function choice.
func toolChoiceRule(p fieldPath, v any) error {
	switch v.(type) {
	case string:
		return enum("none", "auto", "required")(p, v)
	case map[string]any:
		return object(props{
			"type":     enum("function"),
			"function": object(props{"name": str}, "name"),
		}, "function")(p, v)
	}
	return p.fail(msgStringObject)
}

// pluginRule validates one model.parameters.plugins item.
func pluginRule(p fieldPath, v any) error {
	return discriminated("id", map[string]rule{
		"pii_redaction":    piiRedactionRule,
		"response_healing": closedObject(props{"id": nil}),
		"trace_scrubbing": closedObject(props{
			"id": nil,
			"mask": arraySpec{
				item:     enum("all", "system", "input", "output", "metadata", "variables"),
				minItems: 1,
			}.rule(),
		}, "mask"),
	})(p, v)
}

// piiRedactionRule validates a pii_redaction plugin: without a language the
// object is closed; with a language the entity list depends on it.
func piiRedactionRule(p fieldPath, v any) error {
	m := v.(map[string]any) // discriminated checked the type
	common := props{
		"id":         nil,
		"on_failure": enum("block", "passthrough"),
		"threshold":  bounds{min: lim(0), max: lim(1)}.rule(),
		"entities":   arrayOf(enum(piiEntities...)),
	}
	lang, hasLang := m["language"]
	if !hasLang {
		return closedObject(common)(p, v)
	}
	if err := enum("en", "nl")(p.field("language"), lang); err != nil {
		return err
	}
	common["language"] = nil
	if lang == "nl" {
		common["entities"] = arrayOf(enum(dutchPIIEntities()...))
	}
	return object(common)(p, v)
}

// settingsRule validates the settings object.
func settingsRule() rule {
	evaluator := object(props{
		"id":          str,
		"sample_rate": bounds{min: lim(1), max: lim(100)}.rule(),
		"execute_on":  enum("input", "output"),
		"options":     freeObject, // see sdkadditions.go
	}, "id", "execute_on")
	return object(props{
		"max_iterations":         bounds{min: lim(1), max: lim(100), integer: true}.rule(),
		"max_execution_time":     bounds{min: lim(2), max: lim(600), integer: true}.rule(),
		"max_cost":               bounds{min: lim(0)}.rule(),
		"tool_approval_required": enum("all", "respect_tool", "none"),
		"chat_exposed":           boolean,
		"tools":                  arrayOf(toolRule),
		"evaluators":             arrayOf(evaluator),
		"guardrails":             arrayOf(evaluator),
	})
}

// toolRule validates one settings.tools item against the 20 tool variants
// of the OpenAPI document and the SDK's file_system tool.
// The variant is chosen by "type"; a tool without a type may be any of the
// http, code, function, json_schema or mcp variants, of which function is the
// most permissive.
func toolRule(p fieldPath, v any) error {
	m, ok := v.(map[string]any)
	if !ok {
		return p.fail(msgObject)
	}
	raw, hasType := m["type"]
	if !hasType {
		return referenceToolRule(nil)(p, v)
	}
	typ, ok := raw.(string)
	if !ok {
		return p.field("type").fail(msgString)
	}
	switch {
	case isBuiltinTool(typ):
		return object(props{"requires_approval": boolean, "configuration": freeObject})(p, v)
	case typ == "http":
		return referenceToolRule(props{"timeout": bounds{min: lim(1), max: lim(600)}.rule()})(p, v)
	case typ == "code":
		return referenceToolRule(props{"timeout": bounds{min: lim(1), max: lim(120)}.rule()})(p, v)
	case typ == "function", typ == "json_schema":
		return referenceToolRule(nil)(p, v)
	case typ == fileSystemToolType:
		return fileSystemToolRule(p, v)
	case typ == "mcp":
		return referenceToolRule(props{"tool_id": str}, "tool_id")(p, v)
	case providerToolType.MatchString(typ):
		return providerToolRule(props{
			"timeout":       bounds{min: lim(1), max: lim(600)}.rule(),
			"configuration": freeObject,
		})(p, v)
	}
	return p.field("type").fail("unknown tool type %q (want a built-in tool, file_system, http, code, function, json_schema, mcp or provider:tool)", typ)
}

// toolIDPattern is the pattern of settings.tools[].id in the retrieve
// response of the OpenAPI document: tool ids are ULIDs.
var toolIDPattern = regexp.MustCompile(`^[0-9A-HJKMNP-TV-Z]{26}$`)

// ulidPattern is a ULID in Crockford base32.
var ulidPattern = toolIDPattern

// toolIDRule accepts ULIDs. orqmem's own rule: the create/update schemas
// leave the id of a pre-created tool an open string, but orq echoes the id
// of the tool it names and the retrieve schema requires a ULID, so any other
// id names no tool and orq cannot accept it. A tool of /v2/tools is named by
// the ULID of its _id, which begins with "tool_" (see tools.go).
func toolIDRule(p fieldPath, v any) error {
	if s, ok := v.(string); !ok || !toolIDPattern.MatchString(s) {
		return p.fail(`must be a ULID (the id of a pre-created tool; for a tool of /v2/tools, its _id without "tool_")`)
	}
	return nil
}

// referenceToolRule validates tools that reference a pre-created tool by key
// or id, with extra properties and required names. The document's schemas
// leave key and id optional but its descriptions say these tools must name
// their pre-created tool by one of them; orqmem enforces that.
func referenceToolRule(extra props, required ...string) rule {
	return namedTool(providerToolRule(extra, required...))
}

// providerToolRule is referenceToolRule without the need for a key or id:
// provider tools are passed through to the provider.
func providerToolRule(extra props, required ...string) rule {
	p := props{"key": str, "id": toolIDRule, "requires_approval": boolean}
	for k, r := range extra {
		p[k] = r
	}
	return object(p, required...)
}

// namedTool also requires a key or an id.
func namedTool(r rule) rule {
	return func(p fieldPath, v any) error {
		if err := r(p, v); err != nil {
			return err
		}
		if m := v.(map[string]any); m["key"] == nil && m["id"] == nil {
			return p.fail("must name a pre-created tool by key or id")
		}
		return nil
	}
}

// isBuiltinTool reports whether typ is a built-in tool type.
func isBuiltinTool(typ string) bool {
	for _, b := range builtinToolTypes {
		if b == typ {
			return true
		}
	}
	return false
}

// decodeObject decodes a JSON object body, keeping numbers as json.Number.
func decodeObject(body []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fieldPath("").fail("invalid JSON: %v", err)
	}
	if dec.More() {
		return nil, fieldPath("").fail("invalid JSON: unexpected data after the top-level value")
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fieldPath("").fail("must be a JSON object")
	}
	return m, nil
}

// ValidateCreateRequest checks a POST /v2/agents body with the built-in
// validator. Errors are *FieldError values naming the offending field.
func ValidateCreateRequest(body []byte) error {
	m, err := decodeObject(body)
	if err != nil {
		return err
	}
	return createRule("", m)
}

// ValidateUpdateRequest checks a PATCH /v2/agents/{agent_key} body with the
// built-in validator. Errors are *FieldError values naming the offending
// field.
func ValidateUpdateRequest(body []byte) error {
	m, err := decodeObject(body)
	if err != nil {
		return err
	}
	return updateRule("", m)
}

// BuiltinValidator is the built-in RequestValidator.
type BuiltinValidator struct{}

// ValidateCreateRequest implements RequestValidator.
func (BuiltinValidator) ValidateCreateRequest(body []byte) error { return ValidateCreateRequest(body) }

// ValidateUpdateRequest implements RequestValidator.
func (BuiltinValidator) ValidateUpdateRequest(body []byte) error { return ValidateUpdateRequest(body) }
