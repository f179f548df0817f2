package orqclient

import (
	"context"
	"net/http"
	"time"
)

// Tracer follows each request, such as in an OpenTelemetry span (internal/tracing). It is told
// what a request is and how it ended, never its key, headers or bodies. A Client without one
// does none of this work.
type Tracer interface {
	// StartCall is called before the request waits for the Limiter; the request is sent with the
	// context it returns, and end is called once, with how it ended.
	StartCall(ctx context.Context, c Call) (_ context.Context, end func(CallEnd))
	// Inject adds to h the headers that carry ctx's trace to the API (W3C traceparent).
	Inject(ctx context.Context, h http.Header)
}

// Call is what a Tracer is told of a request.
type Call struct {
	// Operation is the request's operation, as in metrics: "get agent", "list tools".
	Operation string
	Method    string
	// Route is the path with placeholders for the keys and ids it names: "/v2/agents/{key}",
	// "/v3/agents/{parent}/schedules/{id}".
	Route string
	// Host is the API's host (and port).
	Host string
}

// CallEnd is how a request ended.
type CallEnd struct {
	// Status is as Observe is told: the HTTP status, 0 when no answer came back, -1 when the
	// Limiter held the request back (then nothing was sent).
	Status int
	// Waited is how long the request waited for a token of the Limiter.
	Waited time.Duration
	// HeldBack is how long the Limiter's gate is still closed after a 429, when it held the
	// request back.
	HeldBack time.Duration
	// Err is the kind of the request's error; "" when it succeeded.
	Err Kind
}

// route is a request's path as a template, for traces. Its parts are constants or the endpoint's
// own Path, so that building a call costs nothing; they are joined only when traced.
type route struct {
	collection string // the endpoint's Path, "{parent}" kept
	member     string // "/{key}" or "/{id}" when the request names a member
	sub        string // a path under the member: "execution"
}

func (r route) String() string {
	s := r.collection + r.member
	if r.sub != "" {
		s += "/" + r.sub
	}
	return s
}

// collectionRoute is the route of the endpoint's collection; memberRoute of one of its members.
func (e Endpoint) collectionRoute() route { return route{collection: e.Path} }

func (e Endpoint) memberRoute(sub string) route {
	r := route{collection: e.Path, member: "/{key}", sub: sub}
	if e.ByID {
		r.member = "/{id}"
	}
	return r
}

// traced is a request being traced: its end, and what send learnt of it.
type traced struct {
	end func(CallEnd)
	CallEnd
}

// startCall tells the Tracer (if any) that k starts; a nil *traced when there is none.
func (c *Client) startCall(ctx context.Context, k call) (context.Context, *traced) {
	if c.tracer == nil {
		return ctx, nil
	}
	ctx, end := c.tracer.StartCall(ctx, Call{Operation: k.op, Method: k.method, Route: k.route.String(), Host: c.base.Host})
	return ctx, &traced{end: end}
}

// finish tells the Tracer how the request ended.
func (t *traced) finish(err error) {
	if err != nil {
		t.Err = KindOf(err)
	}
	t.end(t.CallEnd)
}
