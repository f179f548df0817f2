package orqmem_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/orq-ai/orq-operator/internal/openapi"
	"github.com/orq-ai/orq-operator/internal/orqmem"
)

// sdkOnlyBody uses what orq added after the OpenAPI document (types of
// @orq-ai/node 4.15.11): the file_system tool, reasoning_effort "max" and
// evaluator/guardrail options.
func sdkOnlyBody(key string) body {
	return baseBody(key).
		set("model", raw(`{"id":"m","parameters":{"reasoning_effort":"max"}}`)).
		set("fallback_models", raw(`[{"id":"fb","parameters":{"reasoning_effort":"max"}}]`)).
		set("settings", raw(`{"tools":[
		  {"type":"file_system","configuration":{"file_system_key":"docs"}},
		  {"type":"file_system","requires_approval":true,"configuration":{"file_system_id":"01KA84ND5J0SWQMA2Q8HY5WZZZ","access_mode":"read_write"}}],
		  "evaluators":[{"id":"e","execute_on":"output","options":{"threshold":0.5}}],
		  "guardrails":[{"id":"orq_pii_detection","execute_on":"input","options":{"entities":["EMAIL_ADDRESS"]}}]}`))
}

func TestSDKAdditionsEchoed(t *testing.T) {
	h := newHarness(t, orqmem.Options{})
	a := h.create(sdkOnlyBody("sdk"))
	jsonEqual(t, "model", a["model"], `{"id":"m","integration_id":null,"parameters":{"reasoning_effort":"max"},
	  "fallback_models":[{"id":"fb","parameters":{"reasoning_effort":"max"}}]}`)
	settings := a["settings"].(map[string]any)
	tools := settings["tools"].([]any)
	for i := range tools {
		if id, _ := tools[i].(map[string]any)["id"].(string); !ulidPattern.MatchString(id) {
			t.Errorf("tools[%d].id %q is not a ULID", i, id)
		}
		delete(tools[i].(map[string]any), "id")
	}
	jsonEqual(t, "tools", tools, `[
	  {"action_type":"file_system","requires_approval":false,"conditions":[],"configuration":{"file_system_key":"docs","access_mode":"read_only"}},
	  {"action_type":"file_system","requires_approval":true,"conditions":[],"configuration":{"file_system_id":"01KA84ND5J0SWQMA2Q8HY5WZZZ","access_mode":"read_write"}}]`)
	jsonEqual(t, "evaluators", settings["evaluators"], `[{"id":"e","execute_on":"output","options":{"threshold":0.5},"sample_rate":50}]`)
	jsonEqual(t, "guardrails", settings["guardrails"], `[{"id":"orq_pii_detection","execute_on":"input","options":{"entities":["EMAIL_ADDRESS"]},"sample_rate":50}]`)
}

func TestSDKAdditionsValidated(t *testing.T) {
	h := newHarness(t, orqmem.Options{})
	cases := map[string]struct{ settings, want string }{
		"no configuration":   {`{"tools":[{"type":"file_system"}]}`, "settings.tools[0].configuration: is required"},
		"no file system":     {`{"tools":[{"type":"file_system","configuration":{"access_mode":"read_only"}}]}`, "settings.tools[0].configuration: needs file_system_id or file_system_key"},
		"bad access mode":    {`{"tools":[{"type":"file_system","configuration":{"file_system_key":"d","access_mode":"write"}}]}`, "settings.tools[0].configuration.access_mode: must be one of: read_only, read_write"},
		"bad file system id": {`{"tools":[{"type":"file_system","configuration":{"file_system_id":7}}]}`, "settings.tools[0].configuration.file_system_id: must be a string"},
		"options not object": {`{"evaluators":[{"id":"e","execute_on":"input","options":"x"}]}`, "settings.evaluators[0].options: must be an object"},
	}
	for name, c := range cases {
		res := h.do(http.MethodPost, "/v2/agents", baseBody("bad").set("settings", raw(c.settings)).String())
		mustStatus(t, res, http.StatusBadRequest)
		if res.message(t) != c.want {
			t.Errorf("%s: message %q, want %q", name, res.message(t), c.want)
		}
	}
	models := map[string]string{
		`{"id":"m","parameters":{"reasoning_effort":"maximal"}}`:                                "model.parameters.reasoning_effort: must be one of: none, minimal, low, medium, high, xhigh, max",
		`{"id":"m","parameters":{"guardrails":[{"id":"g","execute_on":"input","options":[]}]}}`: "model.parameters.guardrails[0].options: must be an object",
	}
	for model, want := range models {
		res := h.do(http.MethodPost, "/v2/agents", baseBody("bad").set("model", raw(model)).String())
		mustStatus(t, res, http.StatusBadRequest)
		if res.message(t) != want {
			t.Errorf("model %s: message %q, want %q", model, res.message(t), want)
		}
	}
}

func TestModelGuardrailOptionsEchoed(t *testing.T) {
	h := newHarness(t, orqmem.Options{})
	params := `{"guardrails":[{"id":"orq_pii_detection","execute_on":"input","options":{"threshold":0.7}}]}`
	a := h.create(baseBody("guarded").set("model", raw(`{"id":"m","parameters":`+params+`}`)))
	jsonEqual(t, "model.parameters", a["model"].(map[string]any)["parameters"], params)
}

// With the OpenAPI document as Options.Schema the additions are still
// accepted: the document predates them, orqmem's own rules check them.
func TestSDKAdditionsAcceptedWithSchema(t *testing.T) {
	spec := openapi.ForTest(t)
	h := newHarness(t, orqmem.Options{Schema: spec})
	h.create(sdkOnlyBody("sdk"))
	res := h.do(http.MethodPatch, "/v2/agents/sdk", `{"settings":{"tools":[{"type":"file_system","configuration":{"file_system_key":"k","access_mode":"read_only"}}]},
	  "model":{"id":"m2","parameters":{"reasoning_effort":"max"}}}`)
	mustStatus(t, res, http.StatusOK)
}

// The schema still sees everything but the additions.
func TestSchemaSeesBodyWithoutSDKAdditions(t *testing.T) {
	v := &bodyRecorder{}
	h := newHarness(t, orqmem.Options{Schema: v})
	h.create(sdkOnlyBody("sdk").set("settings", raw(`{"tools":[{"type":"file_system","configuration":{"file_system_key":"d"}},{"type":"current_date"}],
	  "evaluators":[{"id":"e","execute_on":"output","options":{}}],"guardrails":[{"id":"orq_pii_detection","execute_on":"input","options":{"a":1}}]}`)))
	jsonEqual(t, "body the schema saw", v.last, `{"key":"sdk","role":"Support agent","description":"Answers customer questions",
	  "instructions":"Help {{customer}} with {{ topic }}.","path":"Default","model":{"id":"m","parameters":{}},
	  "fallback_models":[{"id":"fb","parameters":{}}],
	  "settings":{"tools":[{"type":"current_date"}],"evaluators":[{"id":"e","execute_on":"output"}],
	  "guardrails":[{"id":"orq_pii_detection","execute_on":"input"}]}}`)
}

// bodyRecorder is a RequestValidator keeping the last body it saw.
type bodyRecorder struct{ last map[string]any }

func (v *bodyRecorder) ValidateCreateRequest(b []byte) error {
	return json.Unmarshal(b, &v.last)
}

func (v *bodyRecorder) ValidateUpdateRequest(b []byte) error { return v.ValidateCreateRequest(b) }
