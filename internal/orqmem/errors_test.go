package orqmem_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/orq-ai/orq-operator/internal/orqmem"
)

// Every error answer is application/json {"message": string}: the shape of
// the 404 the OpenAPI document gives retrieve, update and delete, and the
// one orqmem uses for the errors it documents without a body.
func TestErrorBodies(t *testing.T) {
	h := newHarness(t, orqmem.Options{APIKeys: []string{testToken}})
	h.create(baseBody("dup"))
	h.fake.AddFault(orqmem.Fault{Path: "/v2/agents/limited", Status: http.StatusTooManyRequests, RetryAfter: time.Second})
	cases := []struct {
		name, method, path, body, token string
		status                          int
		want                            string
	}{
		{"retrieve unknown key", http.MethodGet, "/v2/agents/nope", "", testToken, 404, `{"message":"Agent not found"}`},
		{"update unknown key", http.MethodPatch, "/v2/agents/nope", `{}`, testToken, 404, `{"message":"Agent not found"}`},
		{"delete unknown key", http.MethodDelete, "/v2/agents/nope", "", testToken, 404, `{"message":"Agent not found"}`},
		{"unknown route", http.MethodGet, "/v2/prompts", "", testToken, 404, `{"message":"Not found"}`},
		{"duplicate key", http.MethodPost, "/v2/agents", baseBody("dup").String(), testToken, 409, `{"message":"Agent with key \"dup\" already exists"}`},
		{"invalid body", http.MethodPost, "/v2/agents", `{"key":"x"}`, testToken, 400, `{"message":"role: is required"}`},
		{"no token", http.MethodGet, "/v2/agents", "", "", 401, `{"message":"Unauthorized: missing bearer token"}`},
		{"wrong token", http.MethodGet, "/v2/agents", "", "wrong", 401, `{"message":"Unauthorized: invalid API key"}`},
		{"rate limited", http.MethodGet, "/v2/agents/limited", "", testToken, 429, `{"message":"Too Many Requests"}`},
	}
	for _, c := range cases {
		res := h.doWithToken(c.method, c.path, c.body, c.token)
		if res.status != c.status || string(res.body) != c.want {
			t.Errorf("%s: %d %s, want %d %s", c.name, res.status, res.body, c.status, c.want)
		}
		if ct := res.header.Get("Content-Type"); ct != "application/json" {
			t.Errorf("%s: Content-Type %q", c.name, ct)
		}
	}
}
