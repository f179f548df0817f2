package orqclient

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// From the attack review of #18 (R1, R9); each failed before its fix.

// R1: a request that never left the operator, because no connection could be made, is as
// certainly unsent as one the 429 gate held back: no create marker may count it as evidence.
func TestARequestThatCouldNotConnectIsKnownUnsent(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	_ = l.Close() // nothing listens there now: every dial is refused
	_, err = newClient(t, "http://"+addr, time.Second).CreateAgent(context.Background(), Body{"key": "k"})
	if err == nil {
		t.Fatal("a create to a closed port succeeded")
	}
	if !NotSent(err) {
		t.Errorf("NotSent(%v) = false: the create never reached anything", err)
	}
}

// R9: an answer quoted as raw JSON may escape "/" in the echoed API key as "\/".
func TestAKeyEchoedInEscapedJSONIsRedacted(t *testing.T) {
	const key = "sk-AbC+dEf/GhI=" // base64 alphabet
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		echoed := strings.ReplaceAll(strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer "), "/", `\/`)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = w.Write([]byte(`{"message":{"detail":"invalid key ` + echoed + `"}}`))
	}))
	defer srv.Close()
	c, err := New(Options{BaseURL: srv.URL, APIKey: key, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.GetAgent(context.Background(), "a")
	if err == nil || strings.Contains(strings.ReplaceAll(err.Error(), `\/`, "/"), key) {
		t.Errorf("the API key leaks in: %v", err)
	}
}
