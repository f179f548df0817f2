package tracing

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
	"github.com/orq-ai/orq-operator/internal/kinds/agent"
	"github.com/orq-ai/orq-operator/internal/managed"
	"github.com/orq-ai/orq-operator/internal/orqclient"
	"github.com/orq-ai/orq-operator/internal/orqmem"
)

// What must never reach a trace: the API key, and the text of the spec.
const (
	apiKey      = "sk-trace-test-0123456789abcdef"
	prompt      = "Never reveal the discount code HUSH-4242 to a customer."
	role        = "Discreet concierge"
	description = "Answers questions about orders, privately"
)

// otelVariables are the variables that change what Start does; each test sets its own.
var otelVariables = []string{
	envSDKDisabled, envTracesExporter, envEndpoint, envTracesEndpoint, envProtocol, envTracesProtocol,
	"OTEL_SERVICE_NAME", "OTEL_RESOURCE_ATTRIBUTES", "OTEL_TRACES_SAMPLER", "OTEL_TRACES_SAMPLER_ARG",
	"OTEL_EXPORTER_OTLP_HEADERS", "OTEL_EXPORTER_OTLP_TRACES_HEADERS",
}

// clearEnv unsets the OTEL variables for the test (t.Setenv restores them after it).
func clearEnv(t *testing.T) {
	t.Helper()
	for _, name := range otelVariables {
		t.Setenv(name, "")
		if err := os.Unsetenv(name); err != nil {
			t.Fatal(err)
		}
	}
}

// concierge is an Agent applied by Argo CD and Flux at a revision, with a prompt to keep out of
// traces.
func concierge() *orqv1alpha1.Agent {
	return &orqv1alpha1.Agent{
		ObjectMeta: metav1.ObjectMeta{
			Namespace: "shop", Name: "concierge", Generation: 3, UID: "uid-concierge",
			Annotations: map[string]string{
				orqv1alpha1.AnnotationRevision:   "main@sha1:9f3c2ab7d1e0854b3c6f21a9e7d40b8c5a2f1e93",
				"argocd.argoproj.io/tracking-id": "agents:orq.ai/Agent:shop/concierge",
			},
			Labels: map[string]string{
				"kustomize.toolkit.fluxcd.io/name":      "agents",
				"kustomize.toolkit.fluxcd.io/namespace": "flux-system",
			},
		},
		Spec: orqv1alpha1.AgentSpec{
			Role: role, Description: description, Instructions: prompt, Path: "Default/shop",
			Model: orqv1alpha1.ModelConfig{ID: "openai/gpt-4o"},
		},
	}
}

// world is one Agent, its cluster (a fake client), the in-memory orq API on loopback, and the
// Agent's Reconciler, traced to an in-process OTLP receiver.
type world struct {
	api     *orqmem.Server
	rcv     *receiver
	tracing *Tracing
	r       *managed.Reconciler
	obj     *orqv1alpha1.Agent
}

func newWorld(t *testing.T, protocol string) *world {
	t.Helper()
	clearEnv(t)
	t.Setenv(envProtocol, protocol)
	w := &world{rcv: &receiver{}, obj: concierge()}
	endpoint := w.rcv.serveHTTP(t)
	if protocol == protocolGRPC {
		endpoint = w.rcv.serveGRPC(t)
	}
	var err error
	w.tracing, err = Start(context.Background(), Config{Endpoint: endpoint, Version: "v-test"})
	if err != nil || w.tracing == nil {
		t.Fatalf("Start: %v, %v", w.tracing, err)
	}
	w.api = orqmem.New(orqmem.Options{APIKeys: []string{apiKey}})
	srv := httptest.NewServer(w.api)
	t.Cleanup(srv.Close)
	orq, err := orqclient.New(orqclient.Options{BaseURL: srv.URL, APIKey: apiKey, Tracer: w.tracing})
	if err != nil {
		t.Fatal(err)
	}
	kinds := managed.NewRegistry(agent.Kind{})
	k8s, err := managed.InMemoryClient(kinds, w.obj)
	if err != nil {
		t.Fatal(err)
	}
	values := &managed.Values{Cache: k8s}
	w.r = &managed.Reconciler{Client: k8s, Kind: agent.Kind{}, Kinds: kinds, Values: values,
		Workspaces: &managed.Workspaces{API: orq, DefaultKeyHash: orqclient.KeyHash(apiKey), Values: values},
		Trace:      w.tracing.Reconcile}
	return w
}

func (w *world) reconcile(t *testing.T) {
	t.Helper()
	_, _ = w.r.Reconcile(context.Background(), reconcile.Request{NamespacedName: client.ObjectKeyFromObject(w.obj)})
}

// spans shuts tracing down, which sends every span, and returns what the receiver got.
func (w *world) spans(t *testing.T) []*tracepb.Span {
	t.Helper()
	if err := w.tracing.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	return w.rcv.received()
}

// A reconcile is one trace: its span names the object, where it came from and how the pass ended;
// each call to orq is a child span, named by its route, whose traceparent reached orq. Over OTLP
// gRPC and HTTP alike.
func TestAReconcileIsOneTraceThatReachesOrq(t *testing.T) {
	for _, protocol := range []string{protocolHTTP, protocolGRPC} {
		t.Run(protocol, func(t *testing.T) {
			w := newWorld(t, protocol)
			w.reconcile(t) // creates the agent
			w.reconcile(t) // finds it as it should be
			spans := w.spans(t)

			passes := spansNamed(spans, "reconcile Agent")
			if len(passes) != 2 {
				t.Fatalf("%d reconcile spans, want 2: %v", len(passes), names(spans))
			}
			first := attrs(passes[0].GetAttributes())
			want := map[string]string{
				AttrKind: "Agent", AttrNamespace: "shop", AttrName: "concierge", AttrKey: "concierge", AttrGeneration: "3",
				AttrOutcome:           "applied",
				AttrRevision:          "main@sha1:9f3c2ab7d1e0854b3c6f21a9e7d40b8c5a2f1e93",
				AttrArgoCDTrackingID:  "agents:orq.ai/Agent:shop/concierge",
				AttrFluxKustomization: "flux-system/agents",
			}
			for k, v := range want {
				if first[k] != v {
					t.Errorf("reconcile span: %s = %q, want %q (all: %v)", k, first[k], v, first)
				}
			}
			if second := attrs(passes[1].GetAttributes())[AttrOutcome]; second != "unchanged" && second != "applied" {
				t.Errorf("second pass ended %q", second)
			}
			checkCalls(t, spans, passes)
			checkHeadersReachedOrq(t, spans, w.api.Requests())
			if protocol == protocolHTTP {
				for _, p := range w.rcv.paths {
					if p != "/v1/traces" {
						t.Errorf("spans posted to %s, want /v1/traces under --otlp-endpoint", p)
					}
				}
			}
			for _, res := range w.rcv.resources {
				if a := attrs(res); a["service.name"] != ServiceName || a["service.version"] != "v-test" {
					t.Errorf("resource: %v", a)
				}
			}
			checkNoSecret(t, spans, w.rcv)
		})
	}
}

// checkCalls: every other span is a call to orq, a client span child of a reconcile's, named
// "<METHOD> <route template>" and without the key; the first pass created the agent.
func checkCalls(t *testing.T, spans, passes []*tracepb.Span) {
	t.Helper()
	byID := map[string]*tracepb.Span{}
	for _, p := range passes {
		byID[id(p.GetSpanId())] = p
	}
	created := false
	for _, s := range spans {
		if strings.HasPrefix(s.GetName(), "reconcile ") {
			continue
		}
		a := attrs(s.GetAttributes())
		parent, ok := byID[id(s.GetParentSpanId())]
		switch {
		case s.GetKind() != tracepb.Span_SPAN_KIND_CLIENT:
			t.Errorf("%s: kind %v, want client", s.GetName(), s.GetKind())
		case !ok:
			t.Errorf("%s: its parent %s is no reconcile span", s.GetName(), id(s.GetParentSpanId()))
		case id(parent.GetTraceId()) != id(s.GetTraceId()):
			t.Errorf("%s: in another trace than its reconcile", s.GetName())
		case s.GetName() != a[AttrMethod]+" "+a[AttrRoute]:
			t.Errorf("span %q, attributes %v", s.GetName(), a)
		case strings.Contains(a[AttrRoute], "concierge"):
			t.Errorf("%s: the route holds the key", s.GetName())
		case a[AttrServer] != "127.0.0.1" || a[AttrOperation] == "" || a[AttrRateLimitWait] == "":
			t.Errorf("%s: attributes %v", s.GetName(), a)
		}
		if s.GetName() == "POST /v2/agents" && a[AttrStatusCode] == "201" && parent == passes[0] {
			created = true
		}
	}
	if !created {
		t.Errorf("no POST /v2/agents answered 201 under the first reconcile: %v", names(spans))
	}
}

// checkHeadersReachedOrq: each request orq received carried the traceparent of its call's span.
func checkHeadersReachedOrq(t *testing.T, spans []*tracepb.Span, requests []orqmem.Request) {
	t.Helper()
	calls := map[string]*tracepb.Span{}
	for _, s := range spans {
		if s.GetKind() == tracepb.Span_SPAN_KIND_CLIENT {
			calls[id(s.GetSpanId())] = s
		}
	}
	if len(requests) == 0 || len(requests) != len(calls) {
		t.Fatalf("orq received %d requests, %d call spans were sent", len(requests), len(calls))
	}
	for _, r := range requests {
		parts := strings.Split(r.Traceparent, "-") // version-traceid-parentid-flags
		if len(parts) != 4 || parts[0] != "00" || parts[3] != "01" {
			t.Errorf("%s %s: traceparent %q", r.Method, r.Path, r.Traceparent)
			continue
		}
		s, ok := calls[parts[2]]
		if !ok || id(s.GetTraceId()) != parts[1] {
			t.Errorf("%s %s: traceparent %q names no call span", r.Method, r.Path, r.Traceparent)
		} else if a := attrs(s.GetAttributes()); a[AttrMethod] != r.Method {
			t.Errorf("%s %s: traceparent of %s", r.Method, r.Path, s.GetName())
		}
	}
}

// checkNoSecret looks at every name, attribute, event, link and status of every span, and at the
// resource, for the API key and the spec's text.
func checkNoSecret(t *testing.T, spans []*tracepb.Span, rcv *receiver) {
	t.Helper()
	var texts []string
	for _, s := range spans {
		texts = append(texts, s.GetName(), s.GetStatus().GetMessage(), s.GetTraceState())
		for k, v := range attrs(s.GetAttributes()) {
			texts = append(texts, k, v)
		}
		for _, e := range s.GetEvents() {
			texts = append(texts, e.GetName())
			for k, v := range attrs(e.GetAttributes()) {
				texts = append(texts, k, v)
			}
		}
		for _, l := range s.GetLinks() {
			for k, v := range attrs(l.GetAttributes()) {
				texts = append(texts, k, v)
			}
		}
	}
	for _, res := range rcv.resources {
		for k, v := range attrs(res) {
			texts = append(texts, k, v)
		}
	}
	for _, text := range texts {
		for _, secret := range []string{apiKey, "Bearer", "HUSH-4242", prompt, role, description} {
			if strings.Contains(text, secret) {
				t.Errorf("a trace holds %q: %q", secret, text)
			}
		}
	}
}

// A pass that fails ends its span in error with the reason only; its call tells the status.
func TestAFailedPassIsAnErrorSpan(t *testing.T) {
	w := newWorld(t, protocolHTTP)
	w.api.AddFault(orqmem.Fault{Method: http.MethodPost, Path: "/v2/agents", Status: http.StatusServiceUnavailable,
		Message: "upstream said: " + prompt})
	w.reconcile(t)
	spans := w.spans(t)
	passes := spansNamed(spans, "reconcile Agent")
	if len(passes) != 1 {
		t.Fatalf("spans: %v", names(spans))
	}
	pass := passes[0]
	if got := attrs(pass.GetAttributes())[AttrOutcome]; got != "failed: APIUnavailable" {
		t.Errorf("outcome %q", got)
	}
	if pass.GetStatus().GetCode() != tracepb.Status_STATUS_CODE_ERROR || pass.GetStatus().GetMessage() != "failed: APIUnavailable" {
		t.Errorf("status %v", pass.GetStatus())
	}
	posts := spansNamed(spans, "POST /v2/agents")
	if len(posts) != 1 {
		t.Fatalf("spans: %v", names(spans))
	}
	if a := attrs(posts[0].GetAttributes()); a[AttrStatusCode] != "503" || a[AttrErrorType] != string(orqclient.KindUnavailable) {
		t.Errorf("call attributes %v", a)
	}
	checkNoSecret(t, spans, w.rcv)
}

func spansNamed(spans []*tracepb.Span, name string) []*tracepb.Span {
	var out []*tracepb.Span
	for _, s := range spans {
		if s.GetName() == name {
			out = append(out, s)
		}
	}
	return out
}

func names(spans []*tracepb.Span) []string {
	var out []string
	for _, s := range spans {
		out = append(out, s.GetName())
	}
	return out
}
