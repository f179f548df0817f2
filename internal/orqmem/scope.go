package orqmem

// scope is the project an API key is bound to; "" for a workspace key.
//
// Where path is described in the OpenAPI document (update request and
// responses) and in the SDK 4.15.11: a workspace key's path begins with the
// project's name, followed by folders; a project key's path is relative to
// its project, and a first element equal to that project's name is dropped,
// for compatibility. Responses describe path the same way, so orqmem answers
// each caller in its own frame. (The document's create request still
// describes an older rule, where a project key's first element is always a
// folder; orqmem applies the newer rule to create and update alike.)
//
//   - workspace key: path is echoed exactly as stored, "Project/folders".
//   - project key of project P: the stored path is P/<relative>; it is
//     echoed as <relative>, i.e. the stored path without its leading "P/"
//     ("" for P's root). A sent path loses one leading element equal to P
//     (so "P/agents" and "agents" both store "P/agents" and echo "agents");
//     any other first element is a folder ("Other/x" stores
//     "P/Other/x" and echoes "Other/x").
type scope string

// storedPath turns the path a caller sent into the workspace path stored.
func (sc scope) storedPath(sent string) string {
	if sc == "" {
		return sent
	}
	if first, rest := splitPath(sent); first == string(sc) {
		sent = rest
	}
	return joinPath(string(sc), sent)
}

// shownPath renders a stored path as the caller sees it.
func (sc scope) shownPath(stored string) string {
	if sc == "" {
		return stored
	}
	_, rest := splitPath(stored)
	return rest
}

// view returns the agent document as the caller sees it; doc itself when
// nothing differs.
func (sc scope) view(doc map[string]any) map[string]any {
	if sc == "" {
		return doc
	}
	out := copyMap(doc)
	if p, ok := doc["path"].(string); ok {
		out["path"] = sc.shownPath(p)
	}
	return out
}
