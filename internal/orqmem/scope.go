package orqmem

// scope is the project an API key is bound to; "" for a workspace key.
//
// The OpenAPI document says of path: with a workspace-level key it is
// `project/folder/...`, its first element naming the project; with a
// project-level key "the path is relative to that project (example:
// `agents`); for backward compatibility, a leading project name is ignored
// when it matches the scoped project". The response schema of path carries
// the same text, so orqmem answers each caller in its own frame:
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
