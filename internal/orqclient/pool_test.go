package orqclient

import (
	"strings"
	"testing"
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

func TestPoolGivesOneClientPerSourceAndReplacesItOnRotation(t *testing.T) {
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
