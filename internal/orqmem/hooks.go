package orqmem

import (
	"encoding/json"
	"maps"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Request is a request received by the Server, recorded for assertions.
// Requests rejected by authentication or by injected faults are recorded
// too.
type Request struct {
	Method   string
	Path     string
	RawQuery string
	Body     []byte
	// Token is the bearer token sent, "" if none.
	Token string
	// Traceparent is the W3C trace context header sent, "" if none.
	Traceparent string
	// At is the receive time according to Options.Now.
	At time.Time
	// Status is the status answered; 0 while unanswered, or when the client went away first.
	Status int

	seq uint64 // the request's number, to record its answer
}

// Fault describes an injected failure.
type Fault struct {
	// Method restricts the fault to one HTTP method; "" matches any.
	Method string
	// Path is a URL path prefix, e.g. "/v2/agents/my-agent"; "" matches any.
	Path string
	// Status is the HTTP status to answer with. A fault with Status 0 only
	// adds Latency and lets the request proceed.
	Status int
	// RetryAfter, when positive, is sent as a Retry-After header in whole
	// seconds (rounded up).
	RetryAfter time.Duration
	// Latency delays the response.
	Latency time.Duration
	// Times is how many requests the fault applies to; 0 means until
	// ClearFaults.
	Times int
	// Message is the {"message": ...} body; the status text when empty.
	Message string
	// Every applies the fault to one matching request in Every (2: every other one, the
	// second, fourth, ...); 0 or 1: to each.
	Every int
	// AfterHandling handles the request first and then answers with the fault instead: a
	// request that landed and whose answer was lost (a gateway timeout after the write).
	AfterHandling bool
}

// activeFault is an injected fault with its remaining uses.
type activeFault struct {
	Fault
	remaining int // -1 = unlimited
	seen      int // matching requests so far, for Every
}

// matches reports whether the fault applies to a request.
func (f *activeFault) matches(method, path string) bool {
	return (f.Method == "" || strings.EqualFold(f.Method, method)) &&
		strings.HasPrefix(path, f.Path)
}

// AddFault injects a fault. Faults apply in the order they were added: every
// matching latency-only fault adds its latency, and the first matching fault
// with a status answers the request. Each applied fault uses one of its
// Times.
func (s *Server) AddFault(f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	remaining := f.Times
	if remaining <= 0 {
		remaining = -1
	}
	s.faults = append(s.faults, &activeFault{Fault: f, remaining: remaining})
}

// ClearFaults removes all injected faults.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = nil
}

// matchFaults consumes the faults matching a request and returns the added
// latency and the answering fault, if any. The caller must hold s.mu.
func (s *Server) matchFaults(method, path string) (time.Duration, *Fault) {
	var delay time.Duration
	var answer *Fault
	kept := s.faults[:0]
	for _, f := range s.faults {
		applies := f.matches(method, path) && (f.Status == 0 || answer == nil)
		if applies && f.Every > 1 {
			f.seen++
			applies = f.seen%f.Every == 0
		}
		if applies {
			delay += f.Latency
			if f.Status != 0 {
				fault := f.Fault
				answer = &fault
			}
			if f.remaining > 0 {
				f.remaining--
			}
		}
		if f.remaining != 0 {
			kept = append(kept, f)
		}
	}
	clear(s.faults[len(kept):])
	s.faults = kept
	return delay, answer
}

// faultResponse renders the answer of an injected fault.
func faultResponse(f *Fault) response {
	msg := f.Message
	if msg == "" {
		msg = http.StatusText(f.Status)
	}
	resp := errorResponse(f.Status, msg)
	if f.Status == http.StatusNoContent || f.Status == http.StatusNotModified {
		resp.body = nil
	}
	if f.RetryAfter > 0 {
		secs := int(math.Ceil(f.RetryAfter.Seconds()))
		resp.header = http.Header{"Retry-After": {strconv.Itoa(secs)}}
	}
	return resp
}

// SetLatency delays every response by d (in addition to fault latency).
func (s *Server) SetLatency(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.latency = d
}

// Requests returns the recorded requests, oldest first.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// ResetRequests forgets the recorded requests.
func (s *Server) ResetRequests() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = nil
}

// CountRequests returns how many requests with the given method were
// recorded; "" counts all requests.
func (s *Server) CountRequests(method string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, r := range s.requests {
		if method == "" || strings.EqualFold(r.Method, method) {
			n++
		}
	}
	return n
}

// Agent returns a deep copy of the stored agent (the GET response document
// a workspace key gets, numbers as json.Number) and whether it exists.
func (s *Server) Agent(key string) (map[string]any, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rec, ok := s.agents[key]
	if !ok {
		return nil, false
	}
	doc, err := deepCopy(rec.doc)
	if err != nil {
		return nil, false
	}
	return doc, true
}

// Keys returns the keys of the stored agents in ascending order.
func (s *Server) Keys() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Sorted(maps.Keys(s.agents))
}

// MutateAgent simulates an edit made outside the API (e.g. in the orq
// studio): f receives a copy of the stored document and may change it
// freely; the result is stored with a refreshed "updated" timestamp. If f
// changes "key" to a free, non-empty key the agent is re-keyed; otherwise the
// key is restored. A version the agent never had counts as published (see
// AgentVersions). It returns false if the agent does not exist or the
// document can no longer be encoded as JSON.
func (s *Server) MutateAgent(key string, f func(agent map[string]any)) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	rec, ok := s.agents[key]
	if !ok {
		return false
	}
	doc, err := deepCopy(rec.doc)
	if err != nil {
		return false
	}
	f(doc)
	if newKey, ok := doc["key"].(string); !ok || newKey == "" || (newKey != key && s.agents[newKey] != nil) {
		doc["key"] = key
	}
	doc["updated"] = formatTime(s.now())
	if _, err := json.Marshal(doc); err != nil {
		return false
	}
	updated := &agentRecord{doc: doc, givenVars: rec.givenVars, versions: rec.versions}
	if v, ok := doc["version"].(string); ok && !slices.Contains(rec.versions, v) {
		updated.versions = append(slices.Clone(rec.versions), v) // published in the studio
	}
	delete(s.agents, key)
	if err := s.store(updated); err != nil {
		s.agents[key] = rec
		return false
	}
	return true
}

// Reset deletes all agents, tools, knowledge bases, memory stores,
// schedules, projects other than those of Options,
// recorded requests, faults and the global latency. Accepted API keys are
// kept.
func (s *Server) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.agents = map[string]*agentRecord{}
	s.implicit = newImplicitTools()
	for _, c := range []*collection{s.tools, s.knowledge, s.memoryStores, s.schedules} {
		c.clear()
	}
	s.projects = newProjectRegistry(s.projectSeed)
	s.requests = nil
	s.faults = nil
	s.latency = 0
}
