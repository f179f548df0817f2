package agentdiff

import "strings"

// samePath compares the desired path ("Project/folder/...") with the path orq echoes. With a
// workspace API key orq echoes the path as stored, project first. With a key scoped to project P,
// the OpenAPI description of the update request and of every response (and SDK 4.15.11) say the
// path is relative to P and a leading P is dropped: "P/agents" is echoed as "agents", "P" as "".
// The operator cannot know P (no endpoint tells a key's project), so an echo equal to the desired
// path less its first element is taken as the same path: without this, every create with such a
// key would be followed by a PATCH of path, and then NotConverging.
//
// The one change this cannot see: with a project key, an agent moved between "Other/x" (a folder
// Other in P) and "x", or with a workspace key between "A/x" and project "x"'s root. Both keep the
// same last folders and need a move of the first element that the echo cannot tell apart.
func samePath(want, have any) bool {
	w, _ := want.(string)
	h, ok := have.(string)
	if !ok {
		return want == nil && have == nil
	}
	if w == h {
		return true
	}
	_, rest, found := strings.Cut(w, "/")
	return (found && rest == h) || (!found && h == "")
}
