package agentdiff

import (
	"fmt"
	"reflect"
	"testing"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
)

// The fields of the create request that the SDK (@orq-ai/node 4.15.11) has and the OpenAPI
// document does not. The in-memory API (orqmem) follows the OpenAPI document and refuses some
// of them (file_system, max), so these tests compare with an echo built by echoOf.

// sdkAgent sets every field the SDK added.
func sdkAgent() *orqv1alpha1.Agent {
	pii := orqv1alpha1.Plugin{
		ID: "pii_redaction", Language: "auto", Regions: []string{"nl"},
		Entities:         []orqv1alpha1.PIIEntity{"EMAIL_ADDRESS"},
		EntityThresholds: map[string]orqv1alpha1.PIIConfidence{"EMAIL_ADDRESS": 0.8},
	}
	return &orqv1alpha1.Agent{
		ObjectMeta: metav1.ObjectMeta{Name: "sdk-agent", Namespace: "ns"},
		Spec: orqv1alpha1.AgentSpec{
			Role: "r", Description: "d", Instructions: "i", Path: "Default",
			Model: orqv1alpha1.ModelConfig{ID: "openai/gpt-5", Parameters: &orqv1alpha1.ModelParameters{
				ReasoningEffort: "max", Plugins: []orqv1alpha1.Plugin{pii},
			}},
			FallbackModels: []orqv1alpha1.ModelConfig{{ID: "openai/gpt-4o", Parameters: &orqv1alpha1.ModelParameters{
				Plugins: []orqv1alpha1.Plugin{pii},
			}}},
			Settings: orqv1alpha1.AgentSettings{
				Tools: []orqv1alpha1.AgentTool{
					{Type: "file_system", FileSystem: &orqv1alpha1.FileSystemToolConfig{FileSystemKey: "docs"}},
					{Type: "file_system", RequiresApproval: ptr.To(true), FileSystem: &orqv1alpha1.FileSystemToolConfig{
						FileSystemID: "01FILESYSTEM", AccessMode: "read_write"}},
					{Type: "openai:web_search", ID: "01PROVIDER"},
				},
				Evaluators: []orqv1alpha1.Evaluator{{ID: "tone", ExecuteOn: "output", Options: rawJSON(`{"threshold":0.5}`)}},
				Guardrails: []orqv1alpha1.Evaluator{{ID: "orq_pii_detection", ExecuteOn: "input",
					Options: rawJSON(`{"regions":["nl"],"entity_thresholds":{"EMAIL_ADDRESS":0.9}}`)}},
			},
		},
	}
}

func rawJSON(s string) *apiextensionsv1.JSON { return &apiextensionsv1.JSON{Raw: []byte(s)} }

func TestDesiredSendsTheSDKFields(t *testing.T) {
	body, err := Desired(sdkAgent())
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"model.parameters.reasoning_effort":                        "max",
		"model.parameters.plugins.0.regions":                       []any{"nl"},
		"model.parameters.plugins.0.language":                      "auto",
		"model.parameters.plugins.0.entity_thresholds":             Object{"EMAIL_ADDRESS": 0.8},
		"fallback_models.0.parameters.plugins.0.entity_thresholds": Object{"EMAIL_ADDRESS": 0.8},
		"settings.tools.0":                                         Object{"type": "file_system", "configuration": Object{"file_system_key": "docs"}},
		"settings.tools.1": Object{"type": "file_system", "requires_approval": true,
			"configuration": Object{"file_system_id": "01FILESYSTEM", "access_mode": "read_write"}},
		"settings.tools.2":              Object{"type": "openai:web_search", "id": "01PROVIDER"},
		"settings.evaluators.0":         Object{"id": "tone", "execute_on": "output", "options": Object{"threshold": 0.5}},
		"settings.guardrails.0.options": Object{"regions": []any{"nl"}, "entity_thresholds": Object{"EMAIL_ADDRESS": 0.9}},
	}
	for path, v := range want {
		if got, _ := lookupIndexed(body, path); !reflect.DeepEqual(got, v) {
			t.Errorf("%s = %#v, want %#v", path, got, v)
		}
	}
}

// echoOf returns the agent the API answers for a create request: what the retrieve answer adds
// and reshapes (see the package comment), with the file_system tool's access_mode filled in.
func echoOf(request Object) Object {
	remote := deepCopy(request).(Object)
	model, _ := remote["model"].(Object)
	model = deepCopy(model).(Object)
	if fb, ok := remote["fallback_models"]; ok {
		model["fallback_models"] = fb
		delete(remote, "fallback_models")
	}
	remote["model"] = model
	settings := remote["settings"].(Object)
	serverDefaults := Object{"max_iterations": 100.0, "max_execution_time": 600.0, "max_cost": 0.0, "tool_approval_required": "respect_tool"}
	for k, v := range serverDefaults {
		if _, ok := settings[k]; !ok {
			settings[k] = v
		}
	}
	for i, t := range settings["tools"].([]any) {
		tool := t.(Object)
		tool["action_type"] = tool["type"]
		delete(tool, "type")
		if _, ok := tool["id"]; !ok {
			tool["id"] = fmt.Sprintf("01GENERATED%015d", i)
		}
		if _, ok := tool["requires_approval"]; !ok {
			tool["requires_approval"] = false
		}
		tool["conditions"] = []any{}
		if cfg, ok := tool["configuration"].(Object); ok && tool["action_type"] == "file_system" && cfg["access_mode"] == nil {
			cfg["access_mode"] = "read_only"
		}
	}
	for _, list := range []string{"evaluators", "guardrails"} {
		items, _ := settings[list].([]any)
		for _, e := range items {
			if e := e.(Object); e["sample_rate"] == nil {
				e["sample_rate"] = 50.0
			}
		}
	}
	remote["_id"], remote["status"], remote["version"] = "01AGENT", "live", "1.0.0"
	return remote
}

func TestSDKFieldsCompareWithTheirEcho(t *testing.T) {
	desired, err := Desired(sdkAgent())
	if err != nil {
		t.Fatal(err)
	}
	remote := echoOf(desired)
	cases := []struct {
		name   string
		mutate func(*orqv1alpha1.Agent)
		want   []string
	}{
		{"nothing", func(*orqv1alpha1.Agent) {}, nil},
		{"access mode default made explicit", func(a *orqv1alpha1.Agent) { a.Spec.Settings.Tools[0].FileSystem.AccessMode = "read_only" }, nil},
		{"access mode", func(a *orqv1alpha1.Agent) { a.Spec.Settings.Tools[0].FileSystem.AccessMode = "read_write" }, []string{"settings"}},
		{"file system key", func(a *orqv1alpha1.Agent) { a.Spec.Settings.Tools[0].FileSystem.FileSystemKey = "other" }, []string{"settings"}},
		{"file system named by id instead", func(a *orqv1alpha1.Agent) {
			a.Spec.Settings.Tools[0].FileSystem = &orqv1alpha1.FileSystemToolConfig{FileSystemID: "01OTHER"}
		}, []string{"settings"}},
		{"file_system tool removed", func(a *orqv1alpha1.Agent) { a.Spec.Settings.Tools = a.Spec.Settings.Tools[1:] }, []string{"settings"}},
		{"provider tool id", func(a *orqv1alpha1.Agent) { a.Spec.Settings.Tools[2].ID = "01OTHER" }, []string{"settings"}},
		{"evaluator options", func(a *orqv1alpha1.Agent) { a.Spec.Settings.Evaluators[0].Options = rawJSON(`{"threshold":0.7}`) }, []string{"settings"}},
		{"guardrail options removed", func(a *orqv1alpha1.Agent) { a.Spec.Settings.Guardrails[0].Options = nil }, []string{"settings"}},
		{"evaluator options removed", func(a *orqv1alpha1.Agent) { a.Spec.Settings.Evaluators[0].Options = nil }, []string{"settings"}},
		{"reasoning effort", func(a *orqv1alpha1.Agent) { a.Spec.Model.Parameters.ReasoningEffort = "high" }, []string{"model"}},
		{"entity threshold", func(a *orqv1alpha1.Agent) {
			a.Spec.Model.Parameters.Plugins[0].EntityThresholds = map[string]orqv1alpha1.PIIConfidence{"EMAIL_ADDRESS": 0.5}
		}, []string{"model"}},
		{"fallback regions", func(a *orqv1alpha1.Agent) {
			a.Spec.FallbackModels[0].Parameters.Plugins[0].Regions = []string{"gb"}
		}, []string{"fallback_models"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a := sdkAgent()
			tc.mutate(a)
			want, err := Desired(a)
			if err != nil {
				t.Fatal(err)
			}
			if got := Diff(want, Observed(remote)); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Diff = %v, want %v", got, tc.want)
			}
		})
	}
}

// TestFileSystemNamedBothWaysInTheEcho: should the API add the id of a file system named by key
// (or the key of one named by id), it is the same file system.
func TestFileSystemNamedBothWaysInTheEcho(t *testing.T) {
	desired, _ := Desired(sdkAgent())
	remote := echoOf(desired)
	tools := remote["settings"].(Object)["tools"].([]any)
	tools[0].(Object)["configuration"].(Object)["file_system_id"] = "01DOCS"
	tools[1].(Object)["configuration"].(Object)["file_system_key"] = "scratch"
	if d := Diff(desired, Observed(remote)); len(d) != 0 {
		t.Errorf("Diff = %v, want none", d)
	}
	tools[0].(Object)["configuration"].(Object)["file_system_key"] = "other"
	if d := Diff(desired, Observed(remote)); !reflect.DeepEqual(d, []string{"settings"}) {
		t.Errorf("another file system: Diff = %v, want [settings]", d)
	}
}

// TestSDKFieldsExportRoundTrip: remote → spec → request gives the request the remote agent was
// created with.
func TestSDKFieldsExportRoundTrip(t *testing.T) {
	desired, err := Desired(sdkAgent())
	if err != nil {
		t.Fatal(err)
	}
	remote := echoOf(desired)
	spec, err := SpecFromRemote(remote)
	if err != nil {
		t.Fatal(err)
	}
	if fs := spec.Settings.Tools[1].FileSystem; fs == nil || fs.FileSystemID != "01FILESYSTEM" || fs.AccessMode != "read_write" {
		t.Errorf("exported fileSystem = %+v", fs)
	}
	again, err := Desired(&orqv1alpha1.Agent{ObjectMeta: metav1.ObjectMeta{Name: "exported"}, Spec: spec})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := Normalize(again), Normalize(desired); !reflect.DeepEqual(got, want) {
		t.Errorf("exported request:\n%#v\nwant:\n%#v", got, want)
	}
	if d := Diff(again, Observed(remote)); len(d) != 0 {
		t.Errorf("the exported spec differs from the remote agent in %v", d)
	}
}

// lookupIndexed reads a dotted path of nested objects and lists (a number indexes a list).
func lookupIndexed(o Object, path string) (any, bool) {
	var cur any = o
	for _, p := range split(path) {
		switch c := cur.(type) {
		case Object:
			cur = c[p]
		case []any:
			var i int
			if _, err := fmt.Sscan(p, &i); err != nil || i >= len(c) {
				return nil, false
			}
			cur = c[i]
		default:
			return nil, false
		}
	}
	return cur, cur != nil
}
