// Package tracing follows the operator's work in OpenTelemetry traces, when asked to
// (--otlp-endpoint, or the standard OTEL_EXPORTER_OTLP_* variables): one span per reconcile, with
// the object and the revision it was applied from, and a child span per call to the orq API, whose
// W3C traceparent header goes to orq with the request. When it is not asked for, Start returns nil
// and nothing is installed: no provider, no wrapped client, no work per reconcile or call.
package tracing

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/go-logr/logr"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/orq-ai/orq-operator/internal/orqclient"
)

// The standard variables that decide whether tracing is on; the exporters and the SDK read the
// others themselves (headers, certificates, timeouts, sampler, batching, resource).
const (
	envSDKDisabled    = "OTEL_SDK_DISABLED"
	envTracesExporter = "OTEL_TRACES_EXPORTER"
	envEndpoint       = "OTEL_EXPORTER_OTLP_ENDPOINT"
	envTracesEndpoint = "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"
)

// ServiceName is the service.name of the traces unless OTEL_SERVICE_NAME says otherwise.
const ServiceName = "orq-operator"

// instrumentation names the tracer, as OpenTelemetry asks: the instrumenting package.
const instrumentation = "github.com/orq-ai/orq-operator/internal/tracing"

// Config is what turns tracing on, besides the environment.
type Config struct {
	// Endpoint is the base URL of the OTLP receiver (--otlp-endpoint), such as
	// "http://otel-collector.observability:4318"; it wins over OTEL_EXPORTER_OTLP_ENDPOINT. Empty:
	// the environment decides.
	Endpoint string
	// Version is the operator's version: the traces' service.version.
	Version string
	// Log receives the errors of sending traces; discarded when zero.
	Log logr.Logger
}

// Tracing is tracing turned on: it makes the spans (see Reconcile and StartCall) and sends them.
type Tracing struct {
	provider   *sdktrace.TracerProvider
	tracer     trace.Tracer
	propagator propagation.TraceContext
}

var _ orqclient.Tracer = (*Tracing)(nil)

// Start turns tracing on when c or the environment asks for it, and returns nil, installing
// nothing, when they do not.
func Start(ctx context.Context, c Config) (*Tracing, error) {
	on, err := enabled(c.Endpoint)
	if err != nil || !on {
		return nil, err
	}
	exporter, err := newExporter(ctx, c.Endpoint)
	if err != nil {
		return nil, err
	}
	res, err := resource.New(ctx,
		resource.WithAttributes(attribute.String("service.name", ServiceName), attribute.String("service.version", c.Version)),
		resource.WithFromEnv(), // OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES win
		resource.WithTelemetrySDK(),
	)
	if err != nil {
		return nil, fmt.Errorf("tracing: %w", err)
	}
	// The exporters report failures to OpenTelemetry's global handler only: send them to the log.
	otel.SetLogger(c.Log)
	otel.SetErrorHandler(otel.ErrorHandlerFunc(func(err error) { c.Log.Error(err, "tracing") }))
	// The sampler (OTEL_TRACES_SAMPLER) and the batching (OTEL_BSP_*) are the SDK's, from the
	// environment.
	provider := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exporter), sdktrace.WithResource(res))
	return &Tracing{provider: provider, tracer: provider.Tracer(instrumentation, trace.WithInstrumentationVersion(c.Version))}, nil
}

// Shutdown sends the spans not sent yet, and stops.
func (t *Tracing) Shutdown(ctx context.Context) error { return t.provider.Shutdown(ctx) }

// enabled tells whether tracing is asked for: an endpoint from the flag or the environment, and
// neither OTEL_SDK_DISABLED=true nor OTEL_TRACES_EXPORTER=none.
func enabled(endpoint string) (bool, error) {
	if strings.EqualFold(strings.TrimSpace(os.Getenv(envSDKDisabled)), "true") {
		return false, nil
	}
	switch exporter := strings.TrimSpace(os.Getenv(envTracesExporter)); exporter {
	case "", "otlp":
	case "none":
		return false, nil
	default:
		return false, fmt.Errorf("%s=%q: the operator sends traces with otlp only (or none)", envTracesExporter, exporter)
	}
	return endpoint != "" || os.Getenv(envEndpoint) != "" || os.Getenv(envTracesEndpoint) != "", nil
}
