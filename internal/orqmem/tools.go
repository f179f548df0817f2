package orqmem

import (
	"net/http"
	"strings"
)

// This file serves the tools: /v2/tools and /v2/tools/{tool_id}. A tool is
// addressed by its _id only: the document's retrieve is "by id" and names
// the parameter tool_id (its delete says "by key", under the same
// parameter; orqmem keeps to the id).

// Tool routes and ids.
const (
	toolsPath = "/v2/tools"
	toolItem  = "/v2/tools/{tool_id}"
	// toolPrefix begins every tool _id, as in the document's defaults
	// ("tool_01M0JC3X6EHSV8SKATJEDC15V2"). Agents name a tool by the ULID
	// after it: their schema wants ULID tool ids (see toolIDRule).
	toolPrefix = "tool_"
)

// newToolKind describes the tools collection.
func (s *Server) newToolKind() *kind {
	return &kind{
		col: s.tools, route: toolsPath, item: toolItem,
		created: http.StatusOK, deleted: http.StatusOK, // 200 without content, as documented
		limits:     listLimits{max: maxLimit}, // without limit, all tools
		createRule: toolCreateRule, updateRule: toolUpdateRule,
		build: buildTool, patch: patchTool, view: pathView,
		notFound: toolNotFound, usedBy: agentsUsingTool, replaced: rekeyAgentTools,
	}
}

// buildTool makes a tool from a create body. display_name defaults to the
// key and status to live, as the document says.
func buildTool(s *Server, sc scope, req map[string]any) (*entry, error) {
	path, projectID, err := s.placeNew(sc, req["path"].(string), s.newID)
	if err != nil {
		return nil, err
	}
	key, typ := req["key"].(string), req["type"].(string)
	member := toolTypes[typ]
	doc := map[string]any{
		"path": path, "key": key, "display_name": key, "description": req["description"],
		"created_by_id": nil, "updated_by_id": nil,
		"project_id": projectID, "workspace_id": s.workspaceID,
		"status": defaultStatus, "type": typ, member: toolConfig(typ, req[member]),
	}
	for _, f := range []string{"display_name", "status"} {
		if v, ok := req[f]; ok {
			doc[f] = v
		}
	}
	return &entry{key: key, projectID: projectID, path: path, doc: doc}, nil
}

// patchTool applies an update body. Its type must be the tool's own: each
// update variant configures one type, and orq documents no conversion.
// versionIncrement and versionDescription are accepted but not echoed: a
// tool's versions are served at /v2/tools/{tool_id}/versions, which orqmem
// does not serve.
func patchTool(s *Server, sc scope, next *entry, req map[string]any) error {
	typ := next.str("type")
	if req["type"] != typ {
		return fieldPath("type").fail("must be %q: a %s tool cannot become a %v tool", typ, typ, req["type"])
	}
	path, projectID, moved, err := s.move(sc, next.path, req, "", s.newID)
	if err != nil {
		return err
	}
	if moved {
		next.path, next.projectID = path, projectID
		next.doc["path"], next.doc["project_id"] = path, projectID
	}
	if key, ok := req["key"].(string); ok {
		next.key, next.doc["key"] = key, key
	}
	for _, f := range []string{"display_name", "description", "status"} {
		if v, ok := req[f]; ok {
			next.doc[f] = v
		}
	}
	if member := toolTypes[typ]; req[member] != nil {
		next.doc[member] = toolConfig(typ, req[member])
	}
	return nil
}

// toolConfig renders a configuration member with the response's defaults:
// an http tool's headers default to a JSON content type, a header object is
// not encrypted and an argument is sent to the model unless said otherwise.
func toolConfig(typ string, in any) map[string]any {
	out := copyMap(in.(map[string]any))
	if typ != "http" {
		return out
	}
	blueprint := copyMap(out["blueprint"].(map[string]any))
	headers, ok := blueprint["headers"].(map[string]any)
	if !ok {
		headers = map[string]any{"Content-Type": map[string]any{"value": "application/json"}}
	}
	blueprint["headers"] = withDefault(headers, "encrypted", false)
	out["blueprint"] = blueprint
	if args, ok := out["arguments"].(map[string]any); ok {
		out["arguments"] = withDefault(args, "send_to_model", true)
	}
	return out
}

// withDefault copies m, setting member name of each object value to def
// where it is absent.
func withDefault(m map[string]any, name string, def any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		if obj, ok := v.(map[string]any); ok {
			obj = copyMap(obj)
			if _, set := obj[name]; !set {
				obj[name] = def
			}
			v = obj
		}
		out[k] = v
	}
	return out
}

// pathView renders an object whose doc carries its path, in the caller's
// frame (see scope).
func pathView(sc scope, e *entry) map[string]any {
	if sc == "" {
		return e.doc
	}
	out := copyMap(e.doc)
	out["path"] = sc.shownPath(e.path)
	return out
}

// toolNotFound answers a reference to no visible tool: PATCH documents
// {"error": "Tool with id my_tool not found"}; the other operations document
// no 404 and get the {"message": ...} of the rest of the API.
func toolNotFound(method, ref string) response {
	if method == http.MethodPatch {
		return jsonResponse(http.StatusNotFound, map[string]string{"error": "Tool with id " + ref + " not found"})
	}
	return errorResponse(http.StatusNotFound, "Tool not found")
}

// agentToolID is the id by which agents name the tool e.
func agentToolID(e *entry) string { return strings.TrimPrefix(e.id, toolPrefix) }

// agentsUsingTool returns the keys of the agents whose settings.tools name
// e. The caller must hold s.mu.
func agentsUsingTool(s *Server, e *entry) []string {
	id := agentToolID(e)
	return s.agentsWhere(func(doc map[string]any) bool {
		for _, t := range agentTools(doc) {
			if customToolTypes[t["action_type"].(string)] && t["id"] == id {
				return true
			}
		}
		return false
	})
}

// rekeyAgentTools makes the agents naming a renamed tool echo its new key,
// as they name the tool itself, not its key. The caller must hold s.mu.
func rekeyAgentTools(s *Server, old, next *entry) {
	if old.key == next.key {
		return
	}
	id := agentToolID(next)
	for _, rec := range s.agents {
		for _, t := range agentTools(rec.doc) {
			if customToolTypes[t["action_type"].(string)] && t["id"] == id {
				t["key"] = next.key
			}
		}
	}
}

// agentTools returns the tool objects of an agent document.
func agentTools(doc map[string]any) []map[string]any {
	settings, _ := doc["settings"].(map[string]any)
	items, _ := settings["tools"].([]any)
	out := make([]map[string]any, 0, len(items))
	for _, it := range items {
		if t, ok := it.(map[string]any); ok {
			if _, ok := t["action_type"].(string); ok {
				out = append(out, t)
			}
		}
	}
	return out
}
