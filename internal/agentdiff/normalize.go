package agentdiff

import (
	"reflect"
	"strings"
)

// Normalize returns the canonical form of a request-form object, so that two objects that mean the
// same agent are deeply equal: values equal to the API's defaults, nulls, empty strings, empty
// lists and empty objects are dropped; a model or fallback model given as a string becomes
// {id: ...}; a single stop sequence becomes a list; server-only tool fields and generated tool ids
// are dropped. Normalize does not modify its argument, and normalizing twice changes nothing.
func Normalize(o Object) Object {
	c, _ := deepCopy(o).(Object)
	if c == nil {
		return Object{}
	}
	canonicalize(c)
	for _, d := range defaults {
		dropDefault(c, d.path, d.value)
	}
	if p, ok := prune(c).(Object); ok {
		return p
	}
	return Object{}
}

// defaults are the API's documented defaults, by path ("[]" stands for every item of a list).
var defaults = func() []struct {
	path  []string
	value any
} {
	type d = struct {
		path  []string
		value any
	}
	out := []d{
		{split("engine"), defaultEngine},
		{split("settings.max_iterations"), 100.0},
		{split("settings.max_execution_time"), 600.0},
		{split("settings.max_cost"), 0.0},
		{split("settings.tool_approval_required"), "respect_tool"},
		{split("settings.tools.[].requires_approval"), false},
		{split("settings.evaluators.[].sample_rate"), 50.0},
		{split("settings.guardrails.[].sample_rate"), 50.0},
	}
	for _, model := range []string{"model", "fallback_models.[]"} {
		out = append(out,
			d{split(model + ".retry.count"), 3.0},
			d{split(model + ".parameters.cache.ttl"), 1800.0},
			d{split(model + ".parameters.cache_control.ttl"), "5m"},
			d{split(model + ".parameters.load_balancer.models.[].weight"), 0.5},
			d{split(model + ".parameters.response_format.json_schema.strict"), false},
		)
	}
	return out
}()

func split(path string) []string { return strings.Split(path, ".") }

// canonicalize rewrites the alternative forms the API accepts or returns into one form, in place.
func canonicalize(o Object) {
	if s, ok := o["model"].(string); ok {
		o["model"] = Object{"id": s}
	}
	if fbs, ok := o["fallback_models"].([]any); ok {
		for i, fb := range fbs {
			if s, ok := fb.(string); ok {
				fbs[i] = Object{"id": s}
			}
		}
	}
	forEachParameters(o, func(p Object) {
		if s, ok := p["stop"].(string); ok {
			p["stop"] = []any{s}
		}
	})
	forEachTool(o, canonicalizeTool)
}

// dropDefault removes the value at path when it equals def.
func dropDefault(v any, path []string, def any) {
	if len(path) == 0 {
		return
	}
	if path[0] == "[]" {
		if list, ok := v.([]any); ok {
			for _, item := range list {
				dropDefault(item, path[1:], def)
			}
		}
		return
	}
	o, ok := v.(Object)
	if !ok {
		return
	}
	if len(path) == 1 {
		if val, ok := o[path[0]]; ok && reflect.DeepEqual(val, def) {
			delete(o, path[0])
		}
		return
	}
	dropDefault(o[path[0]], path[1:], def)
}

// prune drops nulls, empty strings, empty lists and empty objects, depth first, except inside
// opaque values; it returns nil for a value that is empty after pruning.
func prune(v any) any {
	switch t := v.(type) {
	case nil:
		return nil
	case string:
		if t == "" {
			return nil
		}
		return t
	case Object:
		for k, val := range t {
			if opaqueKeys[k] {
				// The user's JSON is compared as written ("" is a value there); only an empty
				// one is dropped.
				if isEmpty(val) {
					delete(t, k)
				}
				continue
			}
			if p := prune(val); p == nil {
				delete(t, k)
			} else {
				t[k] = p
			}
		}
		if len(t) == 0 {
			return nil
		}
		return t
	case []any:
		if len(t) == 0 {
			return nil
		}
		for i, val := range t {
			t[i] = prune(val)
		}
		return t
	default:
		return v
	}
}

// isEmpty tells whether a JSON value is null, an empty object or an empty list.
func isEmpty(v any) bool {
	switch t := v.(type) {
	case nil:
		return true
	case Object:
		return len(t) == 0
	case []any:
		return len(t) == 0
	}
	return false
}
