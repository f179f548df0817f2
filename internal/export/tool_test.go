package export

import (
	"bytes"
	"context"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"k8s.io/utils/ptr"
	"sigs.k8s.io/yaml"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
	toolkind "github.com/orq-ai/orq-operator/internal/kinds/tool"
	"github.com/orq-ai/orq-operator/internal/managed"
	"github.com/orq-ai/orq-operator/internal/orqclient"
)

// remoteTool is a tool as orq answers it, its members given as JSON.
func remoteTool(t *testing.T, doc string) orqclient.Remote {
	t.Helper()
	var body orqclient.Body
	if err := json.Unmarshal([]byte(doc), &body); err != nil {
		t.Fatal(err)
	}
	for k, v := range map[string]any{"_id": "tool_01" + body["key"].(string), "project_id": "p1", "workspace_id": "w1",
		"status": "live", "created": "2026-01-01T00:00:00Z", "updated": "2026-01-01T00:00:00Z", "created_by_id": nil} {
		body[k] = v
	}
	return *orqclient.DecodeRemote(body)
}

// Each tool is exported as the spec whose request orq answered: the adapter builds from it a
// request that compares equal to the tool, with orq's defaults left out of the spec.
func TestToolSpecs(t *testing.T) {
	cases := []struct {
		name, doc string
		want      orqv1alpha1.ToolSpec
	}{{
		name: "function, display name the key (orq's default)",
		doc: `{"key":"lookup","display_name":"lookup","path":"Default/tools","description":"Looks up","type":"function",
			"function":{"name":"lookup_order","strict":true,"parameters":{"type":"object","properties":{"id":{"type":"string"}}}}}`,
		want: orqv1alpha1.ToolSpec{Key: "lookup", Path: "Default/tools", Description: "Looks up", Type: "function",
			Function: &orqv1alpha1.FunctionToolSpec{Name: "lookup_order", Strict: ptr.To(true),
				Parameters: rawJSON(`{"type":"object","properties":{"id":{"type":"string"}}}`)}},
	}, {
		name: "json_schema with a display name of its own",
		doc: `{"key":"answer","display_name":"Answer format","path":"Default","description":"d","type":"json_schema",
			"json_schema":{"name":"answer","description":"The answer","schema":{"type":"object"}}}`,
		want: orqv1alpha1.ToolSpec{Key: "answer", DisplayName: "Answer format", Path: "Default", Description: "d", Type: "json_schema",
			JSONSchema: &orqv1alpha1.JSONSchemaToolSpec{Name: "answer", Description: "The answer", Schema: *rawJSON(`{"type":"object"}`)}},
	}, {
		name: "code",
		doc: `{"key":"calc","display_name":"calc","path":"Default","description":"d","type":"code",
			"code_tool":{"language":"python","code":"print(1)"}}`,
		want: orqv1alpha1.ToolSpec{Key: "calc", Path: "Default", Description: "d", Type: "code",
			CodeTool: &orqv1alpha1.CodeToolSpec{Language: "python", Code: "print(1)"}},
	}, {
		name: "http sent without headers: orq's JSON content type left out",
		doc: `{"key":"ping","display_name":"ping","path":"Default","description":"d","type":"http",
			"http":{"blueprint":{"url":"https://x.example","method":"GET","headers":{"Content-Type":{"value":"application/json","encrypted":false}}}}}`,
		want: orqv1alpha1.ToolSpec{Key: "ping", Path: "Default", Description: "d", Type: "http",
			HTTP: &orqv1alpha1.HTTPToolSpec{Blueprint: orqv1alpha1.HTTPBlueprint{URL: "https://x.example", Method: "GET"}}},
	}, {
		name: "http with plain headers, body, timeout and arguments (sent to the model by default)",
		doc: `{"key":"orders","display_name":"orders","path":"Default","description":"d","type":"http",
			"http":{"blueprint":{"url":"https://x.example/{{id}}","method":"POST","timeout":30,"body":{"id":"{{id}}"},
				"headers":{"Accept":{"value":"text/plain","encrypted":false},"X-Trace":"on"}},
			"arguments":{"id":{"type":"string","description":"The id","send_to_model":true},
				"tenant":{"type":"string","description":"Given by the caller","send_to_model":false,"default_value":"acme"}}}}`,
		want: orqv1alpha1.ToolSpec{Key: "orders", Path: "Default", Description: "d", Type: "http",
			HTTP: &orqv1alpha1.HTTPToolSpec{
				Blueprint: orqv1alpha1.HTTPBlueprint{URL: "https://x.example/{{id}}", Method: "POST", Timeout: ptr.To(30.0), Body: rawJSON(`{"id":"{{id}}"}`),
					Headers: map[string]orqv1alpha1.HTTPHeader{"Accept": {Value: ptr.To("text/plain")}, "X-Trace": {Value: ptr.To("on")}}},
				Arguments: map[string]orqv1alpha1.HTTPArgument{
					"id":     {Type: "string", Description: "The id"},
					"tenant": {Type: "string", Description: "Given by the caller", SendToModel: ptr.To(false), DefaultValue: rawJSON(`"acme"`)},
				}}},
	}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := remoteTool(t, tc.doc)
			res := exportAll(t, fakeLister{toolkind.Endpoint.Path: {r}}, Options{})
			tools := objectsOf[orqv1alpha1.Tool](res)
			tool := tools[tc.want.Key]
			if tool == nil {
				t.Fatalf("no Tool %s in %v (skipped: %v)", tc.want.Key, tools, res.Skipped)
			}
			tc.want.AdoptionPolicy = orqv1alpha1.AdoptionPolicyAdopt
			if !reflect.DeepEqual(sameJSON(t, tool.Spec), sameJSON(t, tc.want)) {
				t.Errorf("spec\n got %s\nwant %s", mustJSON(t, tool.Spec), mustJSON(t, tc.want))
			}
			if d := compareTool(t, applied(t, tool), r); len(d) != 0 {
				t.Errorf("applied, the Tool differs from its tool in %v", d)
			}
		})
	}
}

// No header value orq keeps encrypted appears in an export, even though orq echoes it: the
// header comes from a Secret named after the Tool, which the notes say to create, and the Tool
// only observes until then.
func TestEncryptedHeadersAreNeverExported(t *testing.T) {
	r := remoteTool(t, `{"key":"billing_api","display_name":"billing_api","path":"Default","description":"d","type":"http",
		"http":{"blueprint":{"url":"https://billing.example","method":"GET","headers":{
			"Authorization":{"value":"Bearer s3cret-token","encrypted":true},
			"X-Api_Key":{"value":"s3cret-key","encrypted":true},
			"Accept":{"value":"application/json","encrypted":false}}}}}`)
	res := exportAll(t, fakeLister{toolkind.Endpoint.Path: {r}}, Options{Namespace: "team"})
	var out bytes.Buffer
	if err := Write(&out, res.Manifests); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.String(), "s3cret") {
		t.Fatalf("an encrypted header value is in the export:\n%s", out.String())
	}
	tool := objectsOf[orqv1alpha1.Tool](res)["billing-api"]
	if tool == nil {
		t.Fatalf("no Tool billing-api:\n%s", out.String())
	}
	headers := tool.Spec.HTTP.Blueprint.Headers
	want := map[string]orqv1alpha1.HTTPHeader{
		"Authorization": fromSecret("billing-api-headers", "authorization"),
		"X-Api_Key":     fromSecret("billing-api-headers", "x-api_key"),
		"Accept":        {Value: ptr.To("application/json")},
	}
	if !reflect.DeepEqual(headers, want) {
		t.Errorf("headers = %s, want %s", mustJSON(t, headers), mustJSON(t, want))
	}
	if tool.Spec.ManagementPolicy != orqv1alpha1.ManagementPolicyObserve || tool.Spec.AdoptionPolicy != orqv1alpha1.AdoptionPolicyAdopt {
		t.Errorf("policies = %+v, want Observe and Adopt", tool.Spec.Policies)
	}
	for _, want := range []string{
		"# Create Secret billing-api-headers first",
		"authorization (header Authorization)",
		"kubectl create secret generic billing-api-headers -n team --from-literal=authorization=... --from-literal=x-api_key=...",
		"# managementPolicy Observe",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the export does not say %q:\n%s", want, out.String())
		}
	}
}

// A tool of a type the Tool kind does not manage, or holding a field it cannot hold, is left
// out, saying why; the others are exported.
func TestToolsLeftOut(t *testing.T) {
	res := exportAll(t, fakeLister{toolkind.Endpoint.Path: {
		remoteTool(t, `{"key":"github","path":"Default","description":"d","type":"mcp","mcp":{"server_url":"https://mcp.example"}}`),
		remoteTool(t, `{"key":"newer","path":"Default","description":"d","type":"function","function":{"name":"f","cache":{"ttl":60}}}`),
		remoteTool(t, `{"key":"ok","path":"Default","description":"d","type":"function","function":{"name":"f"}}`),
	}}, Options{})
	if got := len(objectsOf[orqv1alpha1.Tool](res)); got != 1 {
		t.Errorf("exported %d Tools, want 1", got)
	}
	want := []string{`tool github: of type "mcp", which the Tool kind does not manage`, `tool newer: function: json: unknown field "cache"`}
	if len(res.Skipped) != len(want) {
		t.Fatalf("skipped = %q", res.Skipped)
	}
	for i, w := range want {
		if !strings.HasPrefix(res.Skipped[i], w) {
			t.Errorf("skipped[%d] = %q, want it to start with %q", i, res.Skipped[i], w)
		}
	}
}

func fromSecret(name, key string) orqv1alpha1.HTTPHeader {
	return orqv1alpha1.HTTPHeader{ValueFrom: &orqv1alpha1.HeaderValueSource{SecretKeyRef: orqv1alpha1.SecretKeyReference{Name: name, Key: key}}}
}

// compareTool builds the Tool's request as the operator does, and compares it with the tool.
func compareTool(t *testing.T, tool *orqv1alpha1.Tool, r orqclient.Remote) []string {
	t.Helper()
	desired, err := toolkind.Kind{}.Desired(context.Background(), &managed.Inputs{}, tool)
	if err != nil {
		t.Fatal(err)
	}
	return toolkind.Kind{}.Compare(desired.Body, &r)
}

// applied is an exported object as a user applies it: its YAML read back, strictly.
func applied[T any](t *testing.T, o *T) *T {
	t.Helper()
	raw, err := yaml.Marshal(o)
	if err != nil {
		t.Fatal(err)
	}
	out := new(T)
	if err := yaml.UnmarshalStrict(raw, out); err != nil {
		t.Fatalf("reading the manifest back: %v\n%s", err, raw)
	}
	return out
}
