package main

import (
	"context"
	"os"
	"testing"

	"github.com/orq-ai/orq-operator/internal/controller"
	"github.com/orq-ai/orq-operator/internal/orqclient"
)

// Without --otlp-endpoint or an OTEL endpoint, nothing is installed: the orq clients and the
// reconcilers run exactly as untraced. With one, both are traced.
func TestTracingIsInstalledOnlyWhenAskedFor(t *testing.T) {
	for _, name := range []string{"OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_SDK_DISABLED",
		"OTEL_TRACES_EXPORTER", "OTEL_EXPORTER_OTLP_PROTOCOL", "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL"} {
		t.Setenv(name, "")
		_ = os.Unsetenv(name)
	}
	ctx := context.Background()
	var clients orqclient.Options
	var opts controller.Options
	stop, err := startTracing(ctx, "", &clients, &opts)
	if err != nil {
		t.Fatal(err)
	}
	stop()
	if clients.Tracer != nil || opts.Trace != nil {
		t.Errorf("tracing off installed a tracer (%v) or a reconcile hook (%v)", clients.Tracer != nil, opts.Trace != nil)
	}

	stop, err = startTracing(ctx, "http://127.0.0.1:4318", &clients, &opts)
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	if clients.Tracer == nil || opts.Trace == nil {
		t.Errorf("--otlp-endpoint installed no tracer (%v) or no reconcile hook (%v)", clients.Tracer == nil, opts.Trace == nil)
	}
	if _, err := startTracing(ctx, "otel-collector:4318", &orqclient.Options{}, &controller.Options{}); err == nil {
		t.Error("an --otlp-endpoint without a scheme was accepted")
	}
}
