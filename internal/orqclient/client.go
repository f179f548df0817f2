// Package orqclient is a typed HTTP client of the orq.ai API: agents (/v2/agents), and any other
// collection through an Endpoint (tools, knowledge bases, memory stores, agent schedules).
//
// Request and response bodies are JSON objects in the API's own (snake_case) form: the operator
// builds them from the typed Agent spec (see internal/agentdiff), and this package decodes the
// fields it needs into Agent while keeping the complete body for comparison.
package orqclient

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode"
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

	// maxErrorBody bounds how much of an error answer is read.
	maxErrorBody = 64 << 10
)

// Body is a JSON object in the API's form: a request body or a complete agent.
type Body = map[string]any

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
	// Tracer, when set, follows each request (see Tracer); nil costs nothing.
	Tracer Tracer
}

// Client calls the orq.ai Agents API.
type Client struct {
	base      *url.URL
	apiKey    string
	userAgent string
	http      *http.Client
	limiter   *Limiter
	observe   func(operation string, status int, elapsed time.Duration)
	tracer    Tracer
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
		return nil, fmt.Errorf("orq API base URL %q must be an absolute http(s) URL", QuoteURL(raw))
	}
	if o.Timeout == 0 {
		o.Timeout = DefaultTimeout
	}
	if o.UserAgent == "" {
		o.UserAgent = DefaultUserAgent
	}
	transport := o.Transport
	if transport == nil {
		transport = newTransport()
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
		tracer:  o.Tracer,
		now:     time.Now,
	}, nil
}

// BaseURL returns the API's base URL as it may be quoted: without userinfo or query.
func (c *Client) BaseURL() string { return QuoteURL(c.base.String()) }

// newTransport is http.DefaultTransport keeping more idle connections: it keeps 2 per host, and
// with more workers than that most requests would open a new connection (and a TLS handshake).
func newTransport() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = maxIdleConnsPerHost
	return t
}
