package tracing

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"

	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

const (
	envProtocol       = "OTEL_EXPORTER_OTLP_PROTOCOL"
	envTracesProtocol = "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL"

	protocolHTTP = "http/protobuf"
	protocolGRPC = "grpc"

	// tracesPath is where an OTLP/HTTP receiver takes traces, under its base URL.
	tracesPath = "/v1/traces"
)

// newExporter is the OTLP exporter of the protocol the environment names (http/protobuf by
// default, as the OpenTelemetry specification says), sending to endpoint when it is set. Every
// other setting (headers, certificates, compression, timeout) the exporter reads from the
// environment itself.
func newExporter(ctx context.Context, endpoint string) (sdktrace.SpanExporter, error) {
	var u *url.URL
	if endpoint != "" {
		var err error
		if u, err = parseEndpoint(endpoint); err != nil {
			return nil, err
		}
	}
	p, from := protocol()
	switch p {
	case protocolHTTP:
		var opts []otlptracehttp.Option
		if u != nil {
			opts = append(opts, otlptracehttp.WithEndpoint(u.Host), otlptracehttp.WithURLPath(strings.TrimRight(u.Path, "/")+tracesPath))
			if u.Scheme == "http" {
				opts = append(opts, otlptracehttp.WithInsecure())
			}
		}
		return otlptracehttp.New(ctx, opts...)
	case protocolGRPC:
		var opts []otlptracegrpc.Option
		if u != nil {
			opts = append(opts, otlptracegrpc.WithEndpoint(u.Host))
			if u.Scheme == "http" {
				opts = append(opts, otlptracegrpc.WithInsecure())
			}
		}
		return otlptracegrpc.New(ctx, opts...)
	default:
		return nil, fmt.Errorf("%s=%q: the operator sends traces over %s or %s", from, p, protocolHTTP, protocolGRPC)
	}
}

// protocol is the OTLP protocol the environment names for traces, and the variable that names it.
func protocol() (p, from string) {
	if p = strings.TrimSpace(os.Getenv(envTracesProtocol)); p != "" {
		return p, envTracesProtocol
	}
	if p = strings.TrimSpace(os.Getenv(envProtocol)); p != "" {
		return p, envProtocol
	}
	return protocolHTTP, ""
}

// errEndpoint describes an --otlp-endpoint that is not usable; the value is not quoted, since it
// may hold credentials.
var errEndpoint = errors.New("--otlp-endpoint must be an absolute http(s) URL without credentials, such as http://otel-collector:4318 (send credentials with OTEL_EXPORTER_OTLP_HEADERS)")

// parseEndpoint reads --otlp-endpoint: http (plain) or https, a host, no userinfo (which no
// exporter would send), no query.
func parseEndpoint(raw string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil || u.RawQuery != "" {
		return nil, errEndpoint
	}
	return u, nil
}
