package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
)

// typeOf is the type of a field, in a Go-like notation.
func typeOf(s *schema) string {
	var t string
	switch {
	case s.IntOrString:
		t = "int or string"
	case s.EmbeddedResource:
		t = "object (an embedded Kubernetes object)"
	case s.Type == "array":
		if s.Items == nil {
			t = "[]any"
		} else {
			t = "[]" + typeOf(s.Items)
		}
	case s.Type == "object" && len(s.Properties) == 0 && s.values != nil:
		t = "map[string]" + typeOf(s.values)
	case s.Type == "object" && len(s.Properties) == 0 && s.PreserveUnknown:
		t = "object (any fields)"
	case s.Type == "" && s.PreserveUnknown:
		t = "JSON (any value)"
	case s.Type == "":
		t = "any"
	default:
		t = s.Type
		if s.Format != "" {
			t += " (" + s.Format + ")"
		}
	}
	if s.Nullable {
		t += ", nullable"
	}
	return t
}

func defaultOf(s *schema) string {
	if len(s.Default) == 0 {
		return ""
	}
	return code(literal(s.Default))
}

// literal prints a JSON value: strings without quotes, anything else as compact JSON.
func literal(raw json.RawMessage) string {
	var str string
	if err := json.Unmarshal(raw, &str); err == nil {
		return str
	}
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		return string(raw)
	}
	return b.String()
}

// fieldConstraints is the validation column of a field: its constraints, those of its items or
// values when they have no section of their own, and its rules when it has no section.
func fieldConstraints(path string, s *schema) []string {
	out := constraints(s)
	if len(s.Validations) > 0 && len(s.Properties) == 0 {
		out = append(out, inlineRules(s.Validations)...)
	}
	if len(s.Validations) > 0 && len(s.Properties) > 0 {
		out = append(out, fmt.Sprintf("rules: see [%s](#%s)", code(path), anchor(path)))
	}
	inner, prefix := s.Items, "each item"
	if inner == nil {
		inner, prefix = s.values, "each value"
	}
	for inner != nil {
		if len(inner.Properties) > 0 {
			if len(inner.Validations) > 0 {
				t := target(path, s)
				out = append(out, fmt.Sprintf("%s: rules, see [%s](#%s)", prefix, code(t), anchor(t)))
			}
			break
		}
		for _, c := range constraints(inner) {
			out = append(out, prefix+": "+c)
		}
		for _, r := range inlineRules(inner.Validations) {
			out = append(out, prefix+": "+r)
		}
		if inner.Items != nil {
			inner, prefix = inner.Items, prefix+", each item"
		} else {
			inner, prefix = inner.values, prefix+", each value"
		}
	}
	return out
}

func inlineRules(rs []rule) []string {
	var out []string
	for _, r := range rs {
		out = append(out, "rule "+code(r.Rule)+ruleNotes(r)+": "+ruleMessage(r))
	}
	return out
}

// constraints are the OpenAPI validations of a schema itself.
func constraints(s *schema) []string {
	var out []string
	if len(s.Enum) > 0 {
		vals := make([]string, len(s.Enum))
		for i, e := range s.Enum {
			vals[i] = code(literal(e))
		}
		out = append(out, "enum: "+strings.Join(vals, ", "))
	}
	if len(s.Minimum) > 0 {
		if s.ExclusiveMinimum {
			out = append(out, "exclusiveMinimum: "+code(string(s.Minimum)))
		} else {
			out = append(out, "minimum: "+code(string(s.Minimum)))
		}
	}
	if len(s.Maximum) > 0 {
		if s.ExclusiveMaximum {
			out = append(out, "exclusiveMaximum: "+code(string(s.Maximum)))
		} else {
			out = append(out, "maximum: "+code(string(s.Maximum)))
		}
	}
	if len(s.MultipleOf) > 0 {
		out = append(out, "multipleOf: "+code(string(s.MultipleOf)))
	}
	if s.MinLength != nil {
		out = append(out, fmt.Sprintf("minLength: `%d`", *s.MinLength))
	}
	if s.MaxLength != nil {
		out = append(out, fmt.Sprintf("maxLength: `%d`", *s.MaxLength))
	}
	if s.Pattern != "" {
		out = append(out, "pattern: "+code(s.Pattern))
	}
	if s.MinItems != nil {
		out = append(out, fmt.Sprintf("minItems: `%d`", *s.MinItems))
	}
	if s.MaxItems != nil {
		out = append(out, fmt.Sprintf("maxItems: `%d`", *s.MaxItems))
	}
	if s.UniqueItems {
		out = append(out, "uniqueItems")
	}
	if s.MinProperties != nil {
		out = append(out, fmt.Sprintf("minProperties: `%d`", *s.MinProperties))
	}
	if s.MaxProperties != nil {
		out = append(out, fmt.Sprintf("maxProperties: `%d`", *s.MaxProperties))
	}
	switch s.ListType {
	case "":
	case "map":
		out = append(out, "list type: `map`, keyed by "+codeList(s.ListMapKeys))
	default:
		out = append(out, "list type: "+code(s.ListType))
	}
	if s.MapType != "" {
		out = append(out, "map type: "+code(s.MapType))
	}
	if s.PreserveUnknown && (len(s.Properties) > 0 || s.Type == "array") {
		out = append(out, "unknown fields are kept")
	}
	return out
}
