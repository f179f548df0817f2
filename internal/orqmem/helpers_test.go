package orqmem_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/orq-ai/orq-operator/internal/openapi"
	"github.com/orq-ai/orq-operator/internal/orqmem"
)

const testToken = "test-token"

// optionalSpec loads the OpenAPI document once if it can be located; tests
// that are not contract tests still run (without schema checks) when it is
// absent.
var optionalSpec = sync.OnceValue(func() *openapi.Spec {
	path, err := openapi.Locate()
	if err != nil {
		return nil
	}
	spec, err := openapi.Load(path)
	if err != nil {
		panic("load OpenAPI document: " + err.Error())
	}
	return spec
})

// optionalGraph loads the graph OpenAPI document once if it can be located.
var optionalGraph = sync.OnceValue(func() *openapi.Graph {
	path, err := openapi.LocateGraph()
	if err != nil {
		return nil
	}
	g, err := openapi.LoadGraph(path)
	if err != nil {
		panic("load graph OpenAPI document: " + err.Error())
	}
	return g
})

// harness drives a Server over real HTTP. When the OpenAPI documents are
// available every accepted request body and every answer is checked
// against them (see checkContract), guarding the fake against drift.
type harness struct {
	t     testing.TB
	fake  *orqmem.Server
	srv   *httptest.Server
	spec  *openapi.Spec
	graph *openapi.Graph
	token string
	// answered counts the successful answers per graph operation
	// ("METHOD route"), for contract coverage.
	answered map[string]int
}

// newHarness starts a fake with opts; a fixed clock is used unless opts.Now
// is set.
func newHarness(t testing.TB, opts orqmem.Options) *harness {
	t.Helper()
	if opts.Now == nil {
		opts.Now = newClock().Now
	}
	fake := orqmem.New(opts)
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	return &harness{t: t, fake: fake, srv: srv, spec: optionalSpec(), graph: optionalGraph(), token: testToken}
}

// result is an HTTP response read in full.
type result struct {
	status int
	header http.Header
	body   []byte
}

// json decodes the body into a generic map.
func (r result) json(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	dec := json.NewDecoder(bytes.NewReader(r.body))
	dec.UseNumber()
	if err := dec.Decode(&m); err != nil {
		t.Fatalf("decode %q: %v", r.body, err)
	}
	return m
}

// message returns the "message" of an error body.
func (r result) message(t testing.TB) string {
	t.Helper()
	msg, _ := r.json(t)["message"].(string)
	return msg
}

// do sends a request with the harness token and checks the contract.
func (h *harness) do(method, path, body string) result {
	h.t.Helper()
	return h.doWithToken(method, path, body, h.token)
}

// doWithToken sends a request with an explicit token ("" = no header).
func (h *harness) doWithToken(method, path, body, token string) result {
	h.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, h.srv.URL+path, rd)
	if err != nil {
		h.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := h.srv.Client().Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		h.t.Fatal(err)
	}
	res := result{status: resp.StatusCode, header: resp.Header, body: out}
	h.checkContract(method, path, body, res)
	return res
}

// checkContract validates accepted requests and successful responses
// against the OpenAPI document, if available.
func (h *harness) checkContract(method, path, body string, res result) {
	h.t.Helper()
	if route, ok := h.graphRoute(path); ok {
		h.checkGraphContract(method, route, body, res)
		return
	}
	if h.spec == nil || res.status >= 300 {
		return
	}
	if ct := res.header.Get("Content-Type"); len(res.body) > 0 && ct != "application/json" {
		h.t.Errorf("contract: %s %s: Content-Type %q", method, path, ct)
	}
	isList := strings.HasPrefix(path, "/v2/agents?") || path == "/v2/agents"
	// The document predates the SDK additions, which orqmem's own rules check.
	req, resBody := orqmem.StripSDKAdditions([]byte(body)), orqmem.StripSDKAdditions(res.body)
	check := func(what string, err error) {
		if err != nil {
			h.t.Errorf("contract: %s %s: %s: %v", method, path, what, err)
		}
	}
	switch {
	case method == http.MethodPost:
		check("request", h.spec.ValidateCreateRequest(req))
		check("response", h.spec.ValidateAgent(resBody))
	case method == http.MethodPatch:
		check("request", h.spec.ValidateUpdateRequest(req))
		check("response", h.spec.ValidateAgent(resBody))
	case method == http.MethodGet && isList:
		check("response", h.spec.ValidateList(resBody))
	case method == http.MethodGet:
		check("response", h.spec.ValidateAgent(resBody))
	}
}

// mustStatus fails the test unless res has the wanted status.
func mustStatus(t testing.TB, res result, want int) {
	t.Helper()
	if res.status != want {
		t.Fatalf("status %d, want %d; body %s", res.status, want, res.body)
	}
}

// clock is a deterministic clock advancing one second per call.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *clock {
	return &clock{now: time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)}
}

// Now returns the current fake time and advances it.
func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(time.Second)
	return c.now
}

// body is a request body under construction.
type body map[string]any

// baseBody returns a minimal valid create body for key.
func baseBody(key string) body {
	return body{
		"key":          key,
		"role":         "Support agent",
		"description":  "Answers customer questions",
		"instructions": "Help {{customer}} with {{ topic }}.",
		"path":         "Default",
		"model":        "openai/gpt-4o",
		"settings":     map[string]any{},
	}
}

// set assigns v at a dotted path, creating intermediate objects. Values of
// type raw are embedded as JSON.
func (b body) set(path string, v any) body {
	parts := strings.Split(path, ".")
	m := map[string]any(b)
	for _, p := range parts[:len(parts)-1] {
		next, ok := m[p].(map[string]any)
		if !ok {
			next = map[string]any{}
			m[p] = next
		}
		m = next
	}
	m[parts[len(parts)-1]] = v
	return b
}

// del removes the value at a dotted path.
func (b body) del(path string) body {
	parts := strings.Split(path, ".")
	m := map[string]any(b)
	for _, p := range parts[:len(parts)-1] {
		next, ok := m[p].(map[string]any)
		if !ok {
			return b
		}
		m = next
	}
	delete(m, parts[len(parts)-1])
	return b
}

// String encodes the body.
func (b body) String() string {
	out, err := json.Marshal(map[string]any(b))
	if err != nil {
		panic(err)
	}
	return string(out)
}

// raw embeds literal JSON in a body.
type raw = json.RawMessage

// create posts b and requires 201.
func (h *harness) create(b body) map[string]any {
	h.t.Helper()
	res := h.do(http.MethodPost, "/v2/agents", b.String())
	mustStatus(h.t, res, http.StatusCreated)
	return res.json(h.t)
}
