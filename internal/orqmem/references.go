package orqmem

import (
	"fmt"
	"sort"
	"strings"
)

// This file ties agents to the objects they name: a custom tool
// (settings.tools[] of type http, code, function or json_schema, by key or
// id), a knowledge base (knowledge_bases[].knowledge_id) and a memory store
// (memory_stores[]) must exist, as the caller sees the workspace, when an
// agent is created or updated naming it; and none of them is deleted while
// an agent names it (the document is silent on both; orqmem is strict).

// customToolTypes are the tool types served by /v2/tools.
var customToolTypes = map[string]bool{"http": true, "code": true, "function": true, "json_schema": true}

// toolRef is what an agent's tool echoes of the tool it names.
type toolRef struct{ id, key, actionType string }

// resolveTool returns the toolRef of one settings.tools item. A custom tool
// (or one sent without type, which may be any of them) must name a tool of
// the collection by key, by id (the ULID after "tool_") or by both; it
// echoes that tool's id, key and type. Built-in, file_system, mcp and
// provider tools are as before (see implicitTools). The caller must hold
// s.mu.
func (s *Server) resolveTool(sc scope, in map[string]any, newID func() string) (toolRef, error) {
	typ, typed := in["type"].(string)
	key, _ := in["key"].(string)
	id, _ := in["id"].(string)
	if typed && !customToolTypes[typ] {
		if isBuiltinTool(typ) || typ == fileSystemToolType {
			key, id = "", "" // not part of these tools' schemas: orq drops them
		}
		id, key, err := s.implicit.resolve(key, id, newID)
		return toolRef{id: id, key: key, actionType: typ}, err
	}
	tool, err := s.namedTool(sc, key, id)
	if err != nil {
		return toolRef{}, err
	}
	if actual := tool.str("type"); typed && actual != typ {
		return toolRef{}, fmt.Errorf("tool %q is a %s tool, not %s", tool.key, actual, typ)
	}
	return toolRef{id: agentToolID(tool), key: tool.key, actionType: tool.str("type")}, nil
}

// namedTool returns the tool a reference names by key, id or both. The
// caller must hold s.mu.
func (s *Server) namedTool(sc scope, key, id string) (*entry, error) {
	var byKey, byID *entry
	if key != "" {
		if e, ok := s.tools.byKey(key); ok && s.visible(sc, e) {
			byKey = e
		} else {
			return nil, fmt.Errorf("tool %q does not exist", key)
		}
	}
	if id != "" {
		if e, ok := s.tools.get(toolPrefix + id); ok && s.visible(sc, e) {
			byID = e
		} else {
			return nil, fmt.Errorf("tool %s does not exist", id)
		}
	}
	switch {
	case byKey != nil && byID != nil && byKey != byID:
		return nil, fmt.Errorf("tool key %q names tool %s, not %s", key, agentToolID(byKey), id)
	case byKey != nil:
		return byKey, nil
	}
	return byID, nil
}

// checkAgentRefs checks that the knowledge bases and memory stores an agent
// body names exist, as the caller sees the workspace: each by its _id or
// its key (the document calls knowledge_id an "identifier" but gives a
// key-like example, and says memory_stores "accepts both memory store IDs
// and keys"). The caller must hold s.mu.
func (s *Server) checkAgentRefs(sc scope, req map[string]any) error {
	kbs, _ := req["knowledge_bases"].([]any)
	for i, it := range kbs {
		ref, _ := it.(map[string]any)["knowledge_id"].(string)
		if _, ok := s.idOrKey(s.knowledge, sc, ref); !ok {
			return fieldPath("knowledge_bases").index(i).field("knowledge_id").fail("knowledge base %q does not exist", ref)
		}
	}
	stores, _ := req["memory_stores"].([]any)
	for i, it := range stores {
		ref, _ := it.(string)
		if _, ok := s.idOrKey(s.memoryStores, sc, ref); !ok {
			return fieldPath("memory_stores").index(i).fail("memory store %q does not exist", ref)
		}
	}
	return nil
}

// idOrKey returns the visible object of c whose _id or key is ref. The
// caller must hold s.mu.
func (s *Server) idOrKey(c *collection, sc scope, ref string) (*entry, bool) {
	e, ok := c.get(ref)
	if !ok {
		e, ok = c.byKey(ref)
	}
	return e, ok && s.visible(sc, e)
}

// agentsWhere returns the keys of the agents whose document matches,
// sorted. The caller must hold s.mu.
func (s *Server) agentsWhere(match func(doc map[string]any) bool) []string {
	var keys []string
	for key, rec := range s.agents {
		if match(rec.doc) {
			keys = append(keys, key)
		}
	}
	sort.Strings(keys)
	return keys
}

// agentsUsingKnowledge returns the keys of the agents naming the
// knowledge base e by id or key. The caller must hold s.mu.
func agentsUsingKnowledge(s *Server, e *entry) []string {
	return s.agentsWhere(func(doc map[string]any) bool {
		items, _ := doc["knowledge_bases"].([]any)
		for _, it := range items {
			if m, ok := it.(map[string]any); ok && names(e, m["knowledge_id"]) {
				return true
			}
		}
		return false
	})
}

// agentsUsingMemoryStore returns the keys of the agents naming the memory
// store e by id or key. The caller must hold s.mu.
func agentsUsingMemoryStore(s *Server, e *entry) []string {
	return s.agentsWhere(func(doc map[string]any) bool {
		items, _ := doc["memory_stores"].([]any)
		for _, it := range items {
			if names(e, it) {
				return true
			}
		}
		return false
	})
}

// names reports whether ref is e's id or key.
func names(e *entry, ref any) bool {
	s, ok := ref.(string)
	return ok && (s == e.id || (s == e.key && e.key != ""))
}

// joinComma joins items with ", ".
func joinComma(items []string) string { return strings.Join(items, ", ") }
