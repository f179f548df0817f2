// Package orqclient is a typed HTTP client of the orq.ai Agents API (/v2/agents).
//
// Request and response bodies are JSON objects in the API's own (snake_case) form: the operator
// builds them from the typed Agent spec (see internal/agentdiff), and this package decodes the
// fields it needs into Agent while keeping the complete body for comparison.
package orqclient

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

const (
	// DefaultBaseURL is the orq.ai API.
	DefaultBaseURL = "https://my.orq.ai"
	// DefaultTimeout bounds every request.
	DefaultTimeout = 30 * time.Second
	// DefaultUserAgent identifies the operator to the API.
	DefaultUserAgent = "orq-operator"
	// MaxPageSize is the largest page the list endpoint returns.
	MaxPageSize = 200

	agentsPath = "/v2/agents"
	// maxErrorBody bounds how much of an error answer is read.
	maxErrorBody = 64 << 10
)

// Body is a JSON object in the API's form: a request body or a complete agent.
type Body = map[string]any

// Agent is an agent as the API returns it.
type Agent struct {
	ID        string
	Key       string
	ProjectID string
	Status    string
	Version   string
	// Updated is the `updated` time as the API sends it (compared as a string with listings).
	Updated string
	// TeamKeys are the keys of the members of team_of_agents.
	TeamKeys []string
	// Raw is the complete agent as returned, for comparison with the desired state.
	Raw Body
}

// AgentPage is one page of the list endpoint.
type AgentPage struct {
	Agents  []Agent
	HasMore bool
}

// ListOptions select a page of the list endpoint.
type ListOptions struct {
	// Limit is the page size (1-200); 0 asks for every agent at once.
	Limit int
	// StartingAfter is the ID of the last agent of the previous page.
	StartingAfter string
}

// Options configure a Client.
type Options struct {
	// BaseURL of the API; DefaultBaseURL when empty.
	BaseURL string
	// APIKey is sent as a bearer token, to BaseURL's origin only.
	APIKey string
	// Timeout bounds each request; DefaultTimeout when zero.
	Timeout time.Duration
	// UserAgent; DefaultUserAgent when empty.
	UserAgent string
	// Transport, for tests and instrumentation; http.DefaultTransport when nil.
	Transport http.RoundTripper
	// Limiter paces requests and holds them back after a 429; nil sends at once. Share one
	// Limiter between clients of the same workspace.
	Limiter *Limiter
	// Observe, when set, is told of every request: its operation, the HTTP status (0 when no
	// answer came back, -1 when the Limiter held it back) and how long it took.
	Observe func(operation string, status int, elapsed time.Duration)
}

// Client calls the orq.ai Agents API.
type Client struct {
	base      *url.URL
	apiKey    string
	userAgent string
	http      *http.Client
	limiter   *Limiter
	observe   func(operation string, status int, elapsed time.Duration)
	now       func() time.Time
}

// maxIdleConnsPerHost is how many connections to the API are kept open for reuse: more than the
// workers of any sensible --max-concurrent-reconciles.
const maxIdleConnsPerHost = 64

// ErrRedirect describes a redirect answer: the operator does not follow redirects, so the API
// key never reaches another origin.
var ErrRedirect = errors.New("redirects are not followed")

// New returns a client. It fails on a base URL that is not absolute http(s), and on an API key
// with control characters (surrounding white space, such as the newline a Secret made from a file
// often has, is removed).
func New(o Options) (*Client, error) {
	o.APIKey = strings.TrimSpace(o.APIKey)
	if strings.IndexFunc(o.APIKey, unicode.IsControl) >= 0 {
		return nil, errors.New("the orq API key contains control characters")
	}
	raw := o.BaseURL
	if raw == "" {
		raw = DefaultBaseURL
	}
	base, err := url.Parse(strings.TrimRight(raw, "/"))
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
		return nil, fmt.Errorf("orq API base URL %q must be an absolute http(s) URL", raw)
	}
	if o.Timeout == 0 {
		o.Timeout = DefaultTimeout
	}
	if o.UserAgent == "" {
		o.UserAgent = DefaultUserAgent
	}
	transport := o.Transport
	if transport == nil {
		// http.DefaultTransport keeps 2 idle connections per host: with more workers than that,
		// most requests would open a new connection (and a TLS handshake).
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.MaxIdleConnsPerHost = maxIdleConnsPerHost
		transport = t
	}
	return &Client{
		base:      base,
		apiKey:    o.APIKey,
		userAgent: o.UserAgent,
		http: &http.Client{
			Timeout:   o.Timeout,
			Transport: transport,
			CheckRedirect: func(*http.Request, []*http.Request) error {
				return http.ErrUseLastResponse // the 3xx answer is returned, not followed
			},
		},
		limiter: o.Limiter,
		observe: o.Observe,
		now:     time.Now,
	}, nil
}

// BaseURL returns the API's base URL.
func (c *Client) BaseURL() string { return c.base.String() }

// CreateAgent creates an agent (POST /v2/agents).
func (c *Client) CreateAgent(ctx context.Context, body Body) (*Agent, error) {
	var out Body
	if err := c.do(ctx, "create agent", http.MethodPost, agentsPath, nil, body, &out); err != nil {
		return nil, err
	}
	return decodeAgent(out), nil
}

// GetAgent retrieves an agent by key (GET /v2/agents/{key}).
func (c *Client) GetAgent(ctx context.Context, key string) (*Agent, error) {
	var out Body
	if err := c.do(ctx, "get agent", http.MethodGet, agentPath(key), nil, nil, &out); err != nil {
		return nil, err
	}
	return decodeAgent(out), nil
}

// UpdateAgent updates the given top-level fields of an agent (PATCH /v2/agents/{key}); fields
// absent from body are left as they are.
func (c *Client) UpdateAgent(ctx context.Context, key string, body Body) (*Agent, error) {
	var out Body
	if err := c.do(ctx, "update agent", http.MethodPatch, agentPath(key), nil, body, &out); err != nil {
		return nil, err
	}
	return decodeAgent(out), nil
}

// DeleteAgent deletes an agent (DELETE /v2/agents/{key}). A 404 is returned as a KindNotFound
// error; callers that treat "already gone" as success check IsNotFound.
func (c *Client) DeleteAgent(ctx context.Context, key string) error {
	return c.do(ctx, "delete agent", http.MethodDelete, agentPath(key), nil, nil, nil)
}

// AgentVersion identifies one version of a remote agent: its key, id and last update time.
type AgentVersion struct {
	ID      string `json:"_id"`
	Key     string `json:"key"`
	Updated string `json:"updated"`
}

// VersionPage is a page of ListAgentVersions.
type VersionPage struct {
	Versions []AgentVersion
	HasMore  bool
}

// ListAgentVersions lists a page of agents (GET /v2/agents) like ListAgents, keeping of each only
// its key, id and update time: the rest of the page is decoded into nothing, so that sweeping a
// large workspace allocates little.
func (c *Client) ListAgentVersions(ctx context.Context, o ListOptions) (*VersionPage, error) {
	var out struct {
		Data    []AgentVersion `json:"data"`
		HasMore bool           `json:"has_more"`
	}
	if err := c.do(ctx, "list agents", http.MethodGet, agentsPath, listQuery(o), nil, &out); err != nil {
		return nil, err
	}
	return &VersionPage{Versions: out.Data, HasMore: out.HasMore}, nil
}

// listQuery is the query of a list request.
func listQuery(o ListOptions) url.Values {
	q := url.Values{}
	if o.Limit > 0 {
		q.Set("limit", strconv.Itoa(o.Limit))
	}
	if o.StartingAfter != "" {
		q.Set("starting_after", o.StartingAfter)
	}
	return q
}

// ListAgents returns one page of agents, newest first (GET /v2/agents).
func (c *Client) ListAgents(ctx context.Context, o ListOptions) (*AgentPage, error) {
	q := listQuery(o)
	var out struct {
		Data    []Body `json:"data"`
		HasMore bool   `json:"has_more"`
	}
	if err := c.do(ctx, "list agents", http.MethodGet, agentsPath, q, nil, &out); err != nil {
		return nil, err
	}
	page := &AgentPage{HasMore: out.HasMore, Agents: make([]Agent, 0, len(out.Data))}
	for _, b := range out.Data {
		page.Agents = append(page.Agents, *decodeAgent(b))
	}
	return page, nil
}

// ListAllAgents follows the list cursor until the last page, pageSize agents a call.
func (c *Client) ListAllAgents(ctx context.Context, pageSize int) ([]Agent, error) {
	var all []Agent
	err := EachPage(ctx, pageSize, func(ctx context.Context, o ListOptions) ([]Agent, bool, error) {
		page, err := c.ListAgents(ctx, o)
		if err != nil {
			return nil, false, err
		}
		return page.Agents, page.HasMore, nil
	}, func(a Agent) string { return a.ID }, func(a Agent) { all = append(all, a) })
	if err != nil {
		return nil, err
	}
	return all, nil
}

// EachPage follows the list cursor from the first page to the last, pageSize items a call
// (MaxPageSize when out of range), and gives each item to each. list reads one page and says
// whether more follow; id is an item's ID, after which the next page starts.
func EachPage[T any](ctx context.Context, pageSize int, list func(context.Context, ListOptions) ([]T, bool, error), id func(T) string, each func(T)) error {
	if pageSize <= 0 || pageSize > MaxPageSize {
		pageSize = MaxPageSize
	}
	opts := ListOptions{Limit: pageSize}
	for {
		items, more, err := list(ctx, opts)
		if err != nil {
			return err
		}
		for _, item := range items {
			each(item)
		}
		if !more || len(items) == 0 {
			return nil
		}
		opts.StartingAfter = id(items[len(items)-1])
	}
}

func agentPath(key string) string { return agentsPath + "/" + url.PathEscape(key) }

// do sends one request and decodes a 2xx answer into out (when out is not nil). Every failure is
// returned as an *Error with its kind.
func (c *Client) do(ctx context.Context, op, method, path string, q url.Values, in, out any) error {
	// path is already escaped (agentPath escapes the key).
	u := *c.base
	u.RawPath = strings.TrimRight(c.base.EscapedPath(), "/") + path
	unescaped, err := url.PathUnescape(u.RawPath)
	if err != nil {
		return &Error{Kind: KindInvalid, Op: op, Message: err.Error()}
	}
	u.Path = unescaped
	u.RawQuery = q.Encode()

	var reqBody io.Reader
	if in != nil {
		buf, err := json.Marshal(in)
		if err != nil {
			return &Error{Kind: KindInvalid, Op: op, Message: "encoding request: " + err.Error()}
		}
		reqBody = bytes.NewReader(buf)
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), reqBody)
	if err != nil {
		return &Error{Kind: KindInvalid, Op: op, Message: err.Error()}
	}
	probe := false
	if c.limiter != nil {
		var wait time.Duration
		wait, probe, err = c.limiter.acquire(ctx)
		if err != nil {
			return &Error{Kind: KindUnavailable, Op: op, Message: "waiting for the client rate limit: " + err.Error()}
		}
		if wait > 0 {
			c.observed(op, -1, 0)
			return &Error{Kind: KindRateLimited, Op: op, Message: "not sent: the API asked to wait (Retry-After)", RetryAfter: wait}
		}
	}
	start := c.now()
	req.Header.Set("Authorization", "Bearer "+c.apiKey)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", c.userAgent)
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}

	resp, err := c.http.Do(req)
	if c.limiter != nil {
		limited := err == nil && resp.StatusCode == http.StatusTooManyRequests
		if limited {
			// Closed before the probe is released, so that no request slips in between.
			c.limiter.closeFor(parseRetryAfter(resp.Header.Get("Retry-After"), c.now()))
		}
		c.limiter.done(probe, err == nil, limited)
	}
	if err != nil {
		c.observed(op, 0, c.now().Sub(start))
		return &Error{Kind: KindUnavailable, Op: op, Message: c.redact(transportMessage(err))}
	}
	c.observed(op, resp.StatusCode, c.now().Sub(start))
	defer func() {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxErrorBody))
		_ = resp.Body.Close()
	}()

	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		msg, fromAPI := apiMessage(resp)
		msg = c.redact(msg)
		if resp.StatusCode >= 300 && resp.StatusCode < 400 {
			msg = fmt.Sprintf("the API redirected to %q and %v: check the orq API base URL", resp.Header.Get("Location"), ErrRedirect)
		}
		e := &Error{
			Kind:       kindForStatus(resp.StatusCode),
			Op:         op,
			StatusCode: resp.StatusCode,
			Message:    msg,
			RetryAfter: parseRetryAfter(resp.Header.Get("Retry-After"), c.now()),
		}
		if e.Kind == KindNotFound && !fromAPI {
			// Not the API's 404 (a proxy's page, a wrong base path): "gone" cannot be trusted.
			e.Kind = KindUnavailable
			e.Message = "404 without the API's JSON answer (check the orq API base URL): " + msg
		}
		return e
	}
	if out == nil || resp.StatusCode == http.StatusNoContent {
		return nil
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return &Error{Kind: KindUnavailable, Op: op, StatusCode: resp.StatusCode, Message: "decoding answer: " + err.Error()}
	}
	return nil
}

func (c *Client) observed(op string, status int, elapsed time.Duration) {
	if c.observe != nil {
		c.observe(op, status, elapsed)
	}
}

// redact removes the API key from a text that came from outside (an API message, a transport
// error), in case it was echoed.
func (c *Client) redact(s string) string {
	if c.apiKey == "" {
		return s
	}
	return strings.ReplaceAll(s, c.apiKey, "[redacted]")
}

// maxMessage bounds the API message kept in errors (and so in status and events).
const maxMessage = 900

// apiMessage extracts the API's message from an error answer, at most maxMessage bytes, and
// tells whether it came from a JSON answer of the API.
func apiMessage(resp *http.Response) (string, bool) {
	msg, fromAPI := rawAPIMessage(resp)
	if len(msg) > maxMessage {
		cut := maxMessage
		for cut > 0 && !utf8.RuneStart(msg[cut]) {
			cut--
		}
		msg = msg[:cut] + "..."
	}
	return msg, fromAPI
}

func rawAPIMessage(resp *http.Response) (string, bool) {
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	var body struct {
		Message json.RawMessage `json:"message"`
		Error   json.RawMessage `json:"error"`
	}
	if json.Unmarshal(raw, &body) == nil {
		for _, m := range []json.RawMessage{body.Message, body.Error} {
			if len(m) == 0 {
				continue
			}
			var s string
			if json.Unmarshal(m, &s) == nil {
				return s, true
			}
			return string(m), true
		}
	}
	if s := strings.TrimSpace(string(raw)); s != "" {
		return s, false
	}
	return http.StatusText(resp.StatusCode), false
}

// transportMessage describes a transport error without the request URL's query or headers.
func transportMessage(err error) string {
	var uerr *url.Error
	if errors.As(err, &uerr) {
		if uerr.Timeout() {
			return "request timed out"
		}
		return uerr.Err.Error()
	}
	return err.Error()
}

// decodeAgent reads the fields the operator uses from a complete agent.
func decodeAgent(b Body) *Agent {
	str := func(k string) string { s, _ := b[k].(string); return s }
	a := &Agent{ID: str("_id"), Key: str("key"), ProjectID: str("project_id"), Status: str("status"), Version: str("version"), Updated: str("updated"), Raw: b}
	team, _ := b["team_of_agents"].([]any)
	for _, m := range team {
		if o, ok := m.(Body); ok {
			if k, _ := o["key"].(string); k != "" {
				a.TeamKeys = append(a.TeamKeys, k)
			}
		}
	}
	return a
}
