package main

import (
	"context"
	"time"

	"github.com/orq-ai/orq-operator/internal/controller"
	"github.com/orq-ai/orq-operator/internal/orqclient"
	"github.com/orq-ai/orq-operator/internal/tracing"
)

// tracingShutdownTimeout is how long the spans still held at shutdown may take to be sent.
const tracingShutdownTimeout = 5 * time.Second

// startTracing turns tracing on when --otlp-endpoint or the OTEL_* variables ask for it, and then
// traces the orq clients and the reconciles; otherwise it installs nothing. stop sends the spans
// still held.
func startTracing(ctx context.Context, endpoint string, clients *orqclient.Options, opts *controller.Options) (stop func(), err error) {
	t, err := tracing.Start(ctx, tracing.Config{Endpoint: endpoint, Version: version, Log: setupLog.WithName("tracing")})
	if err != nil || t == nil {
		return func() {}, err
	}
	clients.Tracer, opts.Trace = t, t.Reconcile
	setupLog.Info("sending traces over OTLP")
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), tracingShutdownTimeout)
		defer cancel()
		if err := t.Shutdown(ctx); err != nil {
			setupLog.Error(err, "sending the last traces")
		}
	}, nil
}
