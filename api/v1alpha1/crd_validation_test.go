package v1alpha1

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"k8s.io/apiextensions-apiserver/pkg/apis/apiextensions"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apivalidation "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/validation"
	structuralschema "k8s.io/apiextensions-apiserver/pkg/apiserver/schema"
	"k8s.io/apiextensions-apiserver/pkg/apiserver/schema/cel"
	structuraldefaulting "k8s.io/apiextensions-apiserver/pkg/apiserver/schema/defaulting"
	"k8s.io/apiextensions-apiserver/pkg/apiserver/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
	celconfig "k8s.io/apiserver/pkg/apis/cel"
	"sigs.k8s.io/yaml"
)

// The generated CRD is checked the way the apiserver checks it, without an apiserver: the CRD
// itself (structural schema, CEL rules compiled and within the cost budget), then Agents
// against it (defaults, OpenAPI validation, CEL rules).

const crdFile = "../../config/crd/bases/orq.ai_agents.yaml"

var loadCRD = sync.OnceValues(func() (*apiextensions.CustomResourceDefinition, error) {
	raw, err := os.ReadFile(filepath.FromSlash(crdFile))
	if err != nil {
		return nil, err
	}
	var v1 apiextensionsv1.CustomResourceDefinition
	if err := yaml.UnmarshalStrict(raw, &v1); err != nil {
		return nil, err
	}
	var crd apiextensions.CustomResourceDefinition
	if err := apiextensionsv1.Convert_v1_CustomResourceDefinition_To_apiextensions_CustomResourceDefinition(&v1, &crd, nil); err != nil {
		return nil, err
	}
	return &crd, nil
})

func agentSchema(t *testing.T) (*apiextensions.JSONSchemaProps, *structuralschema.Structural) {
	t.Helper()
	crd, err := loadCRD()
	if err != nil {
		t.Fatalf("loading %s: %v", crdFile, err)
	}
	// The internal form keeps a schema shared by every version at the top.
	props := crd.Spec.Validation.OpenAPIV3Schema
	if v := crd.Spec.Versions[0].Schema; v != nil {
		props = v.OpenAPIV3Schema
	}
	s, err := structuralschema.NewStructural(props)
	if err != nil {
		t.Fatal(err)
	}
	return props, s
}

func TestCRDIsAcceptedByTheAPIServer(t *testing.T) {
	crd, err := loadCRD()
	if err != nil {
		t.Fatal(err)
	}
	stored := *crd
	stored.Status.StoredVersions = []string{crd.Spec.Versions[0].Name} // set by the apiserver
	if errs := apivalidation.ValidateCustomResourceDefinition(context.Background(), &stored); len(errs) > 0 {
		t.Fatalf("the apiserver would refuse the CRD:\n%v", errs.ToAggregate())
	}
}

// admit validates an Agent spec (YAML) as the apiserver does on create, after defaulting, and
// returns the errors.
func admit(t *testing.T, spec string) field.ErrorList {
	t.Helper()
	props, s := agentSchema(t)
	var specObj map[string]any
	if err := yaml.Unmarshal([]byte(spec), &specObj); err != nil {
		t.Fatal(err)
	}
	obj := map[string]any{
		"apiVersion": "orq.ai/v1alpha1", "kind": "Agent",
		"metadata": map[string]any{"name": "a", "namespace": "ns"},
		"spec":     specObj,
	}
	structuraldefaulting.Default(obj, s)
	validator, _, err := validation.NewSchemaValidator(props)
	if err != nil {
		t.Fatal(err)
	}
	errs := validation.ValidateCustomResource(nil, obj, validator)
	celErrs, _ := cel.NewValidator(s, true, celconfig.PerCallLimit).
		Validate(context.Background(), nil, s, obj, nil, celconfig.RuntimeCELCostBudget)
	return append(errs, celErrs...)
}

const baseSpec = `
role: r
description: d
instructions: i
path: Default
model: {id: openai/gpt-4o}
`

func TestAdmission(t *testing.T) {
	cases := []struct {
		name string
		spec string
		// refused is a part of the message the apiserver gives, or "" when admitted.
		refused string
	}{
		{"file_system by key", `settings: {tools: [{type: file_system, fileSystem: {fileSystemKey: docs}}]}`, ""},
		{"file_system by id, read_write", `settings: {tools: [{type: file_system, requiresApproval: true, fileSystem: {fileSystemId: 01FS, accessMode: read_write}}]}`, ""},
		{"file_system without fileSystem", `settings: {tools: [{type: file_system}]}`, "fileSystem is required for file_system tools"},
		{"file_system with id and key", `settings: {tools: [{type: file_system, fileSystem: {fileSystemId: a, fileSystemKey: b}}]}`, "exactly one of fileSystemId and fileSystemKey"},
		{"file_system with neither", `settings: {tools: [{type: file_system, fileSystem: {accessMode: read_only}}]}`, "exactly one of fileSystemId and fileSystemKey"},
		{"file_system access mode", `settings: {tools: [{type: file_system, fileSystem: {fileSystemKey: k, accessMode: write}}]}`, "accessMode"},
		{"file_system with configuration", `settings: {tools: [{type: file_system, fileSystem: {fileSystemKey: k}, configuration: {a: 1}}]}`, "configuration is only allowed"},
		{"file_system with a key", `settings: {tools: [{type: file_system, key: k, fileSystem: {fileSystemKey: k}}]}`, "take neither key nor id"},
		{"fileSystem on another tool", `settings: {tools: [{type: current_date, fileSystem: {fileSystemKey: k}}]}`, "fileSystem is required for file_system tools and not allowed"},
		{"reasoning effort max", `model: {id: m, parameters: {reasoningEffort: max}}`, ""},
		{"reasoning effort unknown", `model: {id: m, parameters: {reasoningEffort: maximal}}`, "reasoningEffort"},
		{"evaluator and guardrail options", `settings: {evaluators: [{id: e, executeOn: output, options: {threshold: 0.5}}], guardrails: [{id: orq_pii_detection, executeOn: input, options: {regions: [nl], entity_thresholds: {EMAIL_ADDRESS: 0.9}}}]}`, ""},
		{"options must be an object", `settings: {evaluators: [{id: e, executeOn: output, options: [1]}]}`, "options"},
		{"pii plugin, auto language, regions", `model: {id: m, parameters: {plugins: [{id: pii_redaction, language: auto, regions: [nl, gb], entities: [EMAIL_ADDRESS], entityThresholds: {EMAIL_ADDRESS: 0.8}}]}}`, ""},
		{"pii plugin, threshold of an entity not listed", `model: {id: m, parameters: {plugins: [{id: pii_redaction, entities: [PERSON], entityThresholds: {EMAIL_ADDRESS: 0.8}}]}}`, "every key of entityThresholds"},
		{"pii plugin, threshold out of range", `model: {id: m, parameters: {plugins: [{id: pii_redaction, entities: [PERSON], entityThresholds: {PERSON: 1.5}}]}}`, "entityThresholds"},
		{"pii plugin, all with another region", `model: {id: m, parameters: {plugins: [{id: pii_redaction, regions: [all, nl]}]}}`, "all cannot be combined"},
		{"regions on another plugin", `model: {id: m, parameters: {plugins: [{id: response_healing, regions: [nl]}]}}`, "only allowed for pii_redaction"},
		{"provider tool by id", `settings: {tools: [{type: "openai:web_search", id: 01J}]}`, ""},
		{"team of 64", "teamOfAgents: [" + strings.Repeat("{key: k},", 63) + "{key: k}]", ""},
		{"team of 65", "teamOfAgents: [" + strings.Repeat("{key: k},", 64) + "{key: k}]", "teamOfAgents"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			expectAdmission(t, baseSpec+tc.spec, tc.refused)
		})
	}
}

// expectAdmission checks that spec is admitted (refused "") or refused with a message that
// contains refused.
func expectAdmission(t *testing.T, spec, refused string) {
	t.Helper()
	errs := admit(t, spec)
	switch {
	case refused == "" && len(errs) > 0:
		t.Errorf("refused: %v", errs.ToAggregate())
	case refused != "" && len(errs) == 0:
		t.Errorf("admitted, want refused with %q", refused)
	case refused != "" && !strings.Contains(errs.ToAggregate().Error(), refused):
		t.Errorf("refused with %v, want %q", errs.ToAggregate(), refused)
	}
}

// The prompts come inline or from a ConfigMap: exactly one source for the instructions, at most
// one for the system prompt.
func TestAdmissionOfPromptSources(t *testing.T) {
	const rest = "role: r\ndescription: d\npath: Default\nmodel: {id: openai/gpt-4o}\n"
	const from = "{configMapKeyRef: {name: prompts, key: support.md}}"
	cases := []struct{ name, spec, refused string }{
		{"inline instructions", "instructions: i", ""},
		{"empty inline instructions", `instructions: ""`, ""},
		{"instructionsFrom", "instructionsFrom: " + from, ""},
		{"instructionsFrom beside empty instructions", "instructionsFrom: " + from + "\ninstructions: \"\"", ""},
		{"neither", "systemPrompt: s", "exactly one of instructions and instructionsFrom"},
		{"both", "instructions: i\ninstructionsFrom: " + from, "exactly one of instructions and instructionsFrom"},
		{"systemPromptFrom", "instructions: i\nsystemPromptFrom: " + from, ""},
		{"both system prompts", "instructions: i\nsystemPrompt: s\nsystemPromptFrom: " + from, "at most one of systemPrompt and systemPromptFrom"},
		{"ConfigMap name", "instructionsFrom: {configMapKeyRef: {name: Prompts, key: k}}", "configMapKeyRef.name"},
		{"ConfigMap key", "instructionsFrom: {configMapKeyRef: {name: prompts, key: a/b}}", "configMapKeyRef.key"},
		{"no key", "instructionsFrom: {configMapKeyRef: {name: prompts}}", "key: Required"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			expectAdmission(t, rest+tc.spec, tc.refused)
		})
	}
}

// TestAccessModeDefaultsToReadOnly: the apiserver fills in the API's default.
func TestAccessModeDefaultsToReadOnly(t *testing.T) {
	_, s := agentSchema(t)
	var spec map[string]any
	_ = yaml.Unmarshal([]byte(baseSpec+`settings: {tools: [{type: file_system, fileSystem: {fileSystemKey: docs}}]}`), &spec)
	obj := map[string]any{"spec": spec}
	structuraldefaulting.Default(obj, s)
	tool := spec["settings"].(map[string]any)["tools"].([]any)[0].(map[string]any)
	if got := tool["fileSystem"].(map[string]any)["accessMode"]; got != "read_only" {
		t.Errorf("accessMode = %v, want read_only", got)
	}
}
