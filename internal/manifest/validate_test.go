package manifest

import (
	"context"
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"

	"github.com/orq-ai/orq-operator/config/crd"
)

func object(t *testing.T, manifest string) *unstructured.Unstructured {
	t.Helper()
	u := &unstructured.Unstructured{}
	if err := yaml.Unmarshal([]byte(manifest), &u.Object); err != nil {
		t.Fatal(err)
	}
	return u
}

// agentWith is an Agent manifest: metadata, then spec fields after the required ones.
func agentWith(metadata, spec string) string {
	return "apiVersion: orq.ai/v1alpha1\nkind: Agent\nmetadata: {" + metadata + "}\n" +
		"spec: {role: R, description: D, path: Default/x, model: {id: openai/gpt-4o" + spec + "}\n"
}

// The checks of the apiserver, from the embedded Agent CRD: each refusal names the field as
// kubectl prints it.
func TestAdmitChecksAgentsAsTheAPIServer(t *testing.T) {
	for _, c := range []struct {
		name, manifest string
		reason         metav1.StatusReason // "" when admitted
		message        string
	}{
		{"valid", agentWith("name: fine", "}, instructions: I"), "", ""},
		{"name not a key, with spec.key", agentWith("name: 1st-agent", "}, instructions: I, key: first"), "", ""},
		{"temperature above its maximum", agentWith("name: hot", ", parameters: {temperature: 2.5}}, instructions: I"),
			metav1.StatusReasonInvalid, `Agent.orq.ai "hot" is invalid: spec.model.parameters.temperature: Invalid value: 2.5: spec.model.parameters.temperature in body should be less than or equal to 2`},
		{"name not a key, no spec.key", agentWith("name: 1st-agent", "}, instructions: I"),
			metav1.StatusReasonInvalid, `Agent.orq.ai "1st-agent" is invalid: <nil>: Invalid value: metadata.name is not a valid orq agent key (letters and digits, separated by single '.', '_' or '-', starting with a letter): set spec.key`},
		{"instructions and instructionsFrom (CEL)", agentWith("name: both", "}, instructions: I, instructionsFrom: {configMapKeyRef: {name: p, key: k}}"),
			metav1.StatusReasonInvalid, `Agent.orq.ai "both" is invalid: spec: Invalid value: set exactly one of instructions and instructionsFrom`},
		{"a required field missing: the rules are not run", strings.Replace(agentWith("name: norole", "}"), "role: R, ", "", 1),
			metav1.StatusReasonInvalid, `Agent.orq.ai "norole" is invalid: [spec.role: Required value, <nil>: Invalid value: null: some validation rules were not checked because the object was invalid; correct the existing errors to complete validation]`},
		{"name not a DNS subdomain", agentWith("name: Not_DNS, namespace: ns", "}, instructions: I, key: k"),
			metav1.StatusReasonInvalid, `Agent.orq.ai "Not_DNS" is invalid: metadata.name: Invalid value: "Not_DNS": a lowercase RFC 1123 subdomain`},
		{"unknown field", agentWith("name: typo", "}, instructons: I"),
			metav1.StatusReasonBadRequest, `Agent in version "v1alpha1" cannot be handled as a Agent: strict decoding error: unknown field "spec.instructons"`},
		{"version not served", strings.Replace(agentWith("name: old", "}, instructions: I"), "v1alpha1", "v1", 1),
			metav1.StatusReasonBadRequest, `no matches for kind "Agent" in version "orq.ai/v1"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			u := object(t, c.manifest)
			ok, refusal, err := admit(context.Background(), u, "ns")
			if err != nil || !ok {
				t.Fatalf("ok %v, err %v: the Agent CRD is embedded", ok, err)
			}
			if c.reason == "" {
				if refusal != nil {
					t.Fatalf("refused: %v", refusal)
				}
				if u.GetNamespace() != "ns" || u.Object["spec"].(map[string]any)["engine"] != "text" {
					t.Errorf("admitted without its namespace or defaults: %v", u.Object)
				}
				return
			}
			if got := apierrors.ReasonForError(refusal); got != c.reason || refusal == nil || !strings.HasPrefix(refusal.Error(), c.message) {
				t.Errorf("got %s: %v\nwant %s: %s", got, refusal, c.reason, c.message)
			}
		})
	}
}

func TestAdmitLeavesKindsOfNoEmbeddedCRD(t *testing.T) {
	u := object(t, "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec: {whatever: 1}\n")
	if ok, refusal, err := admit(context.Background(), u, "ns"); ok || refusal != nil || err != nil || u.GetNamespace() != "" {
		t.Errorf("ok %v, refusal %v, err %v, namespace %q", ok, refusal, err, u.GetNamespace())
	}
}

// toolCRD is a CRD of another kind, as config/crd/bases will hold more: the CRD is chosen by the
// object's group and kind.
const toolCRD = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: tools.orq.ai}
spec:
  group: orq.ai
  names: {kind: Tool, listKind: ToolList, plural: tools, singular: tool}
  scope: Namespaced
  versions:
  - name: v1alpha1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          apiVersion: {type: string}
          kind: {type: string}
          metadata: {type: object}
          spec:
            type: object
            properties:
              timeout: {type: integer, maximum: 60, default: 10}
              url: {type: string}
            x-kubernetes-validations:
            - rule: "!has(self.url) || self.url.startsWith('https://')"
              message: url must be https
`

func TestAdmitChoosesTheCRDByGroupAndKind(t *testing.T) {
	agentCRD, err := fs.ReadFile(crd.Bases, "bases/orq.ai_agents.yaml")
	if err != nil {
		t.Fatal(err)
	}
	kinds, err := loadKinds(fstest.MapFS{
		"bases/orq.ai_tools.yaml":  {Data: []byte(toolCRD)},
		"bases/orq.ai_agents.yaml": {Data: agentCRD},
	})
	if err != nil || len(kinds) != 2 {
		t.Fatalf("%v, %v", kinds, err)
	}
	tool := func(spec string) *unstructured.Unstructured {
		return object(t, "apiVersion: orq.ai/v1alpha1\nkind: Tool\nmetadata: {name: t}\nspec: {"+spec+"}\n")
	}
	u := tool("url: 'https://x'")
	if ok, refusal := kinds.admit(context.Background(), u, "ns"); !ok || refusal != nil {
		t.Errorf("a valid Tool: ok %v, %v", ok, refusal)
	}
	if got, _, _ := unstructured.NestedInt64(u.Object, "spec", "timeout"); got != 10 {
		t.Errorf("the Tool's default: timeout %d, want 10", got)
	}
	for spec, want := range map[string]string{
		"timeout: 90":       `Tool.orq.ai "t" is invalid: spec.timeout: Invalid value: 90: spec.timeout in body should be less than or equal to 60`,
		"url: 'http://x'":   `Tool.orq.ai "t" is invalid: spec: Invalid value: url must be https`,
		"instructions: 'I'": `Tool in version "v1alpha1" cannot be handled as a Tool: strict decoding error: unknown field "spec.instructions"`,
	} {
		if _, refusal := kinds.admit(context.Background(), tool(spec), "ns"); refusal == nil || refusal.Error() != want {
			t.Errorf("%s: %v, want %s", spec, refusal, want)
		}
	}
	if _, refusal := kinds.admit(context.Background(), object(t, agentWith("name: hot", ", parameters: {temperature: 2.5}}, instructions: I")), "ns"); refusal == nil {
		t.Error("the Agent CRD of the same set was not used")
	}
}

// Any document is read, refused or an error, never a panic: admit hands arbitrary input to the
// apiserver's code, which in the apiserver only ever sees what its decoder made.
func FuzzDecode(f *testing.F) {
	f.Add(stream)
	f.Add(agentWith("name: hot", ", parameters: {temperature: 2.5}}, instructions: I"))
	f.Add("apiVersion: orq.ai/v1alpha1\nkind: Agent\nmetadata: [1]\nspec: {model: 3}\n")
	f.Add("apiVersion: orq.ai/v1alpha1\nkind: Agent\nmetadata: {name: a, labels: {x: [1]}}\nspec: null\nstatus: 1\n")
	f.Fuzz(func(t *testing.T, doc string) {
		m, err := Decode(strings.NewReader(doc), "fuzz", "ns")
		if err != nil {
			return
		}
		for _, r := range m.Refused {
			if r.Err == nil {
				t.Errorf("a refusal without its reason: %+v", r)
			}
		}
	})
}
