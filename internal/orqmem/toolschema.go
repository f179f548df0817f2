package orqmem

import "regexp"

// This file encodes the request schemas of POST /v2/tools and
// PATCH /v2/tools/{tool_id}: four variants chosen by type (function,
// json_schema, http, code), each with its configuration member.

// toolKeyPattern is a tool key: no dots, unlike agent keys.
var toolKeyPattern = regexp.MustCompile(`^[A-Za-z]([A-Za-z0-9]*([_-][A-Za-z0-9]+)*)?$`)

// toolTypes maps each tool type to the member holding its configuration.
var toolTypes = map[string]string{
	"function":    "function",
	"json_schema": "json_schema",
	"http":        "http",
	"code":        "code_tool",
}

// toolStatuses are the values of a tool's status.
var toolStatuses = []string{"live", "draft", "pending", "published"}

var (
	// toolCreateRule validates POST /v2/tools bodies.
	toolCreateRule = toolBodyRule(true)
	// toolUpdateRule validates PATCH /v2/tools/{tool_id} bodies.
	toolUpdateRule = toolBodyRule(false)
)

// toolBodyRule returns the create (create=true) or update rule: each variant
// has the common members and its configuration; create requires path, key,
// description and the configuration, update only the type.
func toolBodyRule(create bool) rule {
	variants := map[string]rule{}
	for typ, member := range toolTypes {
		p := props{
			"path":         str,
			"key":          strSpec{minLen: 1, maxLen: 64, pattern: toolKeyPattern}.rule(),
			"display_name": str,
			"description":  str,
			"status":       enum(toolStatuses...),
			"type":         nil, // checked by discriminated
			member:         toolConfigRule(typ),
		}
		if create {
			variants[typ] = object(p, "path", "key", "description", "type", member)
			continue
		}
		p["versionIncrement"] = enum("major", "minor", "patch")
		p["versionDescription"] = str
		variants[typ] = object(p, "type")
	}
	return discriminated("type", variants)
}

// toolConfigRule validates the configuration member of a tool type.
func toolConfigRule(typ string) rule {
	switch typ {
	case "function":
		return object(props{
			"name":        str,
			"description": str,
			"strict":      boolean,
			"parameters":  parametersRule(),
		}, "name")
	case "json_schema":
		return object(props{
			"name":        strSpec{minLen: 1, maxLen: 64}.rule(),
			"description": str,
			"schema": object(props{
				"type":       str,
				"properties": freeObject,
				"required":   arrayOf(str),
			}, "type", "properties", "required"),
			"strict": boolean,
		}, "name", "description", "schema")
	case "http":
		return object(props{"blueprint": blueprintRule(), "arguments": mapOf(argumentRule())}, "blueprint")
	}
	return object(props{
		"parameters": parametersRule(),
		"language":   enum("python"),
		"code":       nonEmptyStr,
	}, "language", "code")
}

// parametersRule validates a function's or code tool's parameters, a JSON
// Schema object.
func parametersRule() rule {
	return object(props{
		"type":       enum("object"),
		"properties": freeObject,
		"required":   arrayOf(str),
	}, "type", "properties", "required")
}

// blueprintRule validates an http tool's request blueprint.
func blueprintRule() rule {
	return object(props{
		"url":    str,
		"method": enum("GET", "POST", "PUT", "DELETE"),
		"headers": mapOf(stringOrObject(object(props{
			"value":     str,
			"encrypted": boolean,
		}, "value"))),
		"body":    freeObject,
		"timeout": bounds{min: lim(1), max: lim(600)}.rule(),
	}, "url", "method")
}

// argumentRule validates one http tool argument.
func argumentRule() rule {
	return object(props{
		"type":          enum("string", "number", "boolean"),
		"description":   str,
		"send_to_model": boolean,
		"default_value": scalar,
	}, "type", "description")
}
