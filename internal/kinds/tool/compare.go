package tool

import (
	"github.com/orq-ai/orq-operator/internal/kinds/wire"
	"github.com/orq-ai/orq-operator/internal/orqclient"
)

// Compare lists the fields in which a remote tool differs from the request, as orq echoes a tool:
// display_name is the key when unset, an http tool's headers default to a JSON content type and
// are not encrypted unless said, its arguments are sent to the model unless said, and an
// encrypted header's value is never compared (orq need not echo it; a change of its Secret is
// sent by the core, see managed's secretsHash).
func (Kind) Compare(desired orqclient.Body, remote *orqclient.Remote) []string {
	fields := []string{"key", "path", "display_name", "description", "type", "function", "json_schema", "http", "code_tool"}
	return wire.Changed(desired, remote.Raw, fields, map[string]func(want, have any) bool{
		"path": wire.SamePath,
		"http": func(want, have any) bool { return wire.Same(httpEcho(wire.Plain(want)), httpEcho(wire.Plain(have))) },
	})
}

// httpEcho is an http payload as orq echoes it, encrypted values left out.
func httpEcho(v any) any {
	payload, ok := v.(map[string]any)
	if !ok {
		return v
	}
	if blueprint, ok := payload["blueprint"].(map[string]any); ok {
		headers, ok := blueprint["headers"].(map[string]any)
		if !ok {
			headers = map[string]any{"Content-Type": map[string]any{"value": "application/json"}}
		}
		for name, h := range headers {
			obj, ok := h.(map[string]any)
			if !ok {
				obj = map[string]any{"value": h}
			}
			if obj["encrypted"] == nil {
				obj["encrypted"] = false
			}
			if obj["encrypted"] == true {
				delete(obj, "value")
			}
			headers[name] = obj
		}
		blueprint["headers"] = headers
	}
	if args, ok := payload["arguments"].(map[string]any); ok {
		for _, a := range args {
			if arg, ok := a.(map[string]any); ok && arg["send_to_model"] == nil {
				arg["send_to_model"] = true
			}
		}
	}
	return payload
}
