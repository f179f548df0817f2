package orqmem_test

import (
	"net/http"
	"testing"

	"github.com/orq-ai/orq-operator/internal/openapi"
	"github.com/orq-ai/orq-operator/internal/orqmem"
)

// These tests cross-check the built-in validator and the response shapes
// with the official OpenAPI document; they are skipped when it is absent.

// someULID is a well-formed id for bodies that are only validated.
const someULID = "01JJ1HDHN79XAS7A01WB3HYSDB"

func TestContractBadBodiesRejectedByBoth(t *testing.T) {
	spec := openapi.ForTest(t)
	for _, tc := range badCreateBodies() {
		t.Run(tc.name, func(t *testing.T) {
			if err := orqmem.ValidateCreateRequest([]byte(tc.body)); err == nil {
				t.Error("built-in validator accepted the body")
			}
			if err := spec.ValidateCreateRequest([]byte(tc.body)); err == nil {
				t.Errorf("OpenAPI schema accepted the body the fake rejects: %s", tc.body)
			}
		})
	}
}

func TestContractGoodBodiesAcceptedByBoth(t *testing.T) {
	spec := openapi.ForTest(t)
	for name, b := range goodCreateBodies(someULID) {
		t.Run(name, func(t *testing.T) {
			if err := orqmem.ValidateCreateRequest([]byte(b)); err != nil {
				t.Errorf("built-in validator: %v", err)
			}
			if err := spec.ValidateCreateRequest([]byte(b)); err != nil {
				t.Errorf("OpenAPI schema: %v", err)
			}
		})
	}
}

func TestContractResponses(t *testing.T) {
	spec := openapi.ForTest(t)
	h := newHarness(t, orqmem.Options{Schema: spec})
	if h.spec == nil {
		t.Fatal("harness has no spec although ForTest found one")
	}
	// Every response below is validated by the harness (checkContract).
	for _, b := range goodCreateBodies(h.seedAgentRefs()) {
		mustStatus(t, h.do(http.MethodPost, "/v2/agents", b), http.StatusCreated)
	}
	for _, key := range h.fake.Keys() {
		mustStatus(t, h.do(http.MethodGet, "/v2/agents/"+key, ""), http.StatusOK)
	}
	patches := []string{
		`{}`,
		`{"model":{"id":"m2","parameters":{"temperature":1}},"fallback_models":["x"]}`,
		`{"settings":{"tools":[{"type":"http","key":"weather_api"}]},"versionIncrement":"patch"}`,
		`{"instructions":"Use {{a}} and {{ b }}","variables":{"a":"1"}}`,
		`{"system_prompt":null,"skills":null,"engine":"mustache","project_id":"` + orqmem.DefaultProjectID + `"}`,
		`{"key":"renamed-agent"}`,
	}
	for _, p := range patches {
		mustStatus(t, h.do(http.MethodPatch, "/v2/agents/minimal", p), http.StatusOK)
		if p == `{"key":"renamed-agent"}` {
			break
		}
	}
	mustStatus(t, h.do(http.MethodGet, "/v2/agents", ""), http.StatusOK)
	mustStatus(t, h.do(http.MethodGet, "/v2/agents?limit=2", ""), http.StatusOK)
}

func TestContractMutatedAgentStillValid(t *testing.T) {
	spec := openapi.ForTest(t)
	h := newHarness(t, orqmem.Options{})
	h.create(baseBody("studio"))
	h.fake.MutateAgent("studio", func(a map[string]any) { a["description"] = "edited" })
	res := h.do(http.MethodGet, "/v2/agents/studio", "")
	mustStatus(t, res, http.StatusOK)
	if err := spec.ValidateAgent(res.body); err != nil {
		t.Fatal(err)
	}
}
