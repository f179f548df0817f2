package orqmem

import "fmt"

// toolRegistry models orq's workspace-level custom tools. A tool is created
// once (in orq, through the tools API) and agents reference it by key or by
// id; both name the same object, so every reference echoes the same id.
// orqmem has no tools API: the first reference to an unknown key creates
// the tool.
type toolRegistry struct {
	idByKey map[string]string
	keyByID map[string]string
}

// newToolRegistry returns an empty registry.
func newToolRegistry() toolRegistry {
	return toolRegistry{idByKey: map[string]string{}, keyByID: map[string]string{}}
}

// resolve returns the id and key (either may have been absent) of the tool a
// reference names. A key seen for the first time is registered, with the
// given id or with newID(). Sending a key and an id of two different tools is
// an error: one reference names one tool.
func (r toolRegistry) resolve(key, id string, newID func() string) (string, string, error) {
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
