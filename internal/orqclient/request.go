package orqclient

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// call is one request to the API.
type call struct {
	op     string // the operation, for errors and metrics: "create agent", "list tools"
	method string
	path   string // escaped: memberPath escapes keys and ids
	query  url.Values
	// member tells that the request names an object (a member of a collection, or a collection
	// under a parent object): a 404 may then mean that object does not exist.
	member bool
	route  route // the path as a template, for traces
}

// do sends one request and decodes a 2xx answer into out (when out is not nil). Every failure is
// returned as an *Error with its kind, its message redacted.
func (c *Client) do(ctx context.Context, k call, in, out any) error {
	return c.redactErr(c.exchange(ctx, k, in, out))
}

// exchange is do before redaction.
func (c *Client) exchange(ctx context.Context, k call, in, out any) (err error) {
	ctx, t := c.startCall(ctx, k)
	if t != nil {
		defer func() { t.finish(err) }()
	}
	req, err := c.build(ctx, k.op, k.method, k.path, k.query, in)
	if err != nil {
		return err
	}
	if t != nil {
		c.tracer.Inject(ctx, req.Header)
	}
	resp, err := c.send(ctx, k.op, req, t)
	if err != nil {
		return err
	}
	defer drain(resp)
	return c.decode(k.op, k.member, resp, out)
}

// build makes the request: the base URL joined with path (already escaped), the query, in as
// JSON, and the headers.
func (c *Client) build(ctx context.Context, op, method, path string, q url.Values, in any) (*http.Request, error) {
	u := *c.base
	u.RawPath = strings.TrimRight(c.base.EscapedPath(), "/") + path
	unescaped, err := url.PathUnescape(u.RawPath)
	if err != nil {
		return nil, &Error{Kind: KindInvalid, Op: op, Message: err.Error()}
	}
	u.Path = unescaped
	u.RawQuery = q.Encode()

	var body io.Reader
	if in != nil {
		buf, err := json.Marshal(in)
		if err != nil {
			return nil, &Error{Kind: KindInvalid, Op: op, Message: "encoding request: " + err.Error()}
		}
		body = bytes.NewReader(buf)
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), body)
	if err != nil {
		return nil, &Error{Kind: KindInvalid, Op: op, Message: err.Error()}
	}
	req.Header.Set("Authorization", "Bearer "+c.apiKey)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", c.userAgent)
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return req, nil
}

// send passes the request through the Limiter and the transport, and tells Observe and t (when
// traced). A transport error is returned as an *Error; any HTTP answer is returned as it is.
func (c *Client) send(ctx context.Context, op string, req *http.Request, t *traced) (*http.Response, error) {
	probe, err := c.admit(ctx, op, t)
	if err != nil {
		return nil, err
	}
	start := c.now()
	resp, err := c.http.Do(req)
	c.release(probe, resp, err)
	if err != nil {
		c.observed(op, 0, c.now().Sub(start))
		return nil, &Error{Kind: KindUnavailable, Op: op, Message: transportMessage(err), Unsent: unsent(err)}
	}
	c.observed(op, resp.StatusCode, c.now().Sub(start))
	if t != nil {
		t.Status = resp.StatusCode
	}
	return resp, nil
}

// admit asks the Limiter (if any) whether the request may go; probe tells that it tests a
// reopened gate, and release must be told its outcome. t (when traced) learns the wait.
func (c *Client) admit(ctx context.Context, op string, t *traced) (probe bool, err error) {
	if c.limiter == nil {
		return false, nil
	}
	var start time.Time
	if t != nil {
		start = c.now()
	}
	wait, probe, err := c.limiter.acquire(ctx)
	if t != nil {
		t.Waited = c.now().Sub(start)
	}
	if err != nil {
		return false, &Error{Kind: KindUnavailable, Op: op, Message: "waiting for the client rate limit: " + err.Error()}
	}
	if wait > 0 {
		c.observed(op, -1, 0)
		if t != nil {
			t.Status, t.HeldBack = -1, wait
		}
		return false, &Error{Kind: KindRateLimited, Op: op, Message: "not sent: the API asked to wait (Retry-After)", RetryAfter: wait}
	}
	return probe, nil
}

// release tells the Limiter (if any) the outcome of an admitted request; a 429 closes its gate.
func (c *Client) release(probe bool, resp *http.Response, err error) {
	if c.limiter == nil {
		return
	}
	limited := err == nil && resp.StatusCode == http.StatusTooManyRequests
	if limited {
		// Closed before the probe is released, so that no request slips in between.
		c.limiter.closeFor(parseRetryAfter(resp.Header.Get("Retry-After"), c.now()))
	}
	c.limiter.done(probe, err == nil, limited)
}

// decode classifies the answer's status, and decodes a 2xx answer into out (when not nil).
// member tells that the request names an object, so that a 404 may mean it does not exist.
func (c *Client) decode(op string, member bool, resp *http.Response, out any) error {
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return c.statusError(op, member, resp)
	}
	if out == nil || resp.StatusCode == http.StatusNoContent {
		return nil
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return &Error{Kind: KindUnavailable, Op: op, StatusCode: resp.StatusCode, Message: "decoding answer: " + err.Error()}
	}
	return nil
}

// statusError is the *Error of an answer that is not a 2xx.
func (c *Client) statusError(op string, member bool, resp *http.Response) error {
	raw := readBody(resp)
	e := &Error{
		Kind:       kindForStatus(resp.StatusCode),
		Op:         op,
		StatusCode: resp.StatusCode,
		Message:    cut(c.redact(apiMessage(raw, resp.StatusCode))),
		RetryAfter: parseRetryAfter(resp.Header.Get("Retry-After"), c.now()),
	}
	switch {
	case resp.StatusCode >= 300 && resp.StatusCode < 400:
		e.Message = fmt.Sprintf("the API redirected to %q and %v: check the orq API base URL", QuoteURL(resp.Header.Get("Location")), ErrRedirect)
	case e.Kind == KindNotFound:
		if msg := c.misplaced404(member, resp.Header.Get("Content-Type"), raw); msg != "" {
			e.Kind, e.Message = KindMisconfigured, msg
		}
	}
	return e
}

// drain reads what is left of an answer (bounded), so that its connection can be reused.
func drain(resp *http.Response) {
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxErrorBody))
	_ = resp.Body.Close()
}

func (c *Client) observed(op string, status int, elapsed time.Duration) {
	if c.observe != nil {
		c.observe(op, status, elapsed)
	}
}

// unsent tells whether a transport error certainly happened before the request reached the
// server: dialling failed (refused, no route, no such host). Any later failure (a reset, a
// timeout while waiting for the answer) may come after the server acted on the request.
func unsent(err error) bool {
	var dns *net.DNSError
	if errors.As(err, &dns) {
		return true
	}
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial"
}
