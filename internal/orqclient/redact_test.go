package orqclient

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

// A key with characters that URL escaping changes, so that its escaped forms differ from it.
const oddKey = "sk-odd/key+with=chars 0123456789"

func TestRedirectLocationIsRedacted(t *testing.T) {
	locations := []string{
		"http://elsewhere.invalid/steal?key=" + url.QueryEscape(oddKey),
		"http://elsewhere.invalid/" + url.PathEscape(oddKey) + "/x",
		"http://elsewhere.invalid/raw?k=" + oddKey,
		"http://user:hunter2@elsewhere.invalid/steal#token=hunter2",
	}
	for _, loc := range locations {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header()["Location"] = []string{loc} // as is: Header.Set would not escape it either
			w.WriteHeader(http.StatusFound)
		}))
		c, err := New(Options{BaseURL: srv.URL, APIKey: oddKey, Timeout: time.Second})
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.GetAgent(context.Background(), "a")
		srv.Close()
		if KindOf(err) != KindMisconfigured || !strings.Contains(err.Error(), "elsewhere.invalid") {
			t.Errorf("Location %q: %v", loc, err)
		}
		for _, secret := range []string{oddKey, url.QueryEscape(oddKey), url.PathEscape(oddKey), "hunter2"} {
			if strings.Contains(err.Error(), secret) {
				t.Errorf("Location %q: the error quotes a secret %q: %v", loc, secret, err)
			}
		}
	}
}

func TestAPIMessagesAndTransportErrorsAreRedacted(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte(`{"message":"bad key ` + url.QueryEscape(oddKey) + ` from https://u:hunter2@proxy.invalid/"}`))
	}))
	defer srv.Close()
	c, err := New(Options{BaseURL: srv.URL, APIKey: oddKey})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.GetAgent(context.Background(), "a")
	if err == nil || strings.Contains(err.Error(), url.QueryEscape(oddKey)) || strings.Contains(err.Error(), "hunter2") {
		t.Errorf("API message not redacted: %v", err)
	}
}

func TestBaseURLPasswordIsNotQuoted(t *testing.T) {
	if _, err := New(Options{BaseURL: "ftp://u:hunter2@x.invalid"}); err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Errorf("New: %v", err)
	}
	c, err := New(Options{BaseURL: "http://u:hunter2@127.0.0.1:1/base"})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(c.BaseURL(), "hunter2") {
		t.Errorf("BaseURL() = %q", c.BaseURL())
	}
	if _, err := c.GetAgent(context.Background(), "a"); err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Errorf("transport error: %v", err)
	}
}

// The key is redacted before a long message is cut: the cut must not leave a piece of it.
func TestKeyIsRedactedBeforeTheMessageIsCut(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte(`{"message":"` + strings.Repeat("x", maxMessage-10) + testKey + `"}`))
	}))
	defer srv.Close()
	_, err := newClient(t, srv.URL, time.Second).GetAgent(context.Background(), "a")
	if err == nil || strings.Contains(err.Error(), testKey[:10]) {
		t.Errorf("a piece of the key is left: %v", err)
	}
}
