package manifest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

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
	m, err := Decode(strings.NewReader(stream), "test", "ns")
	if err != nil {
		t.Fatal(err)
	}
	objs := m.Objects
	if len(objs) != 2 || len(m.Refused) != 0 {
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

// A misspelled field must not plan as absent: kubectl's strict field validation refuses it. It
// refuses that manifest only: the next one is read.
func TestDecodeRefusesUnknownAgentFields(t *testing.T) {
	bad := "apiVersion: orq.ai/v1alpha1\nkind: Agent\nmetadata: {name: a, labelz: {x: y}}\nspec: {instructons: typo}\n---\n" + stream
	m, err := Decode(strings.NewReader(bad), "bad.yaml", "ns")
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Refused) != 1 || len(m.Objects) != 2 {
		t.Fatalf("refused %v, read %d objects; want the first Agent refused, the two next read", m.Refused, len(m.Objects))
	}
	r := m.Refused[0]
	want := `Agent in version "v1alpha1" cannot be handled as a Agent: strict decoding error: unknown field "metadata.labelz", unknown field "spec.instructons"`
	if r.Kind != "Agent" || r.Namespace != "ns" || r.Name != "a" || r.Source != "bad.yaml, document 1" ||
		apierrors.ReasonForError(r.Err) != metav1.StatusReasonBadRequest || r.Err.Error() != want {
		t.Errorf("got %+v (%v), want BadRequest %q", r, apierrors.ReasonForError(r.Err), want)
	}
}

func TestReadListsAndDirectories(t *testing.T) {
	dir := t.TempDir()
	list := "apiVersion: v1\nkind: List\nitems:\n- apiVersion: orq.ai/v1alpha1\n  kind: Agent\n  metadata: {name: b, namespace: x}\n  spec: {role: R, description: D, instructions: I, path: Default/x, model: {id: openai/gpt-4o}}\n"
	for name, body := range map[string]string{"a.yaml": stream, "sub/list.yml": list, "notes.txt": "not: [a manifest"} {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	m, err := Read(dir, nil, "default")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, o := range m.Objects {
		names = append(names, o.GetNamespace()+"/"+o.GetName())
	}
	if strings.Join(names, ",") != "default/a,other/prompts,x/b" {
		t.Errorf("read %v", names)
	}
	if _, err := Read("-", strings.NewReader(stream), "default"); err != nil {
		t.Errorf("standard input: %v", err)
	}
}

// Every kind of the operator is read into its Go type, with its CRD's defaults.
func TestDecodeReadsEveryKind(t *testing.T) {
	const graph = `apiVersion: orq.ai/v1alpha1
kind: Tool
metadata: {name: lookup}
spec: {path: Default/x, description: D, type: function, function: {name: lookup}}
---
apiVersion: orq.ai/v1alpha1
kind: KnowledgeBase
metadata: {name: faq}
spec: {type: internal, embeddingModel: openai/text-embedding-3-small, path: Default/x}
---
apiVersion: orq.ai/v1alpha1
kind: MemoryStore
metadata: {name: prefs}
spec: {description: D, embeddingConfig: {model: openai/text-embedding-3-small}, path: Default/x}
---
apiVersion: orq.ai/v1alpha1
kind: AgentSchedule
metadata: {name: nightly}
spec: {agentRef: {name: a}, expression: "0 0 9 * * *"}
`
	m, err := Decode(strings.NewReader(graph), "test", "ns")
	if err != nil || len(m.Refused) != 0 {
		t.Fatalf("%v, refused %v", err, m.Refused)
	}
	if len(m.Objects) != 4 {
		t.Fatalf("read %d objects, want 4", len(m.Objects))
	}
	tool, ok1 := m.Objects[0].(*orqv1alpha1.Tool)
	_, ok2 := m.Objects[1].(*orqv1alpha1.KnowledgeBase)
	_, ok3 := m.Objects[2].(*orqv1alpha1.MemoryStore)
	schedule, ok4 := m.Objects[3].(*orqv1alpha1.AgentSchedule)
	if !ok1 || !ok2 || !ok3 || !ok4 {
		t.Fatalf("got %T %T %T %T", m.Objects[0], m.Objects[1], m.Objects[2], m.Objects[3])
	}
	if tool.Namespace != "ns" || tool.Spec.ManagementPolicy != orqv1alpha1.ManagementPolicyManage || schedule.Spec.AdoptionPolicy != orqv1alpha1.AdoptionPolicyFail {
		t.Errorf("defaults not applied: %+v, %+v", tool.Spec, schedule.Spec)
	}
}
