package orqclient

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// The agent key of these requests: it is in the request path, and must not be in the message.
const secretAgentKey = "agent-key-not-to-quote"

func TestOnlyTheAPIsOwn404MeansNotFound(t *testing.T) {
	cases := []struct {
		name        string
		contentType string
		body        string
		kind        Kind
	}{
		{"orq", "application/json", `{"message":"Agent not found"}`, KindNotFound},
		{"orq with charset", "application/json; charset=utf-8", `{"message":"Agent not found"}`, KindNotFound},
		{"html", "text/html", `<html><body>404 Not Found</body></html>`, KindMisconfigured},
		{"text", "text/plain", `404 page not found`, KindMisconfigured},
		{"json as text", "text/plain", `{"message":"Agent not found"}`, KindMisconfigured},
		{"empty", "", ``, KindMisconfigured},
		{"express", "application/json", `{"message":"Cannot GET /v2/agentz/` + secretAgentKey + `"}`, KindMisconfigured},
		{"nest", "application/json", `{"statusCode":404,"message":"Cannot DELETE /v2/agents/` + secretAgentKey + `","error":"Not Found"}`, KindMisconfigured},
		{"spring", "application/json", `{"timestamp":"2026-01-01T00:00:00Z","status":404,"error":"Not Found","path":"/v2/agents/x"}`, KindMisconfigured},
		{"not a string", "application/json", `{"message":404}`, KindMisconfigured},
		// The shapes of the other collections' 404s, as their OpenAPI documents them.
		{"orq memory store", "application/json", `{"code":"not_found","message":"Memory store not found"}`, KindNotFound},
		{"orq tool", "application/json", `{"error":"Tool with id tool_01J not found"}`, KindNotFound},
		{"orq schedule", "application/json", `{"error":{"code":"schedule_not_found","message":"Schedule not found"}}`, KindNotFound},
		{"an error that is a number", "application/json", `{"error":404}`, KindMisconfigured},
		{"only a code", "application/json", `{"code":"not_found"}`, KindMisconfigured},
		{"a route miss as an error", "application/json", `{"error":{"message":"Cannot GET /v2/toolz/x"}}`, KindMisconfigured},
		{"not an object", "application/json", `"Agent not found"`, KindMisconfigured},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header()["Content-Type"] = []string{tc.contentType} // [""]: none, not sniffed
				w.WriteHeader(http.StatusNotFound)
				_, _ = w.Write([]byte(tc.body))
			}))
			defer srv.Close()
			c, err := New(Options{BaseURL: srv.URL + "/orq/", APIKey: testKey, Timeout: time.Second})
			if err != nil {
				t.Fatal(err)
			}
			err = c.DeleteAgent(context.Background(), secretAgentKey)
			if KindOf(err) != tc.kind {
				t.Fatalf("kind %q, want %q: %v", KindOf(err), tc.kind, err)
			}
			if tc.kind == KindMisconfigured {
				if !strings.Contains(err.Error(), srv.URL+"/orq") {
					t.Errorf("the message does not name the base URL that answered: %v", err)
				}
				if strings.Contains(err.Error(), secretAgentKey) || strings.Contains(err.Error(), testKey) {
					t.Errorf("the message quotes the agent key or the API key: %v", err)
				}
			}
		})
	}
}

func TestListAnswerMustBeAList(t *testing.T) {
	for _, body := range []string{`{}`, `{"object":"list","has_more":false}`, `{"object":"page","data":[],"has_more":false}`, `{"data":null,"object":"list","has_more":false}`, `{"object":"list","data":[]}`} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(body))
		}))
		c := newClient(t, srv.URL, time.Second)
		_, err := c.ListAgentVersions(context.Background(), ListOptions{Limit: 1})
		_, err2 := c.ListAgents(context.Background(), ListOptions{Limit: 1})
		err3 := c.CheckAPI(context.Background())
		srv.Close()
		for _, e := range []error{err, err2, err3} {
			if KindOf(e) != KindMisconfigured || !strings.Contains(e.Error(), srv.URL) {
				t.Errorf("answer %s: %v", body, e)
			}
		}
	}
}

func TestCheckAPIAsksForOneAgent(t *testing.T) {
	var query string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		query = r.URL.RawQuery
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"object":"list","data":[{"_id":"01A","key":"a"}],"has_more":true}`))
	}))
	defer srv.Close()
	if err := newClient(t, srv.URL, time.Second).CheckAPI(context.Background()); err != nil || query != "limit=1" {
		t.Errorf("CheckAPI: %v, query %q", err, query)
	}
	srv.Close()
	if err := newClient(t, srv.URL, time.Second).CheckAPI(context.Background()); KindOf(err) != KindUnavailable {
		t.Errorf("CheckAPI of a closed server: %v", err)
	}
}

// A 404 to a request that names no agent (list, create) cannot mean "the agent does not exist":
// the endpoint is not where the base URL says.
func TestA404ToListOrCreateIsMisconfigured(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write([]byte(`{"message":"Not found"}`))
	}))
	defer srv.Close()
	c := newClient(t, srv.URL, time.Second)
	_, err := c.ListAgentVersions(context.Background(), ListOptions{Limit: 1})
	_, err2 := c.CreateAgent(context.Background(), Body{"key": "a"})
	for _, e := range []error{err, err2} {
		if KindOf(e) != KindMisconfigured || !strings.Contains(e.Error(), srv.URL) {
			t.Errorf("%v", e)
		}
	}
}
