package export

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/orq-ai/orq-operator/internal/orqclient"
)

func remote(key string) orqclient.Remote {
	return *orqclient.DecodeRemote(orqclient.Body{
		"_id": "01ID" + key, "key": key, "project_id": "p", "status": "live", "version": "1.0.0",
		"role": "r", "description": "d", "instructions": "Hi {{name}}", "path": "Default",
		"model":     map[string]any{"id": "openai/gpt-4o", "integration_id": nil, "parameters": nil},
		"settings":  map[string]any{"max_iterations": 100.0, "max_execution_time": 600.0, "max_cost": 0.0, "tool_approval_required": "respect_tool", "tools": []any{}},
		"variables": map[string]any{"name": ""}, "memory_stores": []any{}, "engine": "text", "type": "internal",
		"metrics": map[string]any{"total_cost": 0.0}, "created": "2026-01-01T00:00:00Z",
	})
}

func TestExportedNamesNeverClash(t *testing.T) {
	res := exportAll(t, agentsOnly(remote("a-b"), remote("a-b-2"), remote("a_b")), Options{})
	seen := map[string]string{}
	for _, a := range exportedAgents(res) {
		if other, dup := seen[a.Name]; dup {
			t.Errorf("keys %s and %s both export as %s", other, a.Spec.Key, a.Name)
		}
		seen[a.Name] = a.Spec.Key
	}
}

func TestAgentManifests(t *testing.T) {
	res := exportAll(t, agentsOnly(remote("b_Agent"), remote("a.agent"), remote("B-agent")), Options{Namespace: "team"})
	var names, keys []string
	for _, a := range exportedAgents(res) {
		names = append(names, a.Name)
		keys = append(keys, a.Spec.Key)
		if a.Namespace != "team" || a.Spec.AdoptionPolicy != "Adopt" || a.Kind != "Agent" || a.APIVersion != "orq.ai/v1alpha1" {
			t.Errorf("manifest %+v", a.ObjectMeta)
		}
	}
	if got := strings.Join(keys, ","); got != "B-agent,a.agent,b_Agent" {
		t.Errorf("keys (sorted) = %s", got)
	}
	if got := strings.Join(names, ","); got != "b-agent,a.agent,b-agent-2" {
		t.Errorf("names = %s: lower case, '_' as '-', clashes numbered", got)
	}

	var out bytes.Buffer
	if err := Write(&out, res.Manifests); err != nil {
		t.Fatal(err)
	}
	text := out.String()
	for _, absent := range []string{"status", "creationTimestamp", "_id", "project_id", "metrics", "integrationId", "maxIterations", "engine", "variables"} {
		if strings.Contains(text, absent) {
			t.Errorf("manifest carries %q:\n%s", absent, text)
		}
	}
	if strings.Count(text, "---\n") != 2 {
		t.Errorf("want 3 documents:\n%s", text)
	}

	dir := t.TempDir()
	if err := WriteDir(dir, res.Manifests, DirOptions{}); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if len(files) != 3 {
		t.Errorf("files: %v", files)
	}
	raw, _ := os.ReadFile(filepath.Join(dir, "agent-a.agent.yaml"))
	if !strings.Contains(string(raw), "key: a.agent") {
		t.Errorf("agent-a.agent.yaml:\n%s", raw)
	}
}

// An agent the Agent kind cannot read is left out, saying why; the others are exported.
func TestAgentLeftOut(t *testing.T) {
	odd := remote("odd")
	odd.Raw["role"] = 42.0
	res := exportAll(t, agentsOnly(odd, remote("fine")), Options{})
	if got := len(exportedAgents(res)); got != 1 {
		t.Errorf("exported %d Agents, want 1", got)
	}
	if len(res.Skipped) != 1 || !strings.HasPrefix(res.Skipped[0], "agent odd: ") || !strings.Contains(res.Skipped[0], "role") {
		t.Errorf("skipped = %q", res.Skipped)
	}
}
