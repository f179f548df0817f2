package manifest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
)

const stream = `apiVersion: orq.ai/v1alpha1
kind: Agent
metadata: {name: a}
spec: {role: R, description: D, instructions: I, path: Default/x, model: {id: openai/gpt-4o}}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: prompts, namespace: other}
data: {prompt.md: hello}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: ignored}
spec: {whatever: 1}
---
`

func TestDecodeReadsAgentsAndConfigMapsAsTheAPIServerStoresThem(t *testing.T) {
	objs, err := Decode(strings.NewReader(stream), "test", "ns")
	if err != nil {
		t.Fatal(err)
	}
	if len(objs) != 2 {
		t.Fatalf("got %d objects, want the Agent and the ConfigMap", len(objs))
	}
	a, ok := objs[0].(*orqv1alpha1.Agent)
	if !ok || a.Namespace != "ns" {
		t.Fatalf("first object %#v, want the Agent in namespace ns", objs[0])
	}
	// The CRD's defaults, as the apiserver sets them: the operator's request is computed from them.
	if a.Spec.Engine != "text" || a.Spec.ManagementPolicy != orqv1alpha1.ManagementPolicyManage || a.Spec.AdoptionPolicy != orqv1alpha1.AdoptionPolicyFail {
		t.Errorf("defaults not applied: engine %q, managementPolicy %q, adoptionPolicy %q", a.Spec.Engine, a.Spec.ManagementPolicy, a.Spec.AdoptionPolicy)
	}
	if cm, ok := objs[1].(*corev1.ConfigMap); !ok || cm.Namespace != "other" || cm.Data["prompt.md"] != "hello" {
		t.Errorf("second object %#v, want the ConfigMap, its own namespace kept", objs[1])
	}
}

func TestDecodeRefusesUnknownAgentFields(t *testing.T) {
	bad := "apiVersion: orq.ai/v1alpha1\nkind: Agent\nmetadata: {name: a}\nspec: {instructons: typo}\n"
	if _, err := Decode(strings.NewReader(bad), "bad.yaml", "ns"); err == nil || !strings.Contains(err.Error(), "instructons") || !strings.Contains(err.Error(), `Agent "a"`) {
		t.Errorf("a misspelled field must not plan as absent: %v", err)
	}
}

func TestReadListsAndDirectories(t *testing.T) {
	dir := t.TempDir()
	list := "apiVersion: v1\nkind: List\nitems:\n- apiVersion: orq.ai/v1alpha1\n  kind: Agent\n  metadata: {name: b, namespace: x}\n  spec: {role: R}\n"
	for name, body := range map[string]string{"a.yaml": stream, "sub/list.yml": list, "notes.txt": "not: [a manifest"} {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	objs, err := Read(dir, nil, "default")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, o := range objs {
		names = append(names, o.GetNamespace()+"/"+o.GetName())
	}
	if strings.Join(names, ",") != "default/a,other/prompts,x/b" {
		t.Errorf("read %v", names)
	}
	if _, err := Read("-", strings.NewReader(stream), "default"); err != nil {
		t.Errorf("standard input: %v", err)
	}
}
