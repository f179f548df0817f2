package orqmem

import "fmt"

// implicitTools models the tools an agent names that orqmem serves no API
// for: MCP servers (their own API, /v2/mcp-servers, is in the SDK only, not
// in the OpenAPI documents orqmem follows) and provider tools
// ("openai:web_search", passed through to the provider). An agent names
// them by key or id, and every reference to a key echoes the same id; the
// first reference to an unknown key registers it. Custom tools (http, code,
// function, json_schema) are no longer registered here: they must exist in
// the tools collection (see references.go).
type implicitTools struct {
	idByKey map[string]string
	keyByID map[string]string
}

// newImplicitTools returns an empty registry.
func newImplicitTools() implicitTools {
	return implicitTools{idByKey: map[string]string{}, keyByID: map[string]string{}}
}

// resolve returns the id and key (either may have been absent) of the tool a
// reference names. A key seen for the first time is registered, with the
// given id or with newID(). Sending a key and an id of two different tools is
// an error: one reference names one tool.
func (r implicitTools) resolve(key, id string, newID func() string) (string, string, error) {
	switch {
	case key == "" && id == "":
		return newID(), "", nil // a built-in tool: its own entry
	case key == "":
		return id, r.keyByID[id], nil
	}
	known, ok := r.idByKey[key]
	switch {
	case ok && id != "" && id != known:
		return "", "", fmt.Errorf("tool key %q names tool %s, not %s", key, known, id)
	case ok:
		return known, key, nil
	case id != "" && r.keyByID[id] != "":
		return "", "", fmt.Errorf("tool %s has key %q, not %q", id, r.keyByID[id], key)
	}
	if id == "" {
		id = newID()
	}
	r.idByKey[key], r.keyByID[id] = id, key
	return id, key, nil
}
