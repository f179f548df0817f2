package agentdiff

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
	"github.com/orq-ai/orq-operator/internal/openapi"
	"github.com/orq-ai/orq-operator/internal/orqmem"
)

// fullAgent sets every kind of field the spec has.
func fullAgent() *orqv1alpha1.Agent {
	return &orqv1alpha1.Agent{
		ObjectMeta: metav1.ObjectMeta{Name: "full-agent", Namespace: "ns"},
		Spec: orqv1alpha1.AgentSpec{
			DisplayName:  "Full agent",
			Role:         "Researcher",
			Description:  "Finds things",
			Instructions: "Search for {{topic}} and report to {{ audience }}.",
			SystemPrompt: ptr.To("You are {{name}}."),
			Path:         "Default/research",
			Model: orqv1alpha1.ModelConfig{
				ID: "openai/gpt-4o",
				Parameters: &orqv1alpha1.ModelParameters{
					Name:                "trace-name",
					Temperature:         ptr.To(0.7),
					TopP:                ptr.To(0.9),
					MaxCompletionTokens: ptr.To[int64](4096),
					ReasoningEffort:     "low",
					Stop:                []string{"END"},
					ToolChoice:          &orqv1alpha1.ToolChoice{Type: "auto"},
					Thinking:            &orqv1alpha1.Thinking{Type: "enabled", BudgetTokens: ptr.To[int64](2048)},
					ResponseFormat: &orqv1alpha1.ResponseFormat{Type: "json_schema", JSONSchema: &orqv1alpha1.JSONSchemaFormat{
						Name:   "report",
						Schema: &apiextensionsv1.JSON{Raw: []byte(`{"type":"object","properties":{"camelCase":{"type":"string"}}}`)},
					}},
					Guardrails:   []orqv1alpha1.ModelGuardrail{{ID: "orq_pii_detection", ExecuteOn: "input"}},
					Plugins:      []orqv1alpha1.Plugin{{ID: "trace_scrubbing", Mask: []orqv1alpha1.TraceSurface{"input"}}},
					Cache:        &orqv1alpha1.Cache{Type: "exact_match", TTL: ptr.To(1800.0)},
					CacheControl: &orqv1alpha1.CacheControl{Type: "ephemeral", TTL: "5m"},
					LoadBalancer: &orqv1alpha1.LoadBalancer{Type: "weight_based", Models: []orqv1alpha1.LoadBalancedModel{{Model: "openai/gpt-4o", Weight: ptr.To(0.5)}}},
					Timeout:      &orqv1alpha1.RequestTimeout{CallTimeout: 30000},
				},
				Retry: &orqv1alpha1.Retry{Count: ptr.To[int64](3), OnCodes: []orqv1alpha1.HTTPStatusCode{429, 500}},
			},
			FallbackModels: []orqv1alpha1.ModelConfig{
				{ID: "openai/gpt-4o-mini"},
				{ID: "anthropic/claude-haiku-4-5-20251001", Parameters: &orqv1alpha1.ModelParameters{Temperature: ptr.To(0.2)}},
			},
			Settings: orqv1alpha1.AgentSettings{
				MaxIterations:        ptr.To[int64](100),
				MaxExecutionTime:     ptr.To[int64](300),
				MaxCost:              ptr.To(0.0),
				ToolApprovalRequired: "respect_tool",
				ChatExposed:          ptr.To(true),
				Tools: []orqv1alpha1.AgentTool{
					{Type: "google_search", Configuration: &apiextensionsv1.JSON{Raw: []byte(`{"maxResults":5}`)}},
					{Type: "http", Key: "weather", RequiresApproval: ptr.To(false), Timeout: ptr.To(30.0)},
					{Type: "function", ID: "01KA84ND5J0SWQMA2Q8HY5WZZZ"},
					{Type: "mcp", Key: "github", ToolID: "01KXYZ123456789"},
					{Type: "openai:web_search"},
				},
				Evaluators: []orqv1alpha1.Evaluator{{ID: "tone", ExecuteOn: "output", SampleRate: ptr.To(50.0)}},
				Guardrails: []orqv1alpha1.Evaluator{{ID: "toxicity", ExecuteOn: "input", SampleRate: ptr.To(10.0)}},
			},
			MemoryStores:   []string{"user_prefs"},
			KnowledgeBases: []orqv1alpha1.AgentKnowledgeBase{{KnowledgeID: "docs"}},
			TeamOfAgents:   []orqv1alpha1.TeamMember{{Key: "writer", Role: "writes the report"}},
			Skills:         []string{"research"},
			Variables:      map[string]apiextensionsv1.JSON{"audience": {Raw: []byte(`"engineers"`)}, "camelVar": {Raw: []byte(`{"nestedKey":1}`)}},
			Source:         "internal",
			Engine:         "mustache",
		},
	}
}

// minimalAgent sets only what the CRD requires.
func minimalAgent() *orqv1alpha1.Agent {
	return &orqv1alpha1.Agent{
		ObjectMeta: metav1.ObjectMeta{Name: "minimal", Namespace: "ns"},
		Spec: orqv1alpha1.AgentSpec{
			Role: "r", Description: "d", Instructions: "", Path: "Default",
			Model: orqv1alpha1.ModelConfig{ID: "openai/gpt-4o"},
		},
	}
}

func TestDesiredUsesTheAPIsNames(t *testing.T) {
	body, err := Desired(fullAgent())
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{
		"key", "display_name", "system_prompt", "fallback_models", "memory_stores", "knowledge_bases", "team_of_agents",
		"model.parameters.max_completion_tokens", "model.parameters.top_p", "model.parameters.response_format.json_schema",
		"model.parameters.thinking.budget_tokens", "model.parameters.cache_control", "model.parameters.load_balancer",
		"model.parameters.timeout.call_timeout", "model.retry.on_codes", "settings.max_execution_time",
		"settings.tool_approval_required", "settings.chat_exposed",
	} {
		if _, ok := lookup(body, path); !ok {
			t.Errorf("request has no %s", path)
		}
	}
	if got := body["key"]; got != "full-agent" {
		t.Errorf("key = %v, want metadata.name", got)
	}
	if tc, _ := lookup(body, "model.parameters.tool_choice"); tc != "auto" {
		t.Errorf("tool_choice = %#v, want the string form \"auto\"", tc)
	}
	// User-owned JSON keeps its keys.
	if _, ok := lookup(body, "variables.camelVar"); !ok {
		t.Errorf("variable names must not be renamed: %v", body["variables"])
	}
	if _, ok := lookup(body, "model.parameters.response_format.json_schema.schema.properties.camelCase"); !ok {
		t.Errorf("a response JSON schema must not be renamed")
	}
	tools, _ := lookup(body, "settings.tools")
	if cfg := tools.([]any)[0].(Object)["configuration"]; !reflect.DeepEqual(cfg, Object{"maxResults": 5.0}) {
		t.Errorf("tool configuration = %v, want it as written", cfg)
	}
	if tid := tools.([]any)[3].(Object)["tool_id"]; tid != "01KXYZ123456789" {
		t.Errorf("mcp tool_id = %v", tid)
	}
}

func TestToolChoiceFunctionStaysAnObject(t *testing.T) {
	a := minimalAgent()
	a.Spec.Model.Parameters = &orqv1alpha1.ModelParameters{ToolChoice: &orqv1alpha1.ToolChoice{Type: "function", Function: &orqv1alpha1.ToolChoiceFunction{Name: "lookup"}}}
	body, err := Desired(a)
	if err != nil {
		t.Fatal(err)
	}
	want := Object{"type": "function", "function": Object{"name": "lookup"}}
	if got, _ := lookup(body, "model.parameters.tool_choice"); !reflect.DeepEqual(got, want) {
		t.Errorf("tool_choice = %#v, want %#v", got, want)
	}
}

// TestDesiredIsAValidCreateRequest checks the request against the official OpenAPI schema.
func TestDesiredIsAValidCreateRequest(t *testing.T) {
	spec := openapi.ForTest(t)
	for name, a := range map[string]*orqv1alpha1.Agent{"full": fullAgent(), "minimal": minimalAgent()} {
		t.Run(name, func(t *testing.T) {
			body, err := Desired(a)
			if err != nil {
				t.Fatal(err)
			}
			raw, _ := json.Marshal(body)
			if err := spec.ValidateCreateRequest(raw); err != nil {
				t.Errorf("create request refused by the OpenAPI schema: %v\n%s", err, raw)
			}
			patch := Patch(body, sortedFields())
			raw, _ = json.Marshal(patch)
			if err := spec.ValidateUpdateRequest(raw); err != nil {
				t.Errorf("update request refused by the OpenAPI schema: %v\n%s", err, raw)
			}
		})
	}
}

// TestAppliedAgentComparesEqual creates agents in the in-memory API and compares its echo: an
// agent the API holds as specified must show no difference.
func TestAppliedAgentComparesEqual(t *testing.T) {
	api := newAPI(t)
	for name, a := range map[string]*orqv1alpha1.Agent{"full": fullAgent(), "minimal": minimalAgent()} {
		t.Run(name, func(t *testing.T) {
			desired, err := Desired(a)
			if err != nil {
				t.Fatal(err)
			}
			remote := api.create(t, desired)
			if diff := Diff(desired, Observed(remote)); len(diff) != 0 {
				t.Errorf("a freshly created agent differs in %v\nremote: %v", diff, remote)
			}
		})
	}
}

func TestDiffFindsEachChange(t *testing.T) {
	api := newAPI(t)
	base := fullAgent()
	base.Name = "diff-base"
	desired, _ := Desired(base)
	remote := api.create(t, desired)

	cases := []struct {
		name   string
		mutate func(*orqv1alpha1.Agent)
		want   []string
	}{
		{"nothing", func(*orqv1alpha1.Agent) {}, nil},
		{"instructions", func(a *orqv1alpha1.Agent) { a.Spec.Instructions = "other" }, []string{"instructions"}},
		{"temperature", func(a *orqv1alpha1.Agent) { a.Spec.Model.Parameters.Temperature = ptr.To(0.1) }, []string{"model"}},
		{"temperature removed", func(a *orqv1alpha1.Agent) { a.Spec.Model.Parameters.Temperature = nil }, []string{"model"}},
		{"fallback removed", func(a *orqv1alpha1.Agent) { a.Spec.FallbackModels = a.Spec.FallbackModels[:1] }, []string{"fallback_models"}},
		{"all fallbacks removed", func(a *orqv1alpha1.Agent) { a.Spec.FallbackModels = nil }, []string{"fallback_models"}},
		{"tool requires approval", func(a *orqv1alpha1.Agent) { a.Spec.Settings.Tools[1].RequiresApproval = ptr.To(true) }, []string{"settings"}},
		{"tool order", func(a *orqv1alpha1.Agent) {
			tools := a.Spec.Settings.Tools
			tools[0], tools[1] = tools[1], tools[0]
		}, []string{"settings"}},
		{"max iterations", func(a *orqv1alpha1.Agent) { a.Spec.Settings.MaxIterations = ptr.To[int64](5) }, []string{"settings"}},
		{"display name no longer set is left to the API", func(a *orqv1alpha1.Agent) { a.Spec.DisplayName = "" }, nil},
		{"display name", func(a *orqv1alpha1.Agent) { a.Spec.DisplayName = "Other" }, []string{"display_name"}},
		{"a variable set to the empty string", func(a *orqv1alpha1.Agent) {
			a.Spec.Variables["audience"] = apiextensionsv1.JSON{Raw: []byte(`""`)}
		}, []string{"variables"}},
		{"all tools removed", func(a *orqv1alpha1.Agent) { a.Spec.Settings.Tools = nil }, []string{"settings"}},
		{"source is create-only", func(a *orqv1alpha1.Agent) { a.Spec.Source = "external" }, nil},
		{"system prompt removed", func(a *orqv1alpha1.Agent) { a.Spec.SystemPrompt = nil }, []string{"system_prompt"}},
		{"memory stores removed", func(a *orqv1alpha1.Agent) { a.Spec.MemoryStores = nil }, []string{"memory_stores"}},
		{"team and skills", func(a *orqv1alpha1.Agent) {
			a.Spec.TeamOfAgents = append(a.Spec.TeamOfAgents, orqv1alpha1.TeamMember{Key: "editor"})
			a.Spec.Skills = nil
		}, []string{"skills", "team_of_agents"}},
		{"variable value", func(a *orqv1alpha1.Agent) {
			a.Spec.Variables["audience"] = apiextensionsv1.JSON{Raw: []byte(`"managers"`)}
		}, []string{"variables"}},
		{"variables no longer listed are left to the API", func(a *orqv1alpha1.Agent) { a.Spec.Variables = nil }, nil},
		{"source no longer set is left as it is", func(a *orqv1alpha1.Agent) { a.Spec.Source = "" }, nil},
		{"engine", func(a *orqv1alpha1.Agent) { a.Spec.Engine = "jinja" }, []string{"engine"}},
		{"path", func(a *orqv1alpha1.Agent) { a.Spec.Path = "Default/other" }, []string{"path"}},
		{"model id", func(a *orqv1alpha1.Agent) { a.Spec.Model.ID = "openai/gpt-4.1" }, []string{"model"}},
		{"retry count default made explicit", func(a *orqv1alpha1.Agent) { a.Spec.Model.Retry.Count = nil }, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a := fullAgent()
			a.Name = "diff-base"
			tc.mutate(a)
			want, err := Desired(a)
			if err != nil {
				t.Fatal(err)
			}
			got := Diff(want, Observed(remote))
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Diff = %v, want %v", got, tc.want)
			}
			if len(got) == 0 {
				return
			}
			// Applying the patch makes the remote agent match.
			patched := api.patch(t, "diff-base", Patch(want, got))
			if again := Diff(want, Observed(patched)); len(again) != 0 {
				t.Errorf("after PATCH %v the agent still differs in %v", got, again)
			}
			api.patch(t, "diff-base", Patch(desired, sortedFields()))
		})
	}
}

func TestNormalizeCanonicalForms(t *testing.T) {
	cases := []struct {
		name string
		in   Object
		want Object
	}{
		{"model string", Object{"model": "openai/gpt-4o"}, Object{"model": Object{"id": "openai/gpt-4o"}}},
		{"fallback string", Object{"fallback_models": []any{"a", Object{"id": "b"}}}, Object{"fallback_models": []any{Object{"id": "a"}, Object{"id": "b"}}}},
		{"single stop", Object{"model": Object{"id": "m", "parameters": Object{"stop": "END"}}}, Object{"model": Object{"id": "m", "parameters": Object{"stop": []any{"END"}}}}},
		{"server defaults", Object{"settings": Object{"max_iterations": 100.0, "max_execution_time": 600.0, "max_cost": 0.0, "tool_approval_required": "respect_tool", "tools": []any{}}, "engine": "text"}, Object{}},
		{"non-default kept", Object{"settings": Object{"max_iterations": 99.0}}, Object{"settings": Object{"max_iterations": 99.0}}},
		{"built-in tool id and server fields", Object{"settings": Object{"tools": []any{Object{"type": "current_date", "id": "01J", "conditions": []any{}, "requires_approval": false}}}}, Object{"settings": Object{"tools": []any{Object{"type": "current_date"}}}}},
		{"custom tool by id keeps it", Object{"settings": Object{"tools": []any{Object{"type": "function", "id": "01J"}}}}, Object{"settings": Object{"tools": []any{Object{"type": "function", "id": "01J"}}}}},
		{"custom tool by key drops id", Object{"settings": Object{"tools": []any{Object{"type": "http", "key": "k", "id": "01J"}}}}, Object{"settings": Object{"tools": []any{Object{"type": "http", "key": "k"}}}}},
		{"provider tool by id keeps it", Object{"settings": Object{"tools": []any{Object{"type": "openai:web_search", "id": "01J"}}}}, Object{"settings": Object{"tools": []any{Object{"type": "openai:web_search", "id": "01J"}}}}},
		{"provider tool by key drops id", Object{"settings": Object{"tools": []any{Object{"type": "openai:web_search", "key": "k", "id": "01J"}}}}, Object{"settings": Object{"tools": []any{Object{"type": "openai:web_search", "key": "k"}}}}},
		{"file_system default access mode", Object{"settings": Object{"tools": []any{Object{"type": "file_system", "id": "01J", "configuration": Object{"file_system_key": "k", "access_mode": "read_only"}}}}}, Object{"settings": Object{"tools": []any{Object{"type": "file_system", "configuration": Object{"file_system_key": "k"}}}}}},
		{"access_mode of another tool is its own", Object{"settings": Object{"tools": []any{Object{"type": "google_search", "configuration": Object{"access_mode": "read_only"}}}}}, Object{"settings": Object{"tools": []any{Object{"type": "google_search", "configuration": Object{"access_mode": "read_only"}}}}}},
		{"nulls and empties", Object{"system_prompt": nil, "skills": []any{}, "display_name": "", "model": Object{"id": "m", "parameters": nil}}, Object{"model": Object{"id": "m"}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := deepCopy(tc.in).(Object)
			got := Normalize(tc.in)
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Normalize = %#v, want %#v", got, tc.want)
			}
			if !reflect.DeepEqual(tc.in, in) {
				t.Errorf("Normalize modified its argument")
			}
		})
	}
}

func TestPatchSendsResetValues(t *testing.T) {
	got := Patch(Object{"role": "r"}, []string{"memory_stores", "role", "system_prompt"})
	want := Object{"memory_stores": []any{}, "role": "r", "system_prompt": nil}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Patch = %#v, want %#v", got, want)
	}
}

func TestPatchSendsModelAndFallbacksTogether(t *testing.T) {
	desired := Object{"model": Object{"id": "m"}, "fallback_models": []any{Object{"id": "f"}}}
	want := Object{"model": Object{"id": "m"}, "fallback_models": []any{Object{"id": "f"}}}
	for _, changed := range [][]string{{"model"}, {"fallback_models"}} {
		if got := Patch(desired, changed); !reflect.DeepEqual(got, want) {
			t.Errorf("Patch(%v) = %#v, want %#v", changed, got, want)
		}
	}
	if got := Patch(Object{"model": Object{"id": "m"}}, []string{"model"}); !reflect.DeepEqual(got["fallback_models"], []any{}) {
		t.Errorf("fallbacks no longer in the spec are sent as []: %#v", got)
	}
}

func TestToolNamedByIDMatchesItsEchoWithAKey(t *testing.T) {
	desired := Object{"settings": Object{"tools": []any{Object{"type": "function", "id": "01J"}}}}
	observed := Object{"settings": Object{"tools": []any{Object{"type": "function", "id": "01J", "key": "lookup"}}}}
	if d := Diff(desired, observed); len(d) != 0 {
		t.Errorf("Diff = %v, want none", d)
	}
	observed = Object{"settings": Object{"tools": []any{Object{"type": "function", "id": "01OTHER", "key": "lookup"}}}}
	if d := Diff(desired, observed); !reflect.DeepEqual(d, []string{"settings"}) {
		t.Errorf("another tool: Diff = %v, want [settings]", d)
	}
}

func TestPatchDoesNotModifyDesired(t *testing.T) {
	got := Patch(Object{"role": "r"}, []string{"role"})
	want := Object{"role": "r"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Patch = %#v, want %#v", got, want)
	}
}

func TestSnake(t *testing.T) {
	for in, want := range map[string]string{
		"teamOfAgents": "team_of_agents", "knowledgeId": "knowledge_id", "maxExecutionTime": "max_execution_time",
		"onCodes": "on_codes", "toolId": "tool_id", "id": "id", "topP": "top_p", "jsonSchema": "json_schema",
	} {
		if got := snake(in); got != want {
			t.Errorf("snake(%q) = %q, want %q", in, got, want)
		}
	}
}

// sortedFields lists every managed top-level field.
func sortedFields() []string {
	var out []string
	for f := range fields {
		out = append(out, f)
	}
	return out
}

// lookup reads a dotted path of nested objects.
func lookup(o Object, path string) (any, bool) {
	var cur any = o
	for _, p := range strings.Split(path, ".") {
		m, ok := cur.(Object)
		if !ok {
			return nil, false
		}
		if cur, ok = m[p]; !ok {
			return nil, false
		}
	}
	return cur, true
}

// testAPI is the in-memory orq API behind an httptest server, spoken to in plain JSON.
type testAPI struct{ srv *httptest.Server }

func newAPI(t *testing.T) *testAPI {
	t.Helper()
	opts := orqmem.Options{APIKeys: []string{"k"}}
	if spec, err := openapiSpec(); err == nil {
		opts.Schema = spec
	}
	mem := orqmem.New(opts)
	seedReferences(t, mem)
	srv := httptest.NewServer(mem)
	t.Cleanup(srv.Close)
	return &testAPI{srv: srv}
}

// seedReferences creates what fullAgent names: orq refuses an agent naming a
// custom tool, knowledge base or memory store that does not exist.
func seedReferences(t *testing.T, mem *orqmem.Server) {
	t.Helper()
	seeds := []struct {
		seed func(body string) (map[string]any, error)
		body string
	}{
		{mem.SeedTool, `{"path":"Default","key":"weather","description":"Weather","type":"http",
		  "http":{"blueprint":{"url":"https://weather.example","method":"GET"}}}`},
		{mem.SeedTool, `{"_id":"tool_01KA84ND5J0SWQMA2Q8HY5WZZZ","path":"Default","key":"lookup","description":"Lookup",
		  "type":"function","function":{"name":"lookup"}}`},
		{mem.SeedKnowledgeBase, `{"key":"docs","embedding_model":"openai/text-embedding-3-small","path":"Default"}`},
		{mem.SeedMemoryStore, `{"key":"user_prefs","embedding_config":{"model":"openai/text-embedding-3-small"},
		  "description":"Preferences","path":"Default"}`},
	}
	for _, s := range seeds {
		if _, err := s.seed(s.body); err != nil {
			t.Fatal(err)
		}
	}
}

func openapiSpec() (*openapi.Spec, error) {
	path, err := openapi.Locate()
	if err != nil {
		return nil, err
	}
	return openapi.Load(path)
}

func (a *testAPI) create(t *testing.T, body Object) Object {
	t.Helper()
	return a.send(t, http.MethodPost, "/v2/agents", body, http.StatusCreated)
}

func (a *testAPI) patch(t *testing.T, key string, body Object) Object {
	t.Helper()
	return a.send(t, http.MethodPatch, "/v2/agents/"+key, body, http.StatusOK)
}

func (a *testAPI) send(t *testing.T, method, path string, body Object, want int) Object {
	t.Helper()
	raw, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(method, a.srv.URL+path, strings.NewReader(string(raw)))
	req.Header.Set("Authorization", "Bearer k")
	resp, err := a.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out Object
	_ = json.NewDecoder(resp.Body).Decode(&out)
	if resp.StatusCode != want {
		t.Fatalf("%s %s: %d %v (body %s)", method, path, resp.StatusCode, out, raw)
	}
	return out
}

// TestSpecFromRemoteRoundTrips exports agents from the in-memory API and checks that the
// exported spec, applied again, shows no difference with the remote agent.
func TestSpecFromRemoteRoundTrips(t *testing.T) {
	api := newAPI(t)
	for name, a := range map[string]*orqv1alpha1.Agent{"full": fullAgent(), "minimal": minimalAgent()} {
		t.Run(name, func(t *testing.T) {
			desired, _ := Desired(a)
			remote := api.create(t, desired)
			spec, err := SpecFromRemote(remote)
			if err != nil {
				t.Fatal(err)
			}
			if spec.Key != a.RemoteKey() {
				t.Errorf("key = %q", spec.Key)
			}
			exported := &orqv1alpha1.Agent{ObjectMeta: metav1.ObjectMeta{Name: "exported"}, Spec: spec}
			again, err := Desired(exported)
			if err != nil {
				t.Fatal(err)
			}
			if diff := Diff(again, Observed(remote)); len(diff) != 0 {
				t.Errorf("exported spec differs from the remote agent in %v\nspec: %+v", diff, spec)
			}
			if spec.Settings.MaxIterations != nil && *spec.Settings.MaxIterations == 100 {
				t.Errorf("a default value was exported")
			}
			for name, v := range spec.Variables {
				if string(v.Raw) == `""` {
					t.Errorf("variable %q extracted by the API was exported", name)
				}
			}
		})
	}
}

func TestCamelIsTheInverseOfSnake(t *testing.T) {
	for _, s := range []string{"team_of_agents", "knowledge_id", "max_execution_time", "on_codes", "tool_id", "id", "top_p", "json_schema"} {
		if got := snake(camel(s)); got != s {
			t.Errorf("snake(camel(%q)) = %q", s, got)
		}
	}
}

// The operator-only fields and agentRefs are not part of the API: a resolved agentRef is sent as
// the key the controller wrote into the member.
func TestDesiredLeavesOutOperatorFields(t *testing.T) {
	a := fullAgent()
	a.Spec.APIKeySecretRef = &orqv1alpha1.SecretKeyReference{Name: "creds", Key: "apiKey"}
	a.Spec.AllowReferencesFrom = []string{"*"}
	a.Spec.TeamOfAgents = []orqv1alpha1.TeamMember{
		{Key: "resolved-writer", Role: "writes", AgentRef: &orqv1alpha1.AgentReference{Name: "writer"}},
	}
	body, err := Desired(a)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"api_key_secret_ref", "allow_references_from"} {
		if _, ok := body[f]; ok {
			t.Errorf("request has %s", f)
		}
	}
	want := []any{Object{"key": "resolved-writer", "role": "writes"}}
	if got := body["team_of_agents"]; !reflect.DeepEqual(got, want) {
		t.Errorf("team_of_agents = %v, want %v", got, want)
	}
}

// A reference to an object of the cluster is never sent unresolved, as if it were missing.
func TestDesiredRefusesUnresolvedReferences(t *testing.T) {
	for name, edit := range map[string]func(a *orqv1alpha1.Agent){
		"toolRef": func(a *orqv1alpha1.Agent) {
			a.Spec.Settings.Tools = []orqv1alpha1.AgentTool{{Type: "http", ToolRef: &orqv1alpha1.ObjectReference{Name: "t"}}}
		},
		"knowledgeBaseRef": func(a *orqv1alpha1.Agent) {
			a.Spec.KnowledgeBases = []orqv1alpha1.AgentKnowledgeBase{{KnowledgeBaseRef: &orqv1alpha1.ObjectReference{Name: "kb"}}}
		},
		"memoryStoreRefs": func(a *orqv1alpha1.Agent) { a.Spec.MemoryStoreRefs = []orqv1alpha1.ObjectReference{{Name: "m"}} },
		"agentRef": func(a *orqv1alpha1.Agent) {
			a.Spec.TeamOfAgents = []orqv1alpha1.TeamMember{{AgentRef: &orqv1alpha1.AgentReference{Name: "w"}}}
		},
	} {
		a := fullAgent()
		edit(a)
		if _, err := Desired(a); err == nil {
			t.Errorf("%s: an unresolved reference was turned into a request", name)
		}
	}
}
