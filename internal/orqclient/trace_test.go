package orqclient

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/orq-ai/orq-operator/internal/orqmem"
)

// fakeTracer records what it is told; Inject sends a header naming the call it is in.
type fakeTracer struct {
	calls []Call
	ends  []CallEnd
}

type callKey struct{}

func (f *fakeTracer) StartCall(ctx context.Context, c Call) (context.Context, func(CallEnd)) {
	f.calls = append(f.calls, c)
	n := len(f.calls)
	return context.WithValue(ctx, callKey{}, n), func(e CallEnd) { f.ends = append(f.ends, e) }
}

func (f *fakeTracer) Inject(ctx context.Context, h http.Header) {
	n, _ := ctx.Value(callKey{}).(int)
	h.Set("Traceparent", "call-"+string(rune('0'+n)))
}

// Each request is told to the Tracer with its route as a template (never the key or id), its
// status and error kind; the request carries the header Inject sets from the context StartCall
// returned.
func TestTheTracerIsToldOfEachRequest(t *testing.T) {
	api := orqmem.New(orqmem.Options{APIKeys: []string{testKey}})
	srv := httptest.NewServer(api)
	defer srv.Close()
	tracer := &fakeTracer{}
	c, err := New(Options{BaseURL: srv.URL, APIKey: testKey, Tracer: tracer})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	agent := Body{"key": "secret-sounding-key", "role": "r", "description": "d", "instructions": "i", "path": "Default",
		"model": Body{"id": "openai/gpt-4o"}, "settings": Body{}}
	if _, err := c.Create(ctx, Agents, "", agent); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Get(ctx, Agents, "", "no-such-agent"); !IsNotFound(err) {
		t.Fatalf("get: %v", err)
	}
	if _, err := c.ListVersions(ctx, testSchedules, "secret-sounding-key", ListOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := c.Delete(ctx, testTools, "", "01NOSUCHTOOL"); !IsNotFound(err) {
		t.Fatalf("delete: %v", err)
	}
	host := mustHost(t, srv.URL)
	want := []Call{
		{Operation: "create agent", Method: "POST", Route: "/v2/agents", Host: host},
		{Operation: "get agent", Method: "GET", Route: "/v2/agents/{key}", Host: host},
		{Operation: "list schedules", Method: "GET", Route: "/v3/agents/{parent}/schedules", Host: host},
		{Operation: "delete tool", Method: "DELETE", Route: "/v2/tools/{id}", Host: host},
	}
	wantEnds := []CallEnd{{Status: 201}, {Status: 404, Err: KindNotFound}, {Status: 200}, {Status: 404, Err: KindNotFound}}
	if len(tracer.calls) != len(want) || len(tracer.ends) != len(wantEnds) {
		t.Fatalf("calls %+v, ends %+v", tracer.calls, tracer.ends)
	}
	for i := range want {
		if tracer.calls[i] != want[i] {
			t.Errorf("call %d: %+v, want %+v", i, tracer.calls[i], want[i])
		}
		if tracer.ends[i] != wantEnds[i] {
			t.Errorf("end %d: %+v, want %+v", i, tracer.ends[i], wantEnds[i])
		}
	}
	for i, r := range api.Requests() {
		if want := "call-" + string(rune('1'+i)); r.Traceparent != want {
			t.Errorf("request %d (%s %s) carried traceparent %q, want %q", i, r.Method, r.Path, r.Traceparent, want)
		}
	}
}

// A request the Limiter holds back after a 429 is told with status -1 and the time left, and
// reaches nothing; a paced one with the time it waited for a token.
func TestTheTracerIsToldOfTheLimiter(t *testing.T) {
	api := orqmem.New(orqmem.Options{APIKeys: []string{testKey}})
	srv := httptest.NewServer(api)
	defer srv.Close()
	tracer := &fakeTracer{}
	limiter := NewLimiter(20, 1) // a token every 50ms
	c, err := New(Options{BaseURL: srv.URL, APIKey: testKey, Tracer: tracer, Limiter: limiter})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for range 2 { // the second waits for a token
		if _, err := c.ListVersions(ctx, Agents, "", ListOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	if w := tracer.ends[1].Waited; w < 10*time.Millisecond {
		t.Errorf("the second request waited %v for a token, want about 50ms", w)
	}
	limiter.closeFor(time.Minute)
	if _, err := c.ListVersions(ctx, Agents, "", ListOptions{}); KindOf(err) != KindRateLimited {
		t.Fatalf("held back: %v", err)
	}
	end := tracer.ends[2]
	if end.Status != -1 || end.HeldBack < 59*time.Second || end.Err != KindRateLimited {
		t.Errorf("held back request: %+v", end)
	}
	if n := len(api.Requests()); n != 2 {
		t.Errorf("%d requests reached the API, want 2", n)
	}
}

// Without a Tracer, the tracing hooks of a request allocate nothing.
func TestAnUntracedRequestPaysNothingForTracing(t *testing.T) {
	c, err := New(Options{BaseURL: "http://127.0.0.1:1", APIKey: testKey})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	k := call{op: "get agent", method: http.MethodGet, path: "/v2/agents/a", route: Agents.memberRoute("")}
	allocs := testing.AllocsPerRun(100, func() {
		if _, tr := c.startCall(ctx, k); tr != nil {
			t.Fatal("traced without a Tracer")
		}
	})
	if allocs != 0 {
		t.Errorf("an untraced request allocates %v times for tracing, want 0", allocs)
	}
}

// BenchmarkRequest measures one request to a local server, untraced and with a Tracer that does
// nothing, to show what the Tracer's hooks cost.
func BenchmarkRequest(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"_id":"01ID","key":"a"}`))
	}))
	defer srv.Close()
	for _, tc := range []struct {
		name   string
		tracer Tracer
	}{{"untraced", nil}, {"traced", nopTracer{}}} {
		b.Run(tc.name, func(b *testing.B) {
			c, err := New(Options{BaseURL: srv.URL, APIKey: testKey, Tracer: tc.tracer})
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := c.Get(context.Background(), Agents, "", "a"); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

type nopTracer struct{}

func (nopTracer) StartCall(ctx context.Context, _ Call) (context.Context, func(CallEnd)) {
	return ctx, func(CallEnd) {}
}
func (nopTracer) Inject(context.Context, http.Header) {}

func mustHost(t *testing.T, raw string) string {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u.Host
}
