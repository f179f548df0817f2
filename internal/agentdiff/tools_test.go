package agentdiff

import (
	"reflect"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
)

// echoTool is a tool as the retrieve answer holds it: action_type instead of type, an id
// always (the pre-created tool's, or one the API generated), and the server's own fields.
func echoTool(actionType string, fields Object) Object {
	t := Object{"action_type": actionType, "requires_approval": false, "conditions": []any{}}
	for k, v := range fields {
		t[k] = v
	}
	return t
}

func withTools(tools ...any) Object { return Object{"settings": Object{"tools": tools}} }

// TestDiffSeesToolReferences: a tool that names a pre-created tool (custom or provider) is
// compared by the reference the spec gives, and an id the spec does not give is the API's.
func TestDiffSeesToolReferences(t *testing.T) {
	const web = "openai:web_search"
	cases := []struct {
		name    string
		desired Object
		remote  Object
		want    []string
	}{
		{"provider tool: another id", withTools(Object{"type": web, "id": "01NEW"}),
			withTools(echoTool(web, Object{"id": "01OLD"})), []string{"settings"}},
		{"provider tool: same id", withTools(Object{"type": web, "id": "01SAME"}),
			withTools(echoTool(web, Object{"id": "01SAME"})), nil},
		{"provider tool: same id, echoed with its key", withTools(Object{"type": web, "id": "01SAME"}),
			withTools(echoTool(web, Object{"id": "01SAME", "key": "search"})), nil},
		{"provider tool: another id, echoed with a key", withTools(Object{"type": web, "id": "01NEW"}),
			withTools(echoTool(web, Object{"id": "01OLD", "key": "search"})), []string{"settings"}},
		{"provider tool: another key", withTools(Object{"type": web, "key": "search-v2"}),
			withTools(echoTool(web, Object{"id": "01OLD", "key": "search"})), []string{"settings"}},
		{"provider tool: same key, id left to the API", withTools(Object{"type": web, "key": "search"}),
			withTools(echoTool(web, Object{"id": "01ANY", "key": "search"})), nil},
		{"provider tool without reference: generated id", withTools(Object{"type": web}),
			withTools(echoTool(web, Object{"id": "01GENERATED"})), nil},
		{"provider tool: id now named", withTools(Object{"type": "anthropic:web_fetch", "id": "01NEW"}),
			withTools(echoTool("anthropic:web_fetch", Object{"id": "01GENERATED"})), []string{"settings"}},
		{"custom tool: another id", withTools(Object{"type": "function", "id": "01NEW"}),
			withTools(echoTool("function", Object{"id": "01OLD", "key": "lookup"})), []string{"settings"}},
		{"built-in tool: generated id", withTools(Object{"type": "current_date"}),
			withTools(echoTool("current_date", Object{"id": "01GENERATED"})), nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := Diff(tc.desired, Observed(tc.remote)); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Diff = %v, want %v", got, tc.want)
			}
		})
	}
}

// TestExportKeepsToolReferences: export names a pre-created tool as the remote agent does, by
// key when the echo has one, by id otherwise, for provider tools as for custom ones.
func TestExportKeepsToolReferences(t *testing.T) {
	cases := []struct {
		name string
		echo Object
		want orqv1alpha1.AgentTool
	}{
		{"provider tool by id", echoTool("openai:web_search", Object{"id": "01PROVIDER"}),
			orqv1alpha1.AgentTool{Type: "openai:web_search", ID: "01PROVIDER"}},
		{"provider tool by key", echoTool("openai:web_search", Object{"id": "01PROVIDER", "key": "search"}),
			orqv1alpha1.AgentTool{Type: "openai:web_search", Key: "search"}},
		{"custom tool by id", echoTool("function", Object{"id": "01FUNC"}),
			orqv1alpha1.AgentTool{Type: "function", ID: "01FUNC"}},
		{"built-in tool", echoTool("current_date", Object{"id": "01GENERATED"}),
			orqv1alpha1.AgentTool{Type: "current_date"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			remote := withTools(tc.echo)
			remote["key"] = "exported"
			spec, err := SpecFromRemote(remote)
			if err != nil {
				t.Fatal(err)
			}
			if len(spec.Settings.Tools) != 1 || !reflect.DeepEqual(spec.Settings.Tools[0], tc.want) {
				t.Fatalf("tools = %+v, want [%+v]", spec.Settings.Tools, tc.want)
			}
			again, err := Desired(&orqv1alpha1.Agent{ObjectMeta: metav1.ObjectMeta{Name: "exported"}, Spec: spec})
			if err != nil {
				t.Fatal(err)
			}
			if d := Diff(again, Observed(remote)); len(d) != 0 {
				t.Errorf("the exported spec differs from the remote agent in %v", d)
			}
		})
	}
}
