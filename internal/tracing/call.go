package tracing

import (
	"context"
	"net"
	"net/http"
	"strconv"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"

	"github.com/orq-ai/orq-operator/internal/orqclient"
)

// Attributes of a call's span: OpenTelemetry's HTTP client conventions, and the operator's own.
// The request is named by its route template; its key, headers and bodies are never recorded.
const (
	AttrMethod     = "http.request.method"
	AttrRoute      = "url.template"
	AttrStatusCode = "http.response.status_code"
	AttrServer     = "server.address"
	AttrPort       = "server.port"
	AttrErrorType  = "error.type"
	AttrOperation  = "orq.operation"
	// AttrRateLimitWait is how long the call waited for a token of --orq-qps, in seconds.
	AttrRateLimitWait = "orq.rate_limit.wait_seconds"
	// AttrHeldBack tells that the client held the call back, unsent, after a 429; AttrRetryAfter
	// is how long its Retry-After still had to run, in seconds.
	AttrHeldBack   = "orq.rate_limit.held_back"
	AttrRetryAfter = "orq.rate_limit.retry_after_seconds"
)

// StartCall starts the span of one call to the orq API, a child of the reconcile's span when ctx
// holds one (orqclient.Tracer).
func (t *Tracing) StartCall(ctx context.Context, c orqclient.Call) (context.Context, func(orqclient.CallEnd)) {
	ctx, span := t.tracer.Start(ctx, c.Method+" "+c.Route, trace.WithSpanKind(trace.SpanKindClient),
		trace.WithAttributes(callAttributes(c)...))
	return ctx, func(e orqclient.CallEnd) {
		span.SetAttributes(attribute.Float64(AttrRateLimitWait, e.Waited.Seconds()))
		switch {
		case e.Status > 0:
			span.SetAttributes(attribute.Int(AttrStatusCode, e.Status))
		case e.Status < 0:
			span.SetAttributes(attribute.Bool(AttrHeldBack, true), attribute.Float64(AttrRetryAfter, e.HeldBack.Seconds()))
		}
		if e.Err != "" {
			span.SetAttributes(attribute.String(AttrErrorType, string(e.Err)))
			span.SetStatus(codes.Error, string(e.Err))
		}
		span.End()
	}
}

// Inject adds the W3C traceparent (and tracestate) of ctx's span to a request's headers.
func (t *Tracing) Inject(ctx context.Context, h http.Header) {
	t.propagator.Inject(ctx, propagation.HeaderCarrier(h))
}

func callAttributes(c orqclient.Call) []attribute.KeyValue {
	attrs := []attribute.KeyValue{
		attribute.String(AttrMethod, c.Method),
		attribute.String(AttrRoute, c.Route),
		attribute.String(AttrOperation, c.Operation),
	}
	host, port, err := net.SplitHostPort(c.Host)
	if err != nil {
		return append(attrs, attribute.String(AttrServer, c.Host)) // no port in the base URL
	}
	attrs = append(attrs, attribute.String(AttrServer, host))
	if p, err := strconv.Atoi(port); err == nil {
		attrs = append(attrs, attribute.Int(AttrPort, p))
	}
	return attrs
}
