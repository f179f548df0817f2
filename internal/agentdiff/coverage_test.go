package agentdiff

import (
	"encoding/json"
	"maps"
	"os"
	"slices"
	"sort"
	"strings"
	"testing"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"sigs.k8s.io/yaml"

	"github.com/orq-ai/orq-operator/internal/openapi"
)

// TestCRDCoversTheRequest walks the create and update request schemas of the OpenAPI document at
// every depth, adds what the SDK added (sdkFields), and fails for each request field that the
// generated CRD does not have, and for each enum value the CRD refuses. Paths are in the API's
// names: "a.b" is a property, "a[]" the items of a list, "a{}" the values of a map.
func TestCRDCoversTheRequest(t *testing.T) {
	path, err := openapi.Locate()
	if err != nil {
		t.Skipf("the OpenAPI document is absent, so the CRD cannot be checked against it (%v); set %s", err, openapi.EnvFile)
	}
	want := requestFields(t, path)
	for p, values := range sdkFields() {
		want[p] = append(want[p], values...)
	}
	spec := crdSpecSchema(t)
	used := map[string]bool{}
	for _, p := range slices.Sorted(maps.Keys(want)) {
		if reason, ok := notCovered[p]; ok {
			used[p] = true
			t.Logf("not covered: %s (%s)", p, reason)
			continue
		}
		at := crdPath(p)
		if _, ok := representedAs[p]; ok {
			used[p] = true
		}
		node, parent, ok := lookupCRD(spec, at)
		if !ok {
			t.Errorf("the CRD has no field for %s (looked for spec.%s)", p, at)
			continue
		}
		if missing := refusedValues(node, parent, lastSegment(at), want[p]); len(missing) > 0 {
			t.Errorf("spec.%s refuses %v, which the request accepts at %s", at, missing, p)
		}
	}
	for p := range notCovered {
		if !used[p] {
			t.Errorf("notCovered lists %s, which the request no longer has: remove it", p)
		}
	}
	for p := range representedAs {
		if !used[p] {
			t.Errorf("representedAs lists %s, which the request no longer has: remove it", p)
		}
	}
}

// notCovered lists the request fields the CRD deliberately lacks, each with its reason.
var notCovered = map[string]string{
	// Update request only: the project is where spec.path puts the agent (or the API key's
	// project); the operator does not move agents between projects.
	"project_id": "the project follows from spec.path",
}

// representedAs maps request fields that the CRD shapes differently to their CRD path.
var representedAs = map[string]string{
	// A file_system tool's configuration is typed in the CRD (tool.fileSystem), so that the
	// apiserver can check it; agentdiff sends it as the configuration.
	"settings.tools[].configuration.file_system_id":  "settings.tools[].fileSystem.fileSystemId",
	"settings.tools[].configuration.file_system_key": "settings.tools[].fileSystem.fileSystemKey",
	"settings.tools[].configuration.access_mode":     "settings.tools[].fileSystem.accessMode",
	// The string form of tool_choice (none, auto, required) is toolChoice.type in the CRD.
	"model.parameters.tool_choice":             "model.parameters.toolChoice.type",
	"fallback_models[].parameters.tool_choice": "fallbackModels[].parameters.toolChoice.type",
}

// sdkFields are the fields and enum values of the create request that the official TypeScript
// SDK @orq-ai/node 4.15.11 has and the OpenAPI document does not, by path, with the enum values
// added (none for a field that is not an enum).
func sdkFields() map[string][]string {
	out := map[string][]string{
		"settings.tools[].type":                          {"file_system"},
		"settings.tools[].configuration.file_system_id":  nil,
		"settings.tools[].configuration.file_system_key": nil,
		"settings.tools[].configuration.access_mode":     {"read_only", "read_write"},
		"settings.evaluators[].options":                  nil,
		"settings.evaluators[].options{}":                nil,
		"settings.guardrails[].options":                  nil,
		"settings.guardrails[].options{}":                nil,
	}
	for _, model := range []string{"model", "fallback_models[]"} {
		out[model+".parameters.reasoning_effort"] = []string{"max"}
		out[model+".parameters.plugins[].regions"] = nil
		out[model+".parameters.plugins[].regions[]"] = nil
		out[model+".parameters.plugins[].entity_thresholds"] = nil
		out[model+".parameters.plugins[].entity_thresholds{}"] = nil
	}
	return out
}

// crdPath is the CRD path of a request path: representedAs, or the names in lowerCamelCase.
func crdPath(p string) string {
	if at, ok := representedAs[p]; ok {
		return at
	}
	segs := strings.Split(p, ".")
	for i, s := range segs {
		segs[i] = camel(s)
	}
	return strings.Join(segs, ".")
}

func lastSegment(p string) string {
	s := p[strings.LastIndex(p, ".")+1:]
	return strings.TrimRight(s, "[]{}")
}

// requestFields returns every field of the create and update request schemas with the enum
// values each accepts (merged over the alternatives of anyOf, oneOf and allOf).
func requestFields(t *testing.T, path string) map[string][]string {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	body := func(path, method string) any {
		op := dig(doc, "paths", path, method)
		return dig(op, "requestBody", "content", "application/json", "schema")
	}
	w := schemaWalker{doc: doc, fields: map[string][]string{}}
	for _, s := range []any{body("/v2/agents", "post"), body("/v2/agents/{agent_key}", "patch")} {
		if s == nil {
			t.Fatal("the OpenAPI document has no create or update request body")
		}
		w.walk(s, "", nil)
	}
	return w.fields
}

type schemaWalker struct {
	doc    map[string]any
	fields map[string][]string
}

// walk records the fields under schema s at path, following $refs (refs lists those being
// followed, against cycles).
func (w schemaWalker) walk(s any, path string, refs []string) {
	node, _ := s.(map[string]any)
	if ref, ok := node["$ref"].(string); ok {
		if slices.Contains(refs, ref) {
			return
		}
		w.walk(w.resolve(ref), path, append(refs, ref))
		return
	}
	if path != "" {
		w.fields[path] = append(w.fields[path], enumValues(node)...)
	}
	for _, comb := range []string{"anyOf", "oneOf", "allOf"} {
		alts, _ := node[comb].([]any)
		for _, alt := range alts {
			w.walk(alt, path, refs)
		}
	}
	props, _ := node["properties"].(map[string]any)
	for name, sub := range props {
		w.walk(sub, join(path, name), refs)
	}
	if items, ok := node["items"]; ok {
		w.walk(items, path+"[]", refs)
	}
	if ap, ok := node["additionalProperties"].(map[string]any); ok {
		w.walk(ap, path+"{}", refs)
	}
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

// resolve returns the schema a local $ref ("#/components/...") points at.
func (w schemaWalker) resolve(ref string) any {
	var cur any = w.doc
	for _, p := range strings.Split(strings.TrimPrefix(ref, "#/"), "/") {
		cur = dig(cur, strings.ReplaceAll(strings.ReplaceAll(p, "~1", "/"), "~0", "~"))
	}
	return cur
}

func dig(v any, keys ...string) any {
	for _, k := range keys {
		m, _ := v.(map[string]any)
		v = m[k]
	}
	return v
}

// enumValues returns the string values of a node's enum or const.
func enumValues(node map[string]any) []string {
	var out []string
	list, _ := node["enum"].([]any)
	if c, ok := node["const"]; ok {
		list = append(list, c)
	}
	for _, v := range list {
		if s, ok := v.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// crdSpecSchema returns the schema of spec in the generated CRD.
func crdSpecSchema(t *testing.T) apiextensionsv1.JSONSchemaProps {
	t.Helper()
	raw, err := os.ReadFile("../../config/crd/bases/orq.ai_agents.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var crd apiextensionsv1.CustomResourceDefinition
	if err := yaml.Unmarshal(raw, &crd); err != nil {
		t.Fatal(err)
	}
	return crd.Spec.Versions[0].Schema.OpenAPIV3Schema.Properties["spec"]
}

// lookupCRD finds the CRD schema at path, with the object holding it. Below an open object
// (x-kubernetes-preserve-unknown-fields) any path is accepted: the open object itself is returned.
func lookupCRD(root apiextensionsv1.JSONSchemaProps, path string) (node, parent *apiextensionsv1.JSONSchemaProps, ok bool) {
	node = &root
	for _, seg := range strings.Split(path, ".") {
		name := strings.TrimRight(seg, "[]{}")
		if open(node) {
			return node, parent, true
		}
		next, found := node.Properties[name]
		if !found {
			return nil, nil, false
		}
		parent, node = node, &next
		for _, suffix := range strings.Split(strings.TrimPrefix(seg, name), "") {
			if open(node) {
				return node, parent, true
			}
			switch {
			case suffix == "[" && node.Items != nil && node.Items.Schema != nil:
				node = node.Items.Schema
			case suffix == "{" && node.AdditionalProperties != nil && node.AdditionalProperties.Schema != nil:
				node = node.AdditionalProperties.Schema
			case suffix == "]" || suffix == "}":
			default:
				return nil, nil, false
			}
		}
	}
	return node, parent, true
}

func open(node *apiextensionsv1.JSONSchemaProps) bool {
	return node.XPreserveUnknownFields != nil && *node.XPreserveUnknownFields && len(node.Properties) == 0
}

// refusedValues returns the values the CRD refuses at node: those missing from its enum, or, for
// a field that a CEL rule of its object enumerates (self.<field> in [...]), from that rule.
// A field with neither takes any value.
func refusedValues(node, parent *apiextensionsv1.JSONSchemaProps, field string, values []string) []string {
	var accepts func(string) bool
	switch {
	case len(node.Enum) > 0:
		accepts = func(v string) bool {
			return slices.ContainsFunc(node.Enum, func(e apiextensionsv1.JSON) bool {
				var s string
				return json.Unmarshal(e.Raw, &s) == nil && s == v
			})
		}
	case parent != nil && ruleEnumerating(parent, field) != "":
		rule := ruleEnumerating(parent, field)
		accepts = func(v string) bool { return strings.Contains(rule, "'"+v+"'") }
	default:
		return nil
	}
	var out []string
	for _, v := range values {
		if !accepts(v) && !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	sort.Strings(out)
	return out
}

// ruleEnumerating returns the first CEL rule of the object that lists the values of a field.
func ruleEnumerating(obj *apiextensionsv1.JSONSchemaProps, field string) string {
	for _, r := range obj.XValidations {
		if strings.HasPrefix(r.Rule, "self."+field+" in [") {
			return r.Rule
		}
	}
	return ""
}
