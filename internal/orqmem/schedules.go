package orqmem

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// This file serves an agent's schedules: /v3/agents/{agent_key}/schedules,
// .../{schedule_id} and .../{schedule_id}/execution. A schedule belongs to
// its agent (by _id: renaming the agent keeps them; deleting it is refused
// while they exist); it is seen by whoever sees the agent.

// Schedule routes.
const (
	schedulesPrefix = "/v3/agents/"
	schedulesRoute  = "/v3/agents/{agent_key}/schedules"
	scheduleItem    = schedulesRoute + "/{schedule_id}"
	executionRoute  = scheduleItem + "/execution"
)

// scheduleCall is one request to a schedule route.
type scheduleCall struct {
	sc       scope
	keyID    string // apiKeyID of the caller's token
	agentKey string
	id       string // "" on the collection
}

// routeSchedules dispatches a request below /v3/agents/.
func (s *Server) routeSchedules(r *http.Request, p string, body []byte, sc scope, token string) response {
	parts := strings.Split(strings.TrimPrefix(p, schedulesPrefix), "/")
	for i, raw := range parts {
		part, err := url.PathUnescape(raw)
		if err != nil || part == "" || strings.Contains(part, "/") {
			return scheduleError(http.StatusNotFound, codeRouteNotFound, msgRouteNotFound)
		}
		parts[i] = part
	}
	if len(parts) < 2 || len(parts) > 4 || parts[1] != "schedules" || (len(parts) == 4 && parts[3] != "execution") {
		return scheduleError(http.StatusNotFound, codeRouteNotFound, msgRouteNotFound)
	}
	c := scheduleCall{sc: sc, keyID: apiKeyID(token), agentKey: parts[0]}
	switch {
	case len(parts) == 2 && r.Method == http.MethodGet:
		return s.listSchedules(c)
	case len(parts) == 2 && r.Method == http.MethodPost:
		return s.createSchedule(c, body)
	case len(parts) == 2:
		return scheduleMethodNotAllowed("GET, POST")
	}
	c.id = parts[2]
	switch {
	case len(parts) == 4 && r.Method == http.MethodPost:
		return s.triggerSchedule(c)
	case len(parts) == 4:
		return scheduleMethodNotAllowed("POST")
	case r.Method == http.MethodGet:
		return s.getSchedule(c)
	case r.Method == http.MethodPatch:
		return s.patchSchedule(c, body)
	case r.Method == http.MethodDelete:
		return s.deleteSchedule(c)
	}
	return scheduleMethodNotAllowed("GET, PATCH, DELETE")
}

// scheduleAgent returns the agent a call names, or the 404. The caller must
// hold s.mu.
func (s *Server) scheduleAgent(c scheduleCall) (*agentRecord, *response) {
	rec, ok := s.visibleAgent(c.sc, c.agentKey)
	if !ok {
		resp := scheduleError(http.StatusNotFound, codeAgentNotFound, fmt.Sprintf("Agent %q not found", c.agentKey))
		return nil, &resp
	}
	return rec, nil
}

// findSchedule returns the agent and schedule a call names, or the 404: a
// schedule of another agent is not found. The caller must hold s.mu.
func (s *Server) findSchedule(c scheduleCall) (*agentRecord, *entry, *response) {
	rec, resp := s.scheduleAgent(c)
	if resp != nil {
		return nil, nil, resp
	}
	e, ok := s.schedules.get(c.id)
	if !ok || e.owner != rec.id() {
		resp := scheduleError(http.StatusNotFound, codeNotFound, fmt.Sprintf("Schedule %q not found", c.id))
		return nil, nil, &resp
	}
	return rec, e, nil
}

// checkTag answers 404 unless tag names a version the agent has or had.
func checkTag(rec *agentRecord, tag any) *response {
	if t, ok := tag.(string); ok && !slices.Contains(rec.versions, t) {
		msg := fmt.Sprintf("Agent %q has no version %q (versions: %s)", rec.doc["key"], t, joinComma(rec.versions))
		resp := scheduleError(http.StatusNotFound, codeVersionNotFound, msg)
		return &resp
	}
	return nil
}

// scheduleView renders a schedule with its agent's current key.
func (s *Server) scheduleView(e *entry) map[string]any {
	out := copyMap(e.doc)
	if rec, ok := s.agentByID(e.owner); ok {
		out["agent_key"] = rec.doc["key"]
	}
	return out
}

// listSchedules handles GET .../schedules: all of them, newest first.
func (s *Server) listSchedules(c scheduleCall) response {
	s.mu.Lock()
	defer s.mu.Unlock()
	rec, resp := s.scheduleAgent(c)
	if resp != nil {
		return *resp
	}
	items := []map[string]any{}
	for _, e := range s.schedules.sorted(func(e *entry) bool { return e.owner == rec.id() }) {
		items = append(items, s.scheduleView(e))
	}
	return jsonResponse(http.StatusOK, map[string]any{"schedules": items})
}

// createSchedule handles POST .../schedules: active, generation 1, never
// triggered.
func (s *Server) createSchedule(c scheduleCall, body []byte) response {
	req, err := s.decodeValid(body, scheduleCreateRule, http.MethodPost, schedulesRoute)
	if err != nil {
		return scheduleFailure(err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	rec, resp := s.scheduleAgent(c)
	if resp == nil {
		resp = checkTag(rec, req["agent_tag"])
	}
	if resp != nil {
		return *resp
	}
	doc := map[string]any{
		"type": req["type"], "expression": req["expression"], "display_name": req["display_name"],
		"payload": req["payload"], "is_active": true, "generation": json.Number("1"),
		"trigger_count": json.Number("0"), "created_by_id": c.keyID,
	}
	if tag, ok := req["agent_tag"]; ok {
		doc["agent_tag"] = tag
	}
	e := &entry{owner: rec.id(), doc: doc}
	now := s.now()
	if err := s.schedules.insert(e, func() string { return s.ids.next(now) }, now); err != nil {
		return scheduleFailure(err)
	}
	return jsonResponse(http.StatusCreated, s.scheduleView(e))
}

// getSchedule handles GET .../schedules/{schedule_id}.
func (s *Server) getSchedule(c scheduleCall) response {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, e, resp := s.findSchedule(c)
	if resp != nil {
		return *resp
	}
	return jsonResponse(http.StatusOK, s.scheduleView(e))
}

// patchSchedule handles PATCH .../schedules/{schedule_id}. As the document
// says: a new expression or type, or a reactivation, bumps generation (and
// a new expression or type restarts trigger_count); payload, agent_tag and
// display_name changes do not.
func (s *Server) patchSchedule(c scheduleCall, body []byte) response {
	req, err := s.decodeValid(body, scheduleUpdateRule, http.MethodPatch, scheduleItem)
	if err != nil {
		return scheduleFailure(err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	rec, old, resp := s.findSchedule(c)
	if resp == nil {
		resp = checkTag(rec, req["agent_tag"])
	}
	if resp != nil {
		return *resp
	}
	next, err := old.clone()
	if err != nil {
		return scheduleFailure(err)
	}
	cadence := (req["expression"] != nil && req["expression"] != old.doc["expression"]) ||
		(req["type"] != nil && req["type"] != old.doc["type"])
	reactivated := req["is_active"] == true && old.doc["is_active"] == false
	for _, f := range []string{"agent_tag", "display_name", "expression", "payload", "type", "is_active"} {
		if v, ok := req[f]; ok {
			next.doc[f] = v
		}
	}
	if cadence {
		next.doc["trigger_count"] = json.Number("0")
	}
	if cadence || reactivated {
		next.doc["generation"] = json.Number(fmt.Sprint(counter(old.doc, "generation") + 1))
	}
	stamp := stamps(s.now())
	stamp["updated_by_id"] = c.keyID
	if changed, err := s.schedules.replace(old, next, stamp); err != nil || !changed {
		if err != nil {
			return scheduleFailure(err)
		}
		return jsonResponse(http.StatusOK, s.scheduleView(old))
	}
	return jsonResponse(http.StatusOK, s.scheduleView(next))
}

// deleteSchedule handles DELETE .../schedules/{schedule_id}.
func (s *Server) deleteSchedule(c scheduleCall) response {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, e, resp := s.findSchedule(c)
	if resp != nil {
		return *resp
	}
	s.schedules.remove(e.id)
	return response{status: http.StatusNoContent}
}

// triggerSchedule handles POST .../execution: an active schedule counts a
// firing now (the real one runs about 10 s later); an inactive one is a
// 400, as documented. A firing is no update: updated stays.
func (s *Server) triggerSchedule(c scheduleCall) response {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, e, resp := s.findSchedule(c)
	if resp != nil {
		return *resp
	}
	if e.doc["is_active"] != true {
		return scheduleError(http.StatusBadRequest, codeInactive,
			fmt.Sprintf("Schedule %q is inactive: activate it (is_active: true) to trigger it", e.id))
	}
	e.doc["trigger_count"] = json.Number(fmt.Sprint(counter(e.doc, "trigger_count") + 1))
	e.doc["last_triggered_at"] = formatTime(s.now())
	return jsonResponse(http.StatusAccepted, map[string]string{"schedule_id": e.id, "status": "triggered"})
}

// counter returns the integer member name of doc; 0 when it is none (a
// studio edit may have stored anything).
func counter(doc map[string]any, name string) int64 {
	n, _ := doc[name].(json.Number)
	v, _ := n.Int64()
	return v
}

// scheduleIDs returns the ids of the schedules of the agent with _id
// agentID, oldest first. The caller must hold s.mu.
func (s *Server) scheduleIDs(agentID string) []string {
	var ids []string
	for _, e := range s.schedules.sorted(func(e *entry) bool { return e.owner == agentID }) {
		ids = append(ids, e.id)
	}
	slices.Reverse(ids)
	return ids
}
