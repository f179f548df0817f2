package orqmem

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"
)

// This file holds the helpers tests use to seed and inspect the tools,
// knowledge bases, memory stores and schedules, and to simulate edits made
// outside the API (e.g. in the orq studio), as hooks.go does for agents.
// Documents are deep copies of what a workspace key gets, numbers as
// json.Number.

// SeedTool creates a tool from a POST /v2/tools body, as a workspace key
// would, without recording a request; it returns the answer. The body may
// also give the tool's "_id" ("tool_" and a ULID not in use), for fixtures
// that name the tool by a fixed id (orq makes ids; this is a tool made
// earlier, elsewhere).
func (s *Server) SeedTool(body string) (map[string]any, error) {
	return s.seed(s.toolKind, body)
}

// SeedKnowledgeBase creates a knowledge base from a POST /v2/knowledge
// body, which may give its "_id" (a ULID), as SeedTool.
func (s *Server) SeedKnowledgeBase(body string) (map[string]any, error) {
	return s.seed(s.knowledgeKind, body)
}

// SeedMemoryStore creates a memory store from a POST /v2/memory-stores
// body, which may give its "_id" (a ULID), as SeedTool.
func (s *Server) SeedMemoryStore(body string) (map[string]any, error) {
	return s.seed(s.memoryStoreKind, body)
}

// SeedSchedule creates a schedule of agent agentKey from a POST
// /v3/agents/{agent_key}/schedules body.
func (s *Server) SeedSchedule(agentKey, body string) (map[string]any, error) {
	resp := s.createSchedule(scheduleCall{keyID: apiKeyID("seed"), agentKey: agentKey}, []byte(body))
	return seeded(resp)
}

// seed creates an object of k from a create body with a workspace key,
// with the body's "_id" when it gives one.
func (s *Server) seed(k *kind, body string) (map[string]any, error) {
	req, err := decodeObject([]byte(body))
	if err != nil {
		return nil, err
	}
	id, given := req["_id"].(string)
	if !given {
		return seeded(s.createKind(k, "", []byte(body)))
	}
	delete(req, "_id")
	ulid, ok := strings.CutPrefix(id, k.col.prefix)
	if !ok || !ulidPattern.MatchString(ulid) {
		return nil, fmt.Errorf("seed: _id %q is not %q and a ULID", id, k.col.prefix)
	}
	s.mu.Lock()
	_, taken := k.col.get(id)
	s.mu.Unlock()
	if taken {
		return nil, fmt.Errorf("seed: _id %q is in use", id)
	}
	rest, err := json.Marshal(req)
	if err != nil {
		return nil, err
	}
	return seeded(s.createWithID(k, "", rest, ulid))
}

// seeded decodes a create answer, or returns its error.
func seeded(resp response) (map[string]any, error) {
	doc, err := decodeObject(resp.body)
	if err != nil {
		return nil, err
	}
	if resp.status >= http.StatusMultipleChoices {
		return nil, fmt.Errorf("seed refused (%d): %s", resp.status, resp.body)
	}
	return doc, nil
}

// Tool returns the tool with _id id.
func (s *Server) Tool(id string) (map[string]any, bool) { return s.inspect(s.tools, id, false) }

// Tools returns every tool, by key.
func (s *Server) Tools() []map[string]any { return s.inspectAll(s.tools) }

// MutateTool edits the tool with _id id outside the API (see mutate).
func (s *Server) MutateTool(id string, f func(tool map[string]any)) bool {
	return s.mutate(s.tools, id, false, f)
}

// KnowledgeBase returns the knowledge base with _id id.
func (s *Server) KnowledgeBase(id string) (map[string]any, bool) {
	return s.inspect(s.knowledge, id, false)
}

// KnowledgeBases returns every knowledge base, by key.
func (s *Server) KnowledgeBases() []map[string]any { return s.inspectAll(s.knowledge) }

// MutateKnowledgeBase edits the knowledge base with _id id (see mutate).
func (s *Server) MutateKnowledgeBase(id string, f func(kb map[string]any)) bool {
	return s.mutate(s.knowledge, id, false, f)
}

// MemoryStore returns the memory store with key.
func (s *Server) MemoryStore(key string) (map[string]any, bool) {
	return s.inspect(s.memoryStores, key, true)
}

// MemoryStores returns every memory store, by key.
func (s *Server) MemoryStores() []map[string]any { return s.inspectAll(s.memoryStores) }

// MutateMemoryStore edits the memory store with key (see mutate).
func (s *Server) MutateMemoryStore(key string, f func(store map[string]any)) bool {
	return s.mutate(s.memoryStores, key, true, f)
}

// Schedule returns the schedule with _id id.
func (s *Server) Schedule(id string) (map[string]any, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.schedules.get(id)
	if !ok {
		return nil, false
	}
	doc, err := deepCopy(s.scheduleView(e))
	return doc, err == nil
}

// Schedules returns the schedules of the agent agentKey, newest first.
func (s *Server) Schedules(agentKey string) []map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	rec, ok := s.agents[agentKey]
	if !ok {
		return nil
	}
	var out []map[string]any
	for _, e := range s.schedules.sorted(func(e *entry) bool { return e.owner == rec.id() }) {
		if doc, err := deepCopy(s.scheduleView(e)); err == nil {
			out = append(out, doc)
		}
	}
	return out
}

// MutateSchedule edits the schedule with _id id (see mutate); agent_key is
// always its agent's.
func (s *Server) MutateSchedule(id string, f func(schedule map[string]any)) bool {
	return s.mutate(s.schedules, id, false, f)
}

// AgentVersions returns the versions the agent ever had, oldest first.
func (s *Server) AgentVersions(key string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if rec, ok := s.agents[key]; ok {
		return slices.Clone(rec.versions)
	}
	return nil
}

// inspect returns a copy of the object ref names (its key when byKey).
func (s *Server) inspect(c *collection, ref string, byKey bool) (map[string]any, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := lookup(c, ref, byKey)
	if !ok {
		return nil, false
	}
	doc, err := deepCopy(e.doc)
	return doc, err == nil
}

// inspectAll returns copies of every object of c, sorted by key.
func (s *Server) inspectAll(c *collection) []map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	entries := c.sorted(func(*entry) bool { return true })
	sort.SliceStable(entries, func(i, j int) bool { return entries[i].key < entries[j].key })
	out := make([]map[string]any, 0, len(entries))
	for _, e := range entries {
		if doc, err := deepCopy(e.doc); err == nil {
			out = append(out, doc)
		}
	}
	return out
}

// lookup returns the object of c with id, or with key when byKey.
func lookup(c *collection, ref string, byKey bool) (*entry, bool) {
	if byKey {
		return c.byKey(ref)
	}
	return c.get(ref)
}

// mutate lets f change a copy of the stored document freely, then stores
// it with a refreshed "updated": what an edit in the studio does. _id and
// the placement (path, project_id, domain_id, workspace_id) are kept; a
// changed key is kept when free and not empty (a renamed tool's agents echo
// the new key), else restored. It returns false if the object
// does not exist or the result is no JSON.
func (s *Server) mutate(c *collection, ref string, byKey bool, f func(map[string]any)) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	old, ok := lookup(c, ref, byKey)
	if !ok {
		return false
	}
	next, err := old.clone()
	if err != nil {
		return false
	}
	f(next.doc)
	next.doc["_id"] = old.id
	for _, placed := range []string{"path", "project_id", "domain_id", "workspace_id"} {
		if v, ok := old.doc[placed]; ok {
			next.doc[placed] = v // a move is no edit of the object: these stay
		}
	}
	if key, ok := next.doc["key"].(string); ok && old.key != "" && key != "" {
		if _, taken := c.byKey(key); !taken || key == old.key {
			next.key = key
		}
	}
	if old.key != "" {
		next.doc["key"] = next.key
	}
	next.doc["updated"] = formatTime(s.now())
	if _, err := json.Marshal(next.doc); err != nil {
		return false
	}
	delete(c.keys, old.key)
	if err := c.put(next); err != nil {
		return false
	}
	if c == s.tools {
		rekeyAgentTools(s, old, next)
	}
	return true
}
