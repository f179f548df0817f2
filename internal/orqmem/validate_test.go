package orqmem_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/orq-ai/orq-operator/internal/orqmem"
)

// badCase is an invalid create body and the field its error must name.
type badCase struct {
	name     string
	body     string
	wantPath string
}

// bad builds a badCase from a mutation of the base body.
func bad(name, wantPath string, mutate func(b body) body) badCase {
	return badCase{name: name, body: mutate(baseBody("agent-1")).String(), wantPath: wantPath}
}

// setTo returns a mutation assigning v at path.
func setTo(path string, v any) func(body) body {
	return func(b body) body { return b.set(path, v) }
}

// without returns a mutation deleting path.
func without(path string) func(body) body {
	return func(b body) body { return b.del(path) }
}

// params returns a mutation setting model.parameters.<name> on an object
// model.
func params(name string, v any) func(body) body {
	return func(b body) body {
		return b.set("model", map[string]any{"id": "openai/gpt-4o", "parameters": map[string]any{name: v}})
	}
}

// tools returns a mutation setting settings.tools.
func tools(js string) func(body) body { return setTo("settings.tools", raw(js)) }

// badCreateBodies are create bodies the real API rejects.
func badCreateBodies() []badCase {
	return []badCase{
		bad("missing key", "key", without("key")),
		bad("key pattern digit", "key", setTo("key", "1agent")),
		bad("key pattern dots", "key", setTo("key", "a..b")),
		bad("key too long", "key", setTo("key", strings.Repeat("a", 256))),
		bad("display_name too long", "display_name", setTo("display_name", strings.Repeat("d", 256))),
		bad("empty role", "role", setTo("role", "")),
		bad("empty description", "description", setTo("description", "")),
		bad("empty system_prompt", "system_prompt", setTo("system_prompt", "")),
		bad("missing instructions", "instructions", without("instructions")),
		bad("missing path", "path", without("path")),
		bad("missing model", "model", without("model")),
		bad("missing settings", "settings", without("settings")),
		bad("model number", "model", setTo("model", 42)),
		bad("model without id", "model.id", setTo("model", raw(`{"parameters":{}}`))),
		bad("temperature 3", "model.parameters.temperature", params("temperature", 3)),
		bad("top_p 1.5", "model.parameters.top_p", params("top_p", 1.5)),
		bad("max_completion_tokens 0", "model.parameters.max_completion_tokens", params("max_completion_tokens", 0)),
		bad("max_tokens fractional", "model.parameters.max_tokens", params("max_tokens", 1.5)),
		bad("stop 5 items", "model.parameters.stop", params("stop", []string{"a", "b", "c", "d", "e"})),
		bad("reasoning_effort", "model.parameters.reasoning_effort", params("reasoning_effort", "extreme")),
		bad("thinking without budget", "model.parameters.thinking.budget_tokens", params("thinking", raw(`{"type":"enabled"}`))),
		bad("thinking type", "model.parameters.thinking.type", params("thinking", raw(`{"type":"sometimes"}`))),
		bad("tool_choice string", "model.parameters.tool_choice", params("tool_choice", "maybe")),
		bad("tool_choice function", "model.parameters.tool_choice.function", params("tool_choice", raw(`{"type":"function"}`))),
		bad("modalities", "model.parameters.modalities[0]", params("modalities", []string{"video"})),
		bad("response_format type", "model.parameters.response_format.type", params("response_format", raw(`{"type":"xml"}`))),
		bad("response_format json_schema", "model.parameters.response_format.json_schema", params("response_format", raw(`{"type":"json_schema"}`))),
		bad("cache type", "model.parameters.cache.type", params("cache", raw(`{"type":"lru"}`))),
		bad("cache ttl", "model.parameters.cache.ttl", params("cache", raw(`{"type":"exact_match","ttl":0}`))),
		bad("cache_control ttl", "model.parameters.cache_control.ttl", params("cache_control", raw(`{"type":"ephemeral","ttl":"2h"}`))),
		bad("load_balancer weight", "model.parameters.load_balancer.models[0].weight",
			params("load_balancer", raw(`{"type":"weight_based","models":[{"model":"a","weight":2}]}`))),
		bad("timeout", "model.parameters.timeout.call_timeout", params("timeout", raw(`{"call_timeout":0}`))),
		bad("param guardrail execute_on", "model.parameters.guardrails[0].execute_on",
			params("guardrails", raw(`[{"id":"orq_pii_detection","execute_on":"both"}]`))),
		bad("closed plugin", "model.parameters.plugins[0].extra", params("plugins", raw(`[{"id":"response_healing","extra":1}]`))),
		bad("dutch entity", "model.parameters.plugins[0].entities[0]",
			params("plugins", raw(`[{"id":"pii_redaction","language":"nl","entities":["JWT"]}]`))),
		bad("trace mask empty", "model.parameters.plugins[0].mask", params("plugins", raw(`[{"id":"trace_scrubbing","mask":[]}]`))),
		bad("retry count", "model.retry.count", setTo("model", raw(`{"id":"m","retry":{"count":6}}`))),
		bad("retry on_codes empty", "model.retry.on_codes", setTo("model", raw(`{"id":"m","retry":{"on_codes":[]}}`))),
		bad("retry on_codes 99", "model.retry.on_codes[0]", setTo("model", raw(`{"id":"m","retry":{"on_codes":[99]}}`))),
		bad("fallback number", "fallback_models[0]", setTo("fallback_models", raw(`[42]`))),
		bad("fallback without id", "fallback_models[1].id", setTo("fallback_models", raw(`["a",{"parameters":{}}]`))),
		bad("max_iterations 0", "settings.max_iterations", setTo("settings.max_iterations", 0)),
		bad("max_iterations 101", "settings.max_iterations", setTo("settings.max_iterations", 101)),
		bad("max_iterations fractional", "settings.max_iterations", setTo("settings.max_iterations", 2.5)),
		bad("max_execution_time 1", "settings.max_execution_time", setTo("settings.max_execution_time", 1)),
		bad("max_execution_time 601", "settings.max_execution_time", setTo("settings.max_execution_time", 601)),
		bad("max_cost negative", "settings.max_cost", setTo("settings.max_cost", -1)),
		bad("tool_approval_required", "settings.tool_approval_required", setTo("settings.tool_approval_required", "sometimes")),
		bad("unknown tool type", "settings.tools[0].type", tools(`[{"type":"no_such_tool"}]`)),
		bad("tool not object", "settings.tools[0]", tools(`[42]`)),
		bad("mcp without tool_id", "settings.tools[1].tool_id", tools(`[{"type":"current_date"},{"type":"mcp"}]`)),
		bad("code timeout 121", "settings.tools[0].timeout", tools(`[{"type":"code","key":"c","timeout":121}]`)),
		bad("http timeout 0", "settings.tools[0].timeout", tools(`[{"type":"http","key":"h","timeout":0}]`)),
		bad("provider timeout 601", "settings.tools[0].timeout", tools(`[{"type":"openai:web_search","timeout":601}]`)),
		bad("builtin configuration", "settings.tools[0].configuration", tools(`[{"type":"google_search","configuration":"x"}]`)),
		bad("requires_approval type", "settings.tools[0].requires_approval", tools(`[{"key":"k","requires_approval":"yes"}]`)),
		bad("evaluator execute_on missing", "settings.evaluators[0].execute_on", setTo("settings.evaluators", raw(`[{"id":"e"}]`))),
		bad("evaluator sample_rate", "settings.evaluators[0].sample_rate",
			setTo("settings.evaluators", raw(`[{"id":"e","execute_on":"input","sample_rate":0}]`))),
		bad("guardrail execute_on", "settings.guardrails[0].execute_on",
			setTo("settings.guardrails", raw(`[{"id":"g","execute_on":"both"}]`))),
		bad("knowledge base id", "knowledge_bases[0].knowledge_id", setTo("knowledge_bases", raw(`[{}]`))),
		bad("team member key", "team_of_agents[0].key", setTo("team_of_agents", raw(`[{"role":"helper"}]`))),
		bad("memory store type", "memory_stores[0]", setTo("memory_stores", raw(`[1]`))),
		bad("skills string", "skills", setTo("skills", "x")),
		bad("variables array", "variables", setTo("variables", raw(`[]`))),
		bad("source", "source", setTo("source", "cloud")),
		bad("engine", "engine", setTo("engine", "handlebars")),
	}
}

// goodCreateBodies are create bodies the real API accepts once the tools,
// knowledge base and memory store they name exist (seedAgentRefs creates
// them); fnID is the agent id of the function tool "fn".
func goodCreateBodies(fnID string) map[string]string {
	full := baseBody("full.model").set("model", raw(`{
	  "id": "anthropic/claude-sonnet-4",
	  "parameters": {
	    "name": "main", "frequency_penalty": 0.5, "presence_penalty": null, "max_tokens": 1024,
	    "max_completion_tokens": 2048, "seed": 7, "top_k": null, "temperature": 0.2, "top_p": 0.9,
	    "stop": ["END", "STOP"], "reasoning_effort": "medium", "verbosity": "low",
	    "thinking": {"type": "enabled", "budget_tokens": 2000, "thinking_level": "high"},
	    "tool_choice": {"type": "function", "function": {"name": "lookup"}},
	    "parallel_tool_calls": true, "modalities": ["text", "audio"],
	    "response_format": {"type": "json_schema", "json_schema": {"name": "answer", "strict": true, "schema": {"type": "object"}}},
	    "guardrails": [{"id": "orq_pii_detection", "execute_on": "input"}, {"id": "custom", "execute_on": "output"}],
	    "plugins": [
	      {"id": "pii_redaction", "on_failure": "block", "threshold": 0.5, "entities": ["EMAIL_ADDRESS"]},
	      {"id": "pii_redaction", "language": "nl", "entities": ["BSN"]},
	      {"id": "response_healing"},
	      {"id": "trace_scrubbing", "mask": ["input", "output"]}
	    ],
	    "fallbacks": [{"model": "openai/gpt-4o-mini"}],
	    "cache": {"type": "exact_match", "ttl": 3600},
	    "load_balancer": {"type": "weight_based", "models": [{"model": "a", "weight": 0.25}, {"model": "b"}]},
	    "timeout": {"call_timeout": 30},
	    "cache_control": {"type": "ephemeral", "ttl": "1h"},
	    "prompt_cache_key": "k"
	  },
	  "retry": {"count": 2, "on_codes": [429, 503]}
	}`))
	toolsBody := baseBody("tools_agent").set("settings", raw(`{
	  "max_iterations": 10, "max_execution_time": 120, "max_cost": 0.75,
	  "tool_approval_required": "all", "chat_exposed": true,
	  "tools": [
	    {"type": "google_search"},
	    {"type": "current_date", "requires_approval": true, "configuration": {"tz": "UTC"}},
	    {"type": "http", "key": "weather_api", "timeout": 30},
	    {"type": "code", "key": "calc", "timeout": 60},
	    {"type": "function", "id": "`+fnID+`"},
	    {"type": "json_schema", "key": "answer_schema"},
	    {"type": "mcp", "id": "01KA84ND5J0SWQMA2Q8HY5WZZZ", "tool_id": "01KXYZ123456789"},
	    {"type": "openai:web_search", "configuration": {"size": "low"}},
	    {"key": "untyped_tool"}
	  ],
	  "evaluators": [{"id": "eval-1", "execute_on": "output"}],
	  "guardrails": [{"id": "guard-1", "execute_on": "input", "sample_rate": 100}]
	}`)).
		set("display_name", "Tools agent").
		set("system_prompt", "You are precise.").
		set("knowledge_bases", raw(`[{"knowledge_id": "kb-1"}]`)).
		set("team_of_agents", raw(`[{"key": "helper", "role": "research"}]`)).
		set("memory_stores", raw(`["mem_1"]`)).
		set("skills", raw(`["s1"]`)).
		set("variables", raw(`{"customer": "ACME", "extra": 1}`)).
		set("source", "external").
		set("engine", "jinja")
	fallbacks := baseBody("fallback-agent").set("fallback_models", raw(`[
	  "openai/gpt-4o-mini",
	  {"id": "anthropic/claude-3-5-haiku", "parameters": {"temperature": 0.5}, "retry": {"on_codes": [500]}}
	]`))
	nulls := baseBody("nulls_agent").
		set("system_prompt", nil).
		set("skills", nil).
		set("model", raw(`{"id": "m", "parameters": {"stop": "END", "tool_choice": "auto", "thinking": {"type": "disabled"}, "modalities": null}}`))
	return map[string]string{
		"minimal":         baseBody("minimal").String(),
		"full model":      full.String(),
		"tools":           toolsBody.String(),
		"fallback models": fallbacks.String(),
		"nulls":           nulls.String(),
		"unknown field":   baseBody("extra_field").set("x_unknown", true).String(),
	}
}

func TestCreateRejectsInvalidBodies(t *testing.T) {
	h := newHarness(t, orqmem.Options{})
	for _, tc := range badCreateBodies() {
		t.Run(tc.name, func(t *testing.T) {
			res := h.do(http.MethodPost, "/v2/agents", tc.body)
			mustStatus(t, res, http.StatusBadRequest)
			msg := res.message(t)
			if !strings.HasPrefix(msg, tc.wantPath+": ") {
				t.Errorf("message %q does not start with %q", msg, tc.wantPath+": ")
			}
		})
	}
	if n := len(h.fake.Keys()); n != 0 {
		t.Fatalf("%d agents stored from invalid bodies", n)
	}
}

func TestCreateAcceptsValidBodies(t *testing.T) {
	h := newHarness(t, orqmem.Options{})
	for name, b := range goodCreateBodies(h.seedAgentRefs()) {
		t.Run(name, func(t *testing.T) {
			mustStatus(t, h.do(http.MethodPost, "/v2/agents", b), http.StatusCreated)
		})
	}
}

func TestValidatorMessages(t *testing.T) {
	cases := map[string]string{
		setTo("settings.max_iterations", 101)(baseBody("a")).String(): "settings.max_iterations: must be <= 100",
		setTo("key", "")(baseBody("a")).String():                      "key: must not be empty",
		`[]`:                                                          "body: must be a JSON object",
		`{"key":`:                                                     "body: invalid JSON",
	}
	for in, want := range cases {
		err := orqmem.ValidateCreateRequest([]byte(in))
		var fe *orqmem.FieldError
		if !errors.As(err, &fe) || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("ValidateCreateRequest(%s) = %v, want prefix %q", in, err, want)
		}
	}
}

func TestUpdateValidation(t *testing.T) {
	cases := map[string]string{
		`{"versionIncrement":"huge"}`:                               "versionIncrement",
		`{"versionDescription":"` + strings.Repeat("v", 301) + `"}`: "versionDescription",
		`{"key":"bad key"}`:                                         "key",
		`{"settings":{"max_cost":-1}}`:                              "settings.max_cost",
		`{"model":null}`:                                            "model",
		`{"fallback_models":[{"id":1}]}`:                            "fallback_models[0].id",
		`{"role":""}`:                                               "role",
	}
	for in, want := range cases {
		err := orqmem.ValidateUpdateRequest([]byte(in))
		if err == nil || !strings.HasPrefix(err.Error(), want+": ") {
			t.Errorf("ValidateUpdateRequest(%s) = %v, want path %q", in, err, want)
		}
	}
	for _, ok := range []string{`{}`, `{"display_name":"` + strings.Repeat("d", 300) + `"}`, `{"system_prompt":null,"skills":null}`} {
		if err := orqmem.ValidateUpdateRequest([]byte(ok)); err != nil {
			t.Errorf("ValidateUpdateRequest(%s) = %v", ok, err)
		}
	}
}
