package orqmem

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"time"
)

// This file serves the Agents API: POST/GET /v2/agents and
// GET/PATCH/DELETE /v2/agents/{agent_key}.

// routeAgents dispatches a request whose path is /v2/agents or below it.
func (s *Server) routeAgents(r *http.Request, p string, body []byte, sc scope) response {
	if p == agentsPath {
		switch r.Method {
		case http.MethodGet:
			return s.list(sc, r.URL.Query())
		case http.MethodPost:
			return s.create(sc, body)
		}
		return methodNotAllowed("GET, POST")
	}
	rawKey, _ := strings.CutPrefix(p, agentsPrefix)
	if rawKey == "" {
		return errorResponse(http.StatusNotFound, msgRouteNotFound)
	}
	key, err := url.PathUnescape(rawKey)
	if err != nil || strings.Contains(key, "/") {
		return errorResponse(http.StatusNotFound, msgAgentNotFound)
	}
	switch r.Method {
	case http.MethodGet:
		return s.get(sc, key)
	case http.MethodPatch:
		return s.update(sc, key, body)
	case http.MethodDelete:
		return s.delete(sc, key)
	}
	return methodNotAllowed("GET, PATCH, DELETE")
}

// create handles POST /v2/agents.
func (s *Server) create(sc scope, body []byte) response {
	req, err := decodeObject(body)
	if err == nil {
		err = createRule("", req)
	}
	if err == nil && s.schema != nil {
		err = s.schema.ValidateCreateRequest(body)
	}
	if err != nil {
		return errorResponse(http.StatusBadRequest, err.Error())
	}
	key := req["key"].(string)

	s.mu.Lock()
	defer s.mu.Unlock()
	if _, exists := s.agents[key]; exists {
		return errorResponse(http.StatusConflict, fmt.Sprintf(msgAgentExistsFmt, key))
	}
	if err := s.checkAgentRefs(sc, req); err != nil {
		return failure(err)
	}
	now := s.now()
	sent, _ := req["path"].(string)
	path, projectID, err := s.placeNew(sc, sent, s.renderer(sc, now).newID)
	if err != nil {
		return failure(err)
	}
	req["path"] = path
	rec := &agentRecord{doc: newDoc(s.ids.next(now), key, projectID, now), versions: []string{initialVersion}}
	if err := s.renderer(sc, now).apply(rec, req, true); err != nil {
		return errorResponse(http.StatusBadRequest, err.Error())
	}
	if err := s.store(rec); err != nil {
		return errorResponse(http.StatusInternalServerError, err.Error())
	}
	return jsonResponse(http.StatusCreated, sc.view(rec.doc))
}

// get handles GET /v2/agents/{key}.
func (s *Server) get(sc scope, key string) response {
	s.mu.Lock()
	defer s.mu.Unlock()
	rec, ok := s.visibleAgent(sc, key)
	if !ok {
		return errorResponse(http.StatusNotFound, msgAgentNotFound)
	}
	return jsonResponse(http.StatusOK, sc.view(rec.doc))
}

// visibleAgent returns the agent key if the caller may see it: a project
// key sees its project's agents only. The caller must hold s.mu.
func (s *Server) visibleAgent(sc scope, key string) (*agentRecord, bool) {
	rec, ok := s.agents[key]
	return rec, ok && s.agentVisible(sc, rec)
}

// agentByID returns the agent whose _id is id. The caller must hold s.mu.
func (s *Server) agentByID(id string) (*agentRecord, bool) {
	for _, rec := range s.agents {
		if rec.id() == id {
			return rec, true
		}
	}
	return nil, false
}

// update handles PATCH /v2/agents/{key}.
func (s *Server) update(sc scope, key string, body []byte) response {
	req, err := decodeObject(body)
	if err == nil {
		err = updateRule("", req)
	}
	if err == nil && s.schema != nil {
		err = s.schema.ValidateUpdateRequest(body)
	}
	if err != nil {
		return errorResponse(http.StatusBadRequest, err.Error())
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	rec, ok := s.visibleAgent(sc, key)
	if !ok {
		return errorResponse(http.StatusNotFound, msgAgentNotFound)
	}
	newKey, ok := req["key"].(string)
	if !ok {
		newKey = key
	}
	if _, taken := s.agents[newKey]; taken && newKey != key {
		return errorResponse(http.StatusConflict, fmt.Sprintf(msgAgentExistsFmt, newKey))
	}
	if err := s.checkAgentRefs(sc, req); err != nil {
		return failure(err)
	}
	now := s.now()
	if resp := s.place(sc, rec, req, s.renderer(sc, now).newID); resp != nil {
		return *resp
	}
	updated := &agentRecord{doc: copyMap(rec.doc), givenVars: rec.givenVars, versions: rec.versions}
	if err := s.renderer(sc, now).apply(updated, req, false); err != nil {
		return errorResponse(http.StatusBadRequest, err.Error())
	}
	if part, ok := req["versionIncrement"].(string); ok {
		version, _ := updated.doc["version"].(string)
		updated.doc["version"] = bumpVersion(version, part)
		updated.versions = append(slices.Clone(rec.versions), updated.doc["version"].(string))
	}
	updated.doc["key"] = newKey
	updated.doc["updated"] = formatTime(now)
	if err := s.store(updated); err != nil {
		return errorResponse(http.StatusInternalServerError, err.Error())
	}
	if newKey != key {
		delete(s.agents, key)
	}
	return jsonResponse(http.StatusOK, sc.view(updated.doc))
}

// delete handles DELETE /v2/agents/{key}.
func (s *Server) delete(sc scope, key string) response {
	s.mu.Lock()
	defer s.mu.Unlock()
	rec, ok := s.visibleAgent(sc, key)
	if !ok {
		return errorResponse(http.StatusNotFound, msgAgentNotFound)
	}
	// The document is silent on an agent's schedules when it goes; orqmem
	// refuses rather than leave them firing for nothing or drop them unseen.
	if ids := s.scheduleIDs(rec.id()); len(ids) > 0 {
		return errorResponse(http.StatusConflict, fmt.Sprintf(msgAgentHasSchedulesFmt, key, joinComma(ids)))
	}
	delete(s.agents, key)
	return response{status: http.StatusNoContent}
}

// renderer returns a renderer whose IDs use the server's generator at now
// and whose tools resolve as the caller sees the workspace. The caller must
// hold s.mu.
func (s *Server) renderer(sc scope, now time.Time) renderer {
	newID := func() string { return s.ids.next(now) }
	return renderer{newID: newID, resolveTool: func(in map[string]any) (toolRef, error) {
		return s.resolveTool(sc, in, newID)
	}}
}

// store normalizes rec.doc (an independent copy with json.Number numbers)
// and saves it under its key. The caller must hold s.mu.
func (s *Server) store(rec *agentRecord) error {
	doc, err := deepCopy(rec.doc)
	if err != nil {
		return fmt.Errorf("encode agent: %w", err)
	}
	rec.doc = doc
	s.agents[doc["key"].(string)] = rec
	return nil
}

// list handles GET /v2/agents.
func (s *Server) list(sc scope, q url.Values) response {
	limit, err := agentLimits.parse(q)
	if err != nil {
		return errorResponse(http.StatusBadRequest, err.Error())
	}
	if t, ok := q["type"]; ok && (len(t) != 1 || t[0] != agentType) {
		return errorResponse(http.StatusBadRequest, msgInvalidListType)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	data, hasMore := paginate(s.sortedRecords(sc), (*agentRecord).id, limit, q.Get("starting_after"), q.Get("ending_before"))
	page := listPage{Object: "list", Data: make([]map[string]any, 0, len(data)), HasMore: hasMore}
	for _, rec := range data {
		page.Data = append(page.Data, sc.view(rec.doc))
	}
	return jsonResponse(http.StatusOK, page)
}

// are monotonic ULIDs, so descending ID order is reverse creation order. The
// caller must hold s.mu.
func (s *Server) sortedRecords(sc scope) []*agentRecord {
	recs := make([]*agentRecord, 0, len(s.agents))
	for key := range s.agents {
		if rec, ok := s.visibleAgent(sc, key); ok {
			recs = append(recs, rec)
		}
	}
	sort.Slice(recs, func(i, j int) bool { return recs[i].id() > recs[j].id() })
	return recs
}

// paginate applies the cursors and the limit (0 = unlimited) to recs, which
// are sorted newest first. starting_after keeps agents older than the cursor
// and returns the first page of them; ending_before keeps agents newer than
// the cursor and returns the page adjacent to it. Cursors are compared as
