package orqclient

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestKeyHash(t *testing.T) {
	h := KeyHash("secret-key")
	if !strings.HasPrefix(h, "sha256:") || len(h) != len("sha256:")+16 || strings.Contains(h, "secret-key") {
		t.Errorf("KeyHash = %q", h)
	}
	if KeyHash(" secret-key\n") != h {
		t.Error("the hash is of the key as sent, trimmed like the client trims it")
	}
	if KeyHash("other-key") == h {
		t.Error("two keys, one hash")
	}
}

func TestPoolGivesOneClientPerKeyAndFollowsRotation(t *testing.T) {
	limiters := 0
	p := &Pool{Options: Options{BaseURL: "http://127.0.0.1:1"}, NewLimiter: func() *Limiter { limiters++; return NewLimiter(1, 1) }}
	a1, err := p.For("team-a/creds/apiKey", "key-a")
	if err != nil {
		t.Fatal(err)
	}
	if again, _ := p.For("team-a/creds/apiKey", "key-a"); again != a1 {
		t.Error("the same source and key must share a client (and its limiter)")
	}
	b, _ := p.For("team-b/creds/apiKey", "key-b")
	if b == a1 || b.limiter == a1.limiter {
		t.Error("each workspace has its own client and limiter")
	}
	a2, _ := p.For("team-a/creds/apiKey", "key-a2")
	if a2 == a1 || a2.apiKey != "key-a2" {
		t.Error("a rotated key gets a new client with the new key")
	}
	if p.Len() != 2 || limiters != 3 {
		t.Errorf("Len = %d, limiters = %d: the old client of a rotated source is dropped", p.Len(), limiters)
	}
	if _, err := p.For("x", "bad\x00key"); err == nil {
		t.Error("a key with control characters is refused")
	}
}

// One API key is one workspace, with one quota: every source holding it shares one client, and a
// 429 answered through one holds back the others.
func TestPoolSharesOneClientAndGatePerKey(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.Header().Set("Retry-After", "60")
		w.WriteHeader(http.StatusTooManyRequests)
	}))
	defer srv.Close()
	p := &Pool{Options: Options{BaseURL: srv.URL}, NewLimiter: func() *Limiter { return NewLimiter(0, 1) }}
	own, err := p.Pin(testKey) // the operator's own key
	if err != nil {
		t.Fatal(err)
	}
	a, _ := p.For("team-a/creds/apiKey", testKey)
	b, _ := p.For("team-b/copy/apiKey", " "+testKey+"\n") // the same key, as a file would hold it
	if a != own || b != own || p.Len() != 1 {
		t.Fatalf("one key, %d clients", p.Len())
	}
	if err := a.DeleteAgent(context.Background(), "x"); KindOf(err) != KindRateLimited {
		t.Fatalf("first call: %v", err)
	}
	for _, c := range []*Client{b, own} {
		if err := c.DeleteAgent(context.Background(), "x"); KindOf(err) != KindRateLimited || RetryAfter(err) <= 0 {
			t.Errorf("after the 429: %v", err)
		}
	}
	if calls.Load() != 1 {
		t.Errorf("%d requests reached the API; after the 429 the other holders of the key must wait", calls.Load())
	}
}

func TestPoolRotationKeepsAClientOthersStillUse(t *testing.T) {
	p := &Pool{Options: Options{BaseURL: "http://127.0.0.1:1"}}
	a1, _ := p.For("a", "key-1")
	b1, _ := p.For("b", "key-1")
	a2, _ := p.For("a", "key-2")
	if a2 == a1 || a2.apiKey != "key-2" || p.Len() != 2 {
		t.Errorf("rotated source: new client %v, %d clients", a2 != a1, p.Len())
	}
	if again, _ := p.For("b", "key-1"); again != b1 {
		t.Error("the other source of key-1 keeps its client")
	}
	_, _ = p.For("b", "key-2")
	if p.Len() != 1 {
		t.Errorf("%d clients: key-1's is used by no source any more and must be dropped", p.Len())
	}
}

func TestPoolForgetsIdleSources(t *testing.T) {
	now := time.Now()
	p := &Pool{Options: Options{BaseURL: "http://127.0.0.1:1"}, now: func() time.Time { return now }}
	own, _ := p.Pin("own-key")
	_, _ = p.For("gone/creds/apiKey", "key-gone")
	kept, _ := p.For("kept/creds/apiKey", "key-kept")
	now = now.Add(idleSource / 2)
	_, _ = p.For("kept/creds/apiKey", "key-kept")
	now = now.Add(idleSource/2 + time.Minute)
	if got, _ := p.For("kept/creds/apiKey", "key-kept"); got != kept {
		t.Error("a source in use keeps its client")
	}
	if p.Len() != 2 {
		t.Errorf("%d clients, want the pinned one and the one in use", p.Len())
	}
	if got, _ := p.For("own/creds/apiKey", "own-key"); got != own {
		t.Error("a pinned client is never dropped")
	}
}
