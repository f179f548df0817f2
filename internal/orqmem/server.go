// Package orqmem is an in-memory implementation of the orq.ai Agents API
// (POST/GET /v2/agents, GET/PATCH/DELETE /v2/agents/{agent_key}) for tests
// and local development. It validates request bodies like the real API,
// answers in the shapes of the official OpenAPI description, and offers hooks
// to inspect requests and inject faults.
package orqmem

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// DefaultProjectID is the project_id of agents when Options.ProjectID is
// empty.
const DefaultProjectID = "01JQRM3MP0RQ0PERAT0R000000"

// Routes served by the Server.
const (
	agentsPath   = "/v2/agents"
	agentsPrefix = agentsPath + "/"
)

// maxBodyBytes bounds request bodies.
const maxBodyBytes = 8 << 20

// Error messages returned in {"message": ...} bodies.
const (
	msgAgentNotFound   = "Agent not found"
	msgRouteNotFound   = "Not found"
	msgMissingToken    = "Unauthorized: missing bearer token"
	msgInvalidToken    = "Unauthorized: invalid API key"
	msgMethodNotAllow  = "Method not allowed"
	msgBodyTooLarge    = "Request body too large"
	msgAgentExistsFmt  = "Agent with key %q already exists"
	msgInvalidLimit    = "limit: must be a number between 1 and 200"
	msgInvalidListType = "type: must be one of: internal"
)

// Pagination bounds of GET /v2/agents.
const (
	minLimit = 1
	maxLimit = 200
)

// RequestValidator performs extra validation of request bodies, e.g. against
// the OpenAPI document (*openapi.Spec satisfies it).
type RequestValidator interface {
	ValidateCreateRequest(body []byte) error
	ValidateUpdateRequest(body []byte) error
}

// Options configure a Server.
type Options struct {
	// APIKeys are the accepted bearer tokens. If empty, any non-empty bearer
	// token is accepted.
	APIKeys []string
	// ProjectID is the id of the project named DefaultProjectName;
	// DefaultProjectID when empty.
	ProjectID string
	// Projects are further projects known from the start, name -> id.
	// orqmem has no projects API, so a path naming any other project
	// creates it, with a new ULID.
	Projects map[string]string
	// ProjectKeys are project-scoped API keys, bearer token -> project
	// name, accepted besides APIKeys. Such a key sees only its project's
	// agents and paths relative to that project (see scope.go).
	ProjectKeys map[string]string
	// Schema optionally validates request bodies after the built-in
	// validator accepted them; nil means built-in validation only. It sees
	// the bodies without what orq added after the OpenAPI document (see
	// sdkadditions.go), which the built-in validator checks.
	Schema RequestValidator
	// Now is the clock used for timestamps and IDs; time.Now when nil.
	Now func() time.Time
}

// Server is an in-memory orq.ai Agents API. It implements http.Handler and is
// safe for concurrent use.
type Server struct {
	now         func() time.Time
	schema      RequestValidator
	projectSeed map[string]string

	mu          sync.Mutex
	apiKeys     map[string]bool
	projectKeys map[string]string
	ids         ulidGen
	agents      map[string]*agentRecord
	tools       toolRegistry
	projects    projectRegistry
	requests    []Request
	faults      []*activeFault
	latency     time.Duration
}

// New returns a Server configured by opts.
func New(opts Options) *Server {
	s := &Server{
		now:         opts.Now,
		schema:      opts.Schema,
		projectSeed: projectSeed(opts),
		projectKeys: copyStrings(opts.ProjectKeys),
		agents:      map[string]*agentRecord{},
		tools:       newToolRegistry(),
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.schema != nil {
		s.schema = withoutAdditions{next: s.schema}
	}
	s.projects = newProjectRegistry(s.projectSeed)
	s.SetAPIKeys(opts.APIKeys...)
	return s
}

// copyStrings returns a copy of m.
func copyStrings(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// SetAPIKeys replaces the accepted workspace-level bearer tokens; with no
// keys and no Options.ProjectKeys any non-empty token is accepted as a
// workspace key.
func (s *Server) SetAPIKeys(keys ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.apiKeys = make(map[string]bool, len(keys))
	for _, k := range keys {
		s.apiKeys[k] = true
	}
}

// response is a status with an optional JSON body, produced under the lock
// and written after it is released.
type response struct {
	status int
	header http.Header
	body   []byte
}

// ServeHTTP records the request, applies latency and faults, authenticates
// and dispatches to the Agents API handlers.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, readErr := io.ReadAll(io.LimitReader(r.Body, maxBodyBytes+1))
	token := bearerToken(r)
	delay, fault := s.admit(r, body, token)
	if !sleep(r, delay) {
		return
	}
	sc, accepted := s.authenticate(token)
	var resp response
	switch {
	case fault != nil:
		resp = faultResponse(fault)
	case token == "":
		resp = unauthorized(msgMissingToken)
	case !accepted:
		resp = unauthorized(msgInvalidToken)
	case readErr != nil:
		resp = errorResponse(http.StatusBadRequest, "could not read request body: "+readErr.Error())
	case len(body) > maxBodyBytes:
		resp = errorResponse(http.StatusRequestEntityTooLarge, msgBodyTooLarge)
	default:
		resp = s.route(r, body, sc)
	}
	writeResponse(w, resp)
}

// admit records the request and returns the latency to apply and the fault
// to answer with, if any.
func (s *Server) admit(r *http.Request, body []byte, token string) (time.Duration, *Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, Request{
		Method:   r.Method,
		Path:     r.URL.Path,
		RawQuery: r.URL.RawQuery,
		Body:     body,
		Token:    token,
		At:       s.now(),
	})
	delay, fault := s.matchFaults(r.Method, r.URL.Path)
	return s.latency + delay, fault
}

// sleep waits for d or until the request is cancelled; it reports whether
// the request should still be answered.
func sleep(r *http.Request, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
		return false
	}
}

// bearerToken extracts the token of an "Authorization: Bearer" header.
func bearerToken(r *http.Request) string {
	h := strings.TrimSpace(r.Header.Get("Authorization"))
	scheme, token, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return ""
	}
	return strings.TrimSpace(token)
}

// authenticate reports whether token is a valid API key and the project it
// is scoped to.
func (s *Server) authenticate(token string) (scope, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if project, ok := s.projectKeys[token]; ok {
		return scope(project), true
	}
	return "", s.apiKeys[token] || (len(s.apiKeys) == 0 && len(s.projectKeys) == 0)
}

// route dispatches an authenticated request.
func (s *Server) route(r *http.Request, body []byte, sc scope) response {
	p := r.URL.EscapedPath()
	if p == agentsPath {
		switch r.Method {
		case http.MethodGet:
			return s.list(sc, r.URL.Query())
		case http.MethodPost:
			return s.create(sc, body)
		}
		return methodNotAllowed("GET, POST")
	}
	rawKey, ok := strings.CutPrefix(p, agentsPrefix)
	if !ok || rawKey == "" {
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
	sent, _ := req["path"].(string)
	req["path"] = sc.storedPath(sent)
	project, _ := splitPath(req["path"].(string))
	if project == "" {
		return errorResponse(http.StatusBadRequest, fieldPath("path").fail(msgPathNoProject).Error())
	}
	if _, exists := s.agents[key]; exists {
		return errorResponse(http.StatusConflict, fmt.Sprintf(msgAgentExistsFmt, key))
	}
	now := s.now()
	projectID := s.projects.idOf(project, s.renderer(now).newID)
	rec := &agentRecord{doc: newDoc(s.ids.next(now), key, projectID, now)}
	if err := s.renderer(now).apply(rec, req, true); err != nil {
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
	if !ok || sc == "" {
		return rec, ok
	}
	id, known := s.projects.idByName[string(sc)]
	return rec, known && rec.doc["project_id"] == id
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
	now := s.now()
	if resp := s.place(sc, rec, req, s.renderer(now).newID); resp != nil {
		return *resp
	}
	updated := &agentRecord{doc: copyMap(rec.doc), givenVars: rec.givenVars}
	if err := s.renderer(now).apply(updated, req, false); err != nil {
		return errorResponse(http.StatusBadRequest, err.Error())
	}
	if part, ok := req["versionIncrement"].(string); ok {
		version, _ := updated.doc["version"].(string)
		updated.doc["version"] = bumpVersion(version, part)
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
	if _, ok := s.visibleAgent(sc, key); !ok {
		return errorResponse(http.StatusNotFound, msgAgentNotFound)
	}
	delete(s.agents, key)
	return response{status: http.StatusNoContent}
}

// renderer returns a renderer whose IDs use the server's generator at now.
// The caller must hold s.mu.
func (s *Server) renderer(now time.Time) renderer {
	return renderer{newID: func() string { return s.ids.next(now) }, tools: s.tools}
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

// listPage is the GET /v2/agents response.
type listPage struct {
	Object  string           `json:"object"`
	Data    []map[string]any `json:"data"`
	HasMore bool             `json:"has_more"`
}

// list handles GET /v2/agents.
func (s *Server) list(sc scope, q url.Values) response {
	limit, err := parseLimit(q)
	if err != nil {
		return errorResponse(http.StatusBadRequest, err.Error())
	}
	if t, ok := q["type"]; ok && (len(t) != 1 || t[0] != agentType) {
		return errorResponse(http.StatusBadRequest, msgInvalidListType)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	data, hasMore := paginate(s.sortedRecords(sc), limit, q.Get("starting_after"), q.Get("ending_before"))
	page := listPage{Object: "list", Data: make([]map[string]any, 0, len(data)), HasMore: hasMore}
	for _, rec := range data {
		page.Data = append(page.Data, sc.view(rec.doc))
	}
	return jsonResponse(http.StatusOK, page)
}

// parseLimit returns the limit query parameter, 0 when absent.
func parseLimit(q url.Values) (int, error) {
	raw, ok := q["limit"]
	if !ok {
		return 0, nil
	}
	if len(raw) != 1 {
		return 0, errors.New(msgInvalidLimit)
	}
	f, err := strconv.ParseFloat(raw[0], 64)
	if err != nil || f < minLimit || f > maxLimit || f != float64(int(f)) {
		return 0, errors.New(msgInvalidLimit)
	}
	return int(f), nil
}

// sortedRecords returns the agents the caller may see, newest first. IDs
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
// IDs, so they keep working when the cursor agent was deleted.
func paginate(recs []*agentRecord, limit int, after, before string) ([]*agentRecord, bool) {
	var kept []*agentRecord
	for _, rec := range recs {
		id := rec.id()
		if after != "" && id >= after {
			continue
		}
		if before != "" && id <= before {
			continue
		}
		kept = append(kept, rec)
	}
	if limit == 0 || len(kept) <= limit {
		return kept, false
	}
	if before != "" && after == "" {
		return kept[len(kept)-limit:], true
	}
	return kept[:limit], true
}

// jsonResponse encodes v as the body of a response with status.
func jsonResponse(status int, v any) response {
	body, err := marshal(v)
	if err != nil {
		return errorResponse(http.StatusInternalServerError, "encode response: "+err.Error())
	}
	return response{status: status, body: body}
}

// errorResponse returns {"message": msg} with status.
func errorResponse(status int, msg string) response {
	body, _ := marshal(map[string]string{"message": msg})
	return response{status: status, body: body}
}

// marshal encodes v as compact JSON without HTML escaping, so that messages
// such as "must be <= 100" stay readable.
func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// unauthorized returns a 401 with a WWW-Authenticate challenge.
func unauthorized(msg string) response {
	resp := errorResponse(http.StatusUnauthorized, msg)
	resp.header = http.Header{"Www-Authenticate": {"Bearer"}}
	return resp
}

// methodNotAllowed returns a 405 listing the allowed methods.
func methodNotAllowed(allow string) response {
	resp := errorResponse(http.StatusMethodNotAllowed, msgMethodNotAllow)
	resp.header = http.Header{"Allow": {allow}}
	return resp
}

// writeResponse writes resp to w.
func writeResponse(w http.ResponseWriter, resp response) {
	for k, v := range resp.header {
		w.Header()[k] = v
	}
	if resp.body != nil {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", strconv.Itoa(len(resp.body)))
	}
	w.WriteHeader(resp.status)
	if resp.body != nil {
		_, _ = io.Copy(w, bytes.NewReader(resp.body))
	}
}
