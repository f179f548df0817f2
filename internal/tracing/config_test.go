package tracing

import (
	"context"
	"strings"
	"testing"

	"github.com/orq-ai/orq-operator/internal/orqclient"
)

// Tracing is off unless an endpoint is given, by the flag or the environment; the standard
// switches turn it off; what cannot work is refused at start, naming the setting.
func TestStartTurnsTracingOnOnlyWhenAskedTo(t *testing.T) {
	cases := []struct {
		name     string
		env      map[string]string
		endpoint string
		on       bool
		err      string // a part of the error; "" for none
	}{
		{name: "nothing set", on: false},
		{name: "the flag", endpoint: "http://127.0.0.1:4318", on: true},
		{name: "the flag over gRPC", endpoint: "https://collector.example:4317", env: map[string]string{envProtocol: "grpc"}, on: true},
		{name: "the endpoint variable", env: map[string]string{envEndpoint: "http://127.0.0.1:4318"}, on: true},
		{name: "the traces endpoint variable", env: map[string]string{envTracesEndpoint: "http://127.0.0.1:4318/v1/traces"}, on: true},
		{name: "the SDK disabled", endpoint: "http://127.0.0.1:4318", env: map[string]string{envSDKDisabled: "true"}, on: false},
		{name: "no exporter", endpoint: "http://127.0.0.1:4318", env: map[string]string{envTracesExporter: "none"}, on: false},
		{name: "an exporter the operator has not", endpoint: "http://127.0.0.1:4318", env: map[string]string{envTracesExporter: "zipkin"}, err: "OTEL_TRACES_EXPORTER"},
		{name: "a protocol the operator has not", endpoint: "http://127.0.0.1:4318", env: map[string]string{envProtocol: "http/json"}, err: "OTEL_EXPORTER_OTLP_PROTOCOL"},
		{name: "the traces protocol wins", endpoint: "http://127.0.0.1:4318", env: map[string]string{envProtocol: "grpc", envTracesProtocol: "thrift"}, err: "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL"},
		{name: "no scheme", endpoint: "collector:4318", err: "--otlp-endpoint"},
		{name: "another scheme", endpoint: "ftp://collector:4318", err: "--otlp-endpoint"},
		{name: "credentials in the URL", endpoint: "http://admin:hunter2@collector:4318", err: "--otlp-endpoint"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			clearEnv(t)
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			tr, err := Start(context.Background(), Config{Endpoint: tc.endpoint})
			if tr != nil {
				defer func() { _ = tr.Shutdown(context.Background()) }()
			}
			switch {
			case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
				t.Fatalf("error %v, want one naming %s", err, tc.err)
			case tc.err == "" && err != nil:
				t.Fatal(err)
			case (tr != nil) != tc.on:
				t.Fatalf("on: %v, want %v", tr != nil, tc.on)
			case err != nil && strings.Contains(err.Error(), "hunter2"):
				t.Errorf("the error quotes the credentials: %v", err)
			}
		})
	}
}

// The standard variables alone turn tracing on and configure it: endpoint, protocol, service name.
func TestTheEnvironmentAloneConfiguresTracing(t *testing.T) {
	clearEnv(t)
	rcv := &receiver{}
	t.Setenv(envEndpoint, rcv.serveGRPC(t))
	t.Setenv(envProtocol, "grpc")
	t.Setenv("OTEL_EXPORTER_OTLP_INSECURE", "true")
	t.Setenv("OTEL_SERVICE_NAME", "orq-operator-shard-a")
	tr, err := Start(context.Background(), Config{Version: "v-test"})
	if err != nil || tr == nil {
		t.Fatalf("Start: %v, %v", tr, err)
	}
	_, end := tr.StartCall(context.Background(), orqclient.Call{Operation: "list agents", Method: "GET", Route: "/v2/agents", Host: "my.orq.ai"})
	end(orqclient.CallEnd{Status: 200})
	if err := tr.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	spans := rcv.received()
	if len(spans) != 1 || spans[0].GetName() != "GET /v2/agents" || spans[0].GetParentSpanId() != nil {
		t.Fatalf("spans: %v", names(spans))
	}
	if a := attrs(spans[0].GetAttributes()); a[AttrServer] != "my.orq.ai" || a[AttrStatusCode] != "200" {
		t.Errorf("attributes %v", a)
	}
	if a := attrs(rcv.resources[0]); a["service.name"] != "orq-operator-shard-a" || a["service.version"] != "v-test" {
		t.Errorf("resource %v", a)
	}
}
