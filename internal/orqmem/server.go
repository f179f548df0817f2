// Package orqmem is an in-memory implementation of the orq.ai API for tests
// and local development: the Agents API (POST/GET /v2/agents,
// GET/PATCH/DELETE /v2/agents/{agent_key}), the tools (/v2/tools), knowledge
// bases (/v2/knowledge), memory stores (/v2/memory-stores) and agent
// schedules (/v3/agents/{agent_key}/schedules). It validates request bodies
// like the real API, answers in the shapes of the official OpenAPI
// descriptions, and offers hooks to inspect requests and inject faults.
package orqmem

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// DefaultProjectID is the project_id of agents when Options.ProjectID is
// empty.
const DefaultProjectID = "01JQRM3MP0RQ0PERAT0R000000"

// DefaultWorkspaceID is the workspace_id tools answer when
// Options.WorkspaceID is empty.
const DefaultWorkspaceID = "01JQRM3MP0W0RKSPACE0000000"

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
	msgInvalidListType = "type: must be one of: internal"
	// msgAgentHasSchedulesFmt refuses to delete an agent with schedules.
	msgAgentHasSchedulesFmt = "Agent %q has schedules: %s; delete them first"
)

// Pagination bounds of GET /v2/agents (and the upper bound of tools and
// memory stores).
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

// GraphValidator validates request bodies of the tools, knowledge bases,
// memory stores and schedules routes, e.g. against their OpenAPI document
// (*openapi.Graph satisfies it). method and route name the operation, the
// route as a template such as "/v2/tools/{tool_id}".
type GraphValidator interface {
	ValidateRequest(method, route string, body []byte) error
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
	// Graph optionally validates the request bodies of the other routes
	// after the built-in validator accepted them.
	Graph GraphValidator
	// WorkspaceID is the workspace_id tools answer; DefaultWorkspaceID
	// when empty.
	WorkspaceID string
	// Now is the clock used for timestamps and IDs; time.Now when nil.
	Now func() time.Time
}

// Server is an in-memory orq.ai API (see the package comment). It
// implements http.Handler and is safe for concurrent use.
type Server struct {
	now         func() time.Time
	schema      RequestValidator
	graph       GraphValidator
	workspaceID string
	projectSeed map[string]string
	// The kinds serving the /v2 collections other than agents.
	toolKind, knowledgeKind, memoryStoreKind *kind

	mu          sync.Mutex
	apiKeys     map[string]bool
	projectKeys map[string]string
	ids         ulidGen
	agents      map[string]*agentRecord
	implicit    implicitTools
	projects    projectRegistry
	// The collections; each is cleared, never replaced, by Reset.
	tools, knowledge, memoryStores, schedules *collection
	requests                                  []Request
	seq                                       uint64 // the number of the last request
	faults                                    []*activeFault
	latency                                   time.Duration
}

// New returns a Server configured by opts.
func New(opts Options) *Server {
	s := &Server{
		now:          opts.Now,
		schema:       opts.Schema,
		projectSeed:  projectSeed(opts),
		projectKeys:  copyStrings(opts.ProjectKeys),
		agents:       map[string]*agentRecord{},
		implicit:     newImplicitTools(),
		graph:        opts.Graph,
		workspaceID:  opts.WorkspaceID,
		tools:        newCollection("Tool", toolPrefix),
		knowledge:    newCollection("Knowledge base", ""),
		memoryStores: newCollection("Memory store", ""),
		schedules:    newCollection("Schedule", ""),
	}
	s.toolKind, s.knowledgeKind, s.memoryStoreKind = s.newToolKind(), s.newKnowledgeKind(), s.newMemoryStoreKind()
	if s.now == nil {
		s.now = time.Now
	}
	if s.workspaceID == "" {
		s.workspaceID = DefaultWorkspaceID
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
	delay, fault, seq := s.admit(r, body, token)
	if !sleep(r, delay) {
		return
	}
	sc, accepted := s.authenticate(token)
	var resp response
	switch {
	case fault != nil && !fault.AfterHandling:
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
		resp = s.route(r, body, sc, token)
		if fault != nil {
			resp = faultResponse(fault) // handled; its answer lost
		}
	}
	s.answered(seq, resp.status)
	writeResponse(w, resp)
}

// answered records the status answered to request seq, if it is still recorded.
func (s *Server) answered(seq uint64, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := len(s.requests) - 1; i >= 0; i-- {
		if s.requests[i].seq == seq {
			s.requests[i].Status = status
			return
		}
	}
}

// admit records the request and returns the latency to apply and the fault
// to answer with, if any.
func (s *Server) admit(r *http.Request, body []byte, token string) (time.Duration, *Fault, uint64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq++
	s.requests = append(s.requests, Request{
		seq:         s.seq,
		Method:      r.Method,
		Path:        r.URL.Path,
		RawQuery:    r.URL.RawQuery,
		Body:        body,
		Token:       token,
		Traceparent: r.Header.Get("Traceparent"),
		At:          s.now(),
	})
	delay, fault := s.matchFaults(r.Method, r.URL.Path)
	return s.latency + delay, fault, s.seq
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
// route dispatches an authenticated request.
func (s *Server) route(r *http.Request, body []byte, sc scope, token string) response {
	p := r.URL.EscapedPath()
	switch {
	case p == agentsPath || strings.HasPrefix(p, agentsPrefix):
		return s.routeAgents(r, p, body, sc)
	case strings.HasPrefix(p, schedulesPrefix):
		return s.routeSchedules(r, p, body, sc, token)
	}
	for _, k := range []*kind{s.toolKind, s.knowledgeKind, s.memoryStoreKind} {
		if p == k.route || strings.HasPrefix(p, k.route+"/") {
			return s.routeKind(k, r, p, body, sc)
		}
	}
	return errorResponse(http.StatusNotFound, msgRouteNotFound)
}

// newID returns a new ULID at the current time. The caller must hold s.mu.
func (s *Server) newID() string { return s.ids.next(s.now()) }

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
