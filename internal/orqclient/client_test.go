package orqclient

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/orq-ai/orq-operator/internal/orqmem"
)

const testKey = "sk-test-secret-0123456789"

func newClient(t *testing.T, url string, timeout time.Duration) *Client {
	t.Helper()
	c, err := New(Options{BaseURL: url, APIKey: testKey, Timeout: timeout, UserAgent: "orq-operator/test"})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestErrorsAreClassifiedOnce(t *testing.T) {
	cases := []struct {
		status     int
		header     string
		body       string
		kind       Kind
		retryAfter time.Duration
		message    string
	}{
		{400, "", `{"message":"model does not support tool calling"}`, KindInvalid, 0, "model does not support tool calling"},
		{422, "", `{"error":"bad"}`, KindInvalid, 0, "bad"},
		{401, "", `{"message":"Unauthorized"}`, KindUnauthorized, 0, "Unauthorized"},
		{403, "", ``, KindUnauthorized, 0, "Forbidden"},
		{404, "", `{"message":"Agent not found"}`, KindNotFound, 0, "Agent not found"},
		{404, "", `<html>nginx: not found</html>`, KindMisconfigured, 0, "not the orq API"},
		{409, "", `{"message":"exists"}`, KindConflict, 0, "exists"},
		{429, "7", `{"message":"slow down"}`, KindRateLimited, 7 * time.Second, "slow down"},
		{500, "", `oops`, KindUnavailable, 0, "oops"},
		{503, "2", ``, KindUnavailable, 2 * time.Second, "Service Unavailable"},
		{302, "", ``, KindMisconfigured, 0, `redirected to "http://elsewhere.invalid/steal"`},
		{408, "", ``, KindUnavailable, 0, "Request Timeout"},
		{429, "1e20", ``, KindRateLimited, 0, "Too Many Requests"},
		{429, "999999", ``, KindRateLimited, maxRetryAfter, "Too Many Requests"},
		{400, "", `{"message":"` + strings.Repeat("x", 5000) + `"}`, KindInvalid, 0, "xxx..."},
	}
	for _, tc := range cases {
		t.Run(fmt.Sprint(tc.status), func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if tc.header != "" {
					w.Header().Set("Retry-After", tc.header)
				}
				if tc.status == 302 {
					w.Header().Set("Location", "http://elsewhere.invalid/steal")
				}
				if strings.HasPrefix(tc.body, "{") {
					w.Header().Set("Content-Type", "application/json")
				}
				w.WriteHeader(tc.status)
				_, _ = w.Write([]byte(tc.body))
			}))
			defer srv.Close()
			_, err := newClient(t, srv.URL, time.Second).GetAgent(context.Background(), "a")
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %v is not an *Error", err)
			}
			if e.Kind != tc.kind || e.RetryAfter != tc.retryAfter || !strings.Contains(e.Error(), tc.message) {
				t.Errorf("got kind %s retryAfter %s %q; want %s %s containing %q", e.Kind, e.RetryAfter, e.Error(), tc.kind, tc.retryAfter, tc.message)
			}
			if strings.Contains(err.Error(), testKey) {
				t.Errorf("error text carries the API key: %v", err)
			}
			if len(e.Message) > maxMessage+3 {
				t.Errorf("message of %d bytes kept", len(e.Message))
			}
		})
	}
}

func TestTimeoutAndNetworkErrorsAreUnavailable(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(300 * time.Millisecond)
	}))
	defer srv.Close()
	_, err := newClient(t, srv.URL, 50*time.Millisecond).GetAgent(context.Background(), "a")
	if KindOf(err) != KindUnavailable || !strings.Contains(err.Error(), "timed out") {
		t.Errorf("timeout: got %v", err)
	}
	srv.Close()
	_, err = newClient(t, srv.URL, time.Second).GetAgent(context.Background(), "a")
	if KindOf(err) != KindUnavailable {
		t.Errorf("closed server: got %v", err)
	}
}

func TestRedirectIsNotFollowed(t *testing.T) {
	var leaked bool
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		leaked = r.Header.Get("Authorization") != ""
	}))
	defer other.Close()
	srv := httptest.NewServer(http.RedirectHandler(other.URL+"/v2/agents/a", http.StatusTemporaryRedirect))
	defer srv.Close()
	if _, err := newClient(t, srv.URL, time.Second).GetAgent(context.Background(), "a"); err == nil {
		t.Fatal("a redirect must fail the request")
	}
	if leaked {
		t.Error("the API key reached another origin")
	}
}

func TestRequestsCarryAuthUserAgentAndEscapedKey(t *testing.T) {
	var got *http.Request
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()
	if err := newClient(t, srv.URL+"/base/", time.Second).DeleteAgent(context.Background(), "a.b/c"); err != nil {
		t.Fatal(err)
	}
	if got.Header.Get("Authorization") != "Bearer "+testKey || got.Header.Get("User-Agent") != "orq-operator/test" {
		t.Errorf("headers: %v", got.Header)
	}
	if got.URL.EscapedPath() != "/base/v2/agents/a.b%2Fc" {
		t.Errorf("path %q", got.URL.EscapedPath())
	}
}

func TestAPIKeyIsTrimmedAndChecked(t *testing.T) {
	var auth string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth = r.Header.Get("Authorization")
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()
	c, err := New(Options{BaseURL: srv.URL, APIKey: testKey + "\n"})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteAgent(context.Background(), "a"); err != nil || auth != "Bearer "+testKey {
		t.Errorf("trailing newline not removed: %q, %v", auth, err)
	}
	if _, err := New(Options{APIKey: "abc\x00def"}); err == nil || strings.Contains(err.Error(), "abc") {
		t.Errorf("a key with control characters: %v", err)
	}
}

func TestNewRejectsBadBaseURL(t *testing.T) {
	for _, u := range []string{"my.orq.ai", "ftp://x", "://"} {
		if _, err := New(Options{BaseURL: u}); err == nil {
			t.Errorf("base URL %q accepted", u)
		}
	}
	c, err := New(Options{})
	if err != nil || c.BaseURL() != DefaultBaseURL {
		t.Errorf("default base URL: %v %v", c, err)
	}
}

// TestAgainstInMemoryAPI runs every operation against the in-memory orq API.
func TestAgainstInMemoryAPI(t *testing.T) {
	api := orqmem.New(orqmem.Options{APIKeys: []string{testKey}})
	srv := httptest.NewServer(api)
	defer srv.Close()
	c := newClient(t, srv.URL, 5*time.Second)
	ctx := context.Background()
	body := func(key string) Body {
		return Body{"key": key, "role": "r", "description": "d", "instructions": "i", "path": "Default", "model": "openai/gpt-4o", "settings": Body{}}
	}

	created, err := c.CreateAgent(ctx, body("one"))
	if err != nil {
		t.Fatal(err)
	}
	if created.ID == "" || created.Key != "one" || created.ProjectID == "" || created.Status == "" || created.Version == "" {
		t.Errorf("created agent: %+v", created)
	}
	if _, err := c.CreateAgent(ctx, body("one")); !IsConflict(err) {
		t.Errorf("duplicate create: %v", err)
	}
	got, err := c.GetAgent(ctx, "one")
	if err != nil || got.ID != created.ID {
		t.Fatalf("get: %v %v", got, err)
	}
	updated, err := c.UpdateAgent(ctx, "one", Body{"instructions": "new"})
	if err != nil || updated.Raw["instructions"] != "new" {
		t.Fatalf("update: %v %v", updated, err)
	}
	if err := c.DeleteAgent(ctx, "one"); err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteAgent(ctx, "one"); !IsNotFound(err) {
		t.Errorf("second delete: %v", err)
	}
	if _, err := c.CreateAgent(ctx, Body{"key": "1bad"}); KindOf(err) != KindInvalid {
		t.Errorf("invalid create: %v", err)
	}

	const n = 450
	for i := range n {
		if _, err := c.CreateAgent(ctx, body(fmt.Sprintf("agent-%d", i))); err != nil {
			t.Fatal(err)
		}
	}
	api.ResetRequests()
	all, err := c.ListAllAgents(ctx, 200)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, a := range all {
		if seen[a.Key] {
			t.Errorf("agent %s listed twice", a.Key)
		}
		seen[a.Key] = true
	}
	if len(seen) != n {
		t.Errorf("listed %d agents, want %d", len(seen), n)
	}
	if calls := api.CountRequests(http.MethodGet); calls != 3 {
		t.Errorf("listing %d agents took %d calls, want 3 pages of 200", n, calls)
	}

	bad := newClient(t, srv.URL, time.Second)
	bad.apiKey = "wrong"
	if _, err := bad.GetAgent(ctx, "agent-1"); KindOf(err) != KindUnauthorized {
		t.Errorf("wrong key: %v", err)
	}
}

func TestLimiterGateHoldsEveryWorkerUntilRetryAfter(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()
	limiter := NewLimiter(0, 1)
	now := time.Now()
	limiter.now = func() time.Time { return now }
	clients := []*Client{}
	for range 3 { // three workers, one gate
		c, err := New(Options{BaseURL: srv.URL, APIKey: testKey, Limiter: limiter})
		if err != nil {
			t.Fatal(err)
		}
		clients = append(clients, c)
	}
	if err := clients[0].DeleteAgent(context.Background(), "a"); KindOf(err) != KindRateLimited {
		t.Fatalf("first call: %v", err)
	}
	now = now.Add(400 * time.Millisecond)
	for _, c := range clients {
		err := c.DeleteAgent(context.Background(), "a")
		if KindOf(err) != KindRateLimited || RetryAfter(err) != 600*time.Millisecond {
			t.Errorf("inside the Retry-After window: %v (retry after %s)", err, RetryAfter(err))
		}
	}
	if got := calls.Load(); got != 1 {
		t.Errorf("%d requests reached the API inside the window, want none after the 429", got-1)
	}
	now = now.Add(time.Second)
	if err := clients[1].DeleteAgent(context.Background(), "a"); err != nil {
		t.Errorf("after the window: %v", err)
	}
}

func TestLimiterPaces(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()
	c, _ := New(Options{BaseURL: srv.URL, APIKey: testKey, Limiter: NewLimiter(1, 2)})
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	var limited int
	for range 5 {
		if err := c.DeleteAgent(ctx, "a"); err != nil {
			limited++
		}
	}
	// At 1 request a second with bursts of 2, only the burst fits in 300ms.
	if calls.Load() != 2 || limited != 3 {
		t.Errorf("%d requests sent, %d held back; want 2 and 3", calls.Load(), limited)
	}
}

func TestAPIKeyEchoedByTheAPIIsRedacted(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = w.Write([]byte(`{"message":"invalid key ` + strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ") + `"}`))
	}))
	defer srv.Close()
	_, err := newClient(t, srv.URL, time.Second).GetAgent(context.Background(), "a")
	if err == nil || strings.Contains(err.Error(), testKey) || !strings.Contains(err.Error(), "[redacted]") {
		t.Errorf("error %v", err)
	}
}

func TestObserveSeesEveryRequest(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodDelete {
			w.Header().Set("Retry-After", "60")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		w.WriteHeader(http.StatusNotFound)
	}))
	defer srv.Close()
	type seen struct {
		op     string
		status int
	}
	var got []seen
	observe := func(op string, status int, _ time.Duration) { got = append(got, seen{op, status}) }
	c, _ := New(Options{BaseURL: srv.URL, APIKey: testKey, Limiter: NewLimiter(0, 1), Observe: observe})
	_, _ = c.GetAgent(context.Background(), "a")
	_ = c.DeleteAgent(context.Background(), "a")
	_ = c.DeleteAgent(context.Background(), "a") // held back by the 429 gate
	srv.Close()
	unlimited, _ := New(Options{BaseURL: srv.URL, APIKey: testKey, Observe: observe})
	_, _ = unlimited.GetAgent(context.Background(), "a") // no answer: the server is gone
	want := []seen{{"get agent", 404}, {"delete agent", 429}, {"delete agent", -1}, {"get agent", 0}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("observed %v, want %v", got, want)
	}
}

// When the gate reopens, one request probes the API; the other workers are held back until its
// answer: a still-limited API sees one request per Retry-After, not one per worker.
// A request waiting for its token is not sent when a 429 closed the gate meanwhile.
func TestLimiterChecksTheGateAfterTheTokenWait(t *testing.T) {
	l := NewLimiter(5, 1) // a token every 200ms
	ctx := context.Background()
	if wait, _, err := l.acquire(ctx); err != nil || wait != 0 {
		t.Fatalf("first acquire: wait %v, err %v", wait, err)
	}
	got := make(chan time.Duration)
	go func() {
		wait, _, _ := l.acquire(ctx) // waits about 200ms for its token
		got <- wait
	}()
	time.Sleep(20 * time.Millisecond)
	l.closeFor(10 * time.Second)
	if wait := <-got; wait <= 0 {
		t.Errorf("the request was let through (wait %v) though a 429 closed the gate while it waited for its token", wait)
	}
}

func TestLimiterSendsOneProbeWhenTheGateReopens(t *testing.T) {
	var calls atomic.Int32
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch calls.Add(1) {
		case 1, 2: // the 429, then the first probe: still limited
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
		case 3: // the second probe, held until the others have tried
			<-release
			w.WriteHeader(http.StatusNoContent)
		default:
			w.WriteHeader(http.StatusNoContent)
		}
	}))
	defer srv.Close()
	limiter := NewLimiter(0, 1)
	now := time.Now()
	var mu sync.Mutex
	limiter.now = func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
	c, err := New(Options{BaseURL: srv.URL, APIKey: testKey, Limiter: limiter})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := c.DeleteAgent(ctx, "a"); KindOf(err) != KindRateLimited {
		t.Fatalf("first call: %v", err)
	}
	advance(1100 * time.Millisecond)
	if err := c.DeleteAgent(ctx, "a"); KindOf(err) != KindRateLimited {
		t.Fatalf("the probe: %v", err)
	}
	if calls.Load() != 2 {
		t.Fatalf("%d calls", calls.Load())
	}
	advance(1100 * time.Millisecond)
	probeDone := make(chan error)
	go func() { probeDone <- c.DeleteAgent(ctx, "a") }()
	for calls.Load() != 3 {
		time.Sleep(time.Millisecond)
	}
	for range 4 { // the other workers, while the probe is under way
		if err := c.DeleteAgent(ctx, "a"); KindOf(err) != KindRateLimited || RetryAfter(err) <= 0 {
			t.Errorf("while the probe is under way: %v", err)
		}
	}
	if got := calls.Load(); got != 3 {
		t.Errorf("%d requests reached the API, want only the probe", got)
	}
	close(release)
	if err := <-probeDone; err != nil {
		t.Fatalf("the probe: %v", err)
	}
	for range 4 {
		if err := c.DeleteAgent(ctx, "a"); err != nil {
			t.Errorf("after a successful probe: %v", err)
		}
	}
}

func TestListAgentVersionsKeepsKeyIDAndUpdateTime(t *testing.T) {
	var query string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		query = r.URL.RawQuery
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"object":"list","has_more":true,"data":[
			{"_id":"01A","key":"a","updated":"2026-11-24T10:00:00.000Z","instructions":"long text","model":{"id":"m"}},
			{"_id":"01B","key":"b","updated":"2026-11-24T11:00:00.000Z"}]}`))
	}))
	defer srv.Close()
	c, err := New(Options{BaseURL: srv.URL, APIKey: testKey})
	if err != nil {
		t.Fatal(err)
	}
	page, err := c.ListAgentVersions(context.Background(), ListOptions{Limit: 200, StartingAfter: "01Z"})
	if err != nil {
		t.Fatal(err)
	}
	want := []AgentVersion{{ID: "01A", Key: "a", Updated: "2026-11-24T10:00:00.000Z"}, {ID: "01B", Key: "b", Updated: "2026-11-24T11:00:00.000Z"}}
	if !page.HasMore || !reflect.DeepEqual(page.Versions, want) {
		t.Errorf("page = %+v", page)
	}
	if query != "limit=200&starting_after=01Z" {
		t.Errorf("query %q", query)
	}
}
