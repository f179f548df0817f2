package export

import (
	"bytes"
	"reflect"
	"testing"

	"sigs.k8s.io/yaml"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
	"github.com/orq-ai/orq-operator/internal/agentdiff"
	"github.com/orq-ai/orq-operator/internal/orqclient"
)

// remoteWithSDKFields is an agent as the API returns it, with the fields the SDK (4.15.11) added
// and a provider tool that names a pre-created tool by id.
func remoteWithSDKFields() orqclient.Remote {
	a := remote("files")
	pii := map[string]any{"id": "pii_redaction", "language": "auto", "regions": []any{"nl"},
		"entities": []any{"EMAIL_ADDRESS"}, "entity_thresholds": map[string]any{"EMAIL_ADDRESS": 0.8}}
	a.Raw["model"] = map[string]any{"id": "openai/gpt-5", "parameters": map[string]any{
		"reasoning_effort": "max", "plugins": []any{pii},
	}}
	a.Raw["settings"] = map[string]any{
		"max_iterations": 100.0, "max_execution_time": 600.0, "max_cost": 0.0, "tool_approval_required": "respect_tool",
		"tools": []any{
			map[string]any{"id": "01GENERATED0000000000000001", "action_type": "file_system", "requires_approval": false, "conditions": []any{},
				"configuration": map[string]any{"file_system_key": "docs", "access_mode": "read_write"}},
			map[string]any{"id": "01PROVIDERTOOL000000000000", "action_type": "openai:web_search", "requires_approval": false, "conditions": []any{}},
		},
		"evaluators": []any{map[string]any{"id": "tone", "execute_on": "output", "sample_rate": 50.0, "options": map[string]any{"min_score": 3.0}}},
		"guardrails": []any{map[string]any{"id": "orq_pii_detection", "execute_on": "input", "sample_rate": 10.0,
			"options": map[string]any{"entity_thresholds": map[string]any{"EMAIL_ADDRESS": 0.9}}}},
	}
	return a
}

// TestManifestRoundTrip: the exported YAML, read back as a user applies it, gives the request the
// remote agent answers to: no field lost, no difference.
func TestManifestRoundTrip(t *testing.T) {
	r := remoteWithSDKFields()
	res := exportAll(t, agentsOnly(r), Options{Namespace: "team"})
	var out bytes.Buffer
	if err := Write(&out, res.Manifests); err != nil {
		t.Fatal(err)
	}
	var applied orqv1alpha1.Agent
	if err := yaml.UnmarshalStrict(out.Bytes(), &applied); err != nil {
		t.Fatalf("reading the manifest back: %v\n%s", err, out.String())
	}
	desired, err := agentdiff.Desired(&applied)
	if err != nil {
		t.Fatal(err)
	}
	if d := agentdiff.Diff(desired, agentdiff.Observed(r.Raw)); len(d) != 0 {
		t.Errorf("the exported manifest differs from the remote agent in %v\n%s", d, out.String())
	}
	settings := desired["settings"].(agentdiff.Object)
	tools := settings["tools"].([]any)
	for i, want := range []agentdiff.Object{
		{"type": "file_system", "configuration": agentdiff.Object{"file_system_key": "docs", "access_mode": "read_write"}},
		{"type": "openai:web_search", "id": "01PROVIDERTOOL000000000000"},
	} {
		if !reflect.DeepEqual(tools[i], want) {
			t.Errorf("tools[%d] = %#v, want %#v", i, tools[i], want)
		}
	}
	if got := settings["guardrails"].([]any)[0].(agentdiff.Object)["options"]; !reflect.DeepEqual(got,
		agentdiff.Object{"entity_thresholds": agentdiff.Object{"EMAIL_ADDRESS": 0.9}}) {
		t.Errorf("guardrail options = %#v", got)
	}
	plugin := desired["model"].(agentdiff.Object)["parameters"].(agentdiff.Object)["plugins"].([]any)[0]
	if got := plugin.(agentdiff.Object)["entity_thresholds"]; !reflect.DeepEqual(got, agentdiff.Object{"EMAIL_ADDRESS": 0.8}) {
		t.Errorf("plugin entity_thresholds = %#v", got)
	}
}
