package v1alpha1_test

import (
	"strings"
	"testing"

	"github.com/orq-ai/orq-operator/internal/manifest"
)

// The CRDs of the graph kinds refuse what orq would refuse, at admission, naming the field. Each
// manifest is checked as the apiserver checks it (internal/manifest runs its schema and CEL
// validation on the generated CRDs).
func TestGraphKindsAreValidatedAtAdmission(t *testing.T) {
	cases := []struct {
		name, manifest string
		want           string // "" for admitted; else a part of the apiserver's message
	}{
		{"a function tool", tool("function", `function: {name: lookup, parameters: {type: object, properties: {id: {type: string}}, required: [id]}}`), ""},
		{"an http tool with a header from a Secret", tool("http", `http: {blueprint: {url: "https://api.example/{{id}}", method: GET, headers: {Authorization: {valueFrom: {secretKeyRef: {name: creds, key: token}}}}}}`), ""},
		{"a tool whose payload is not its type's", tool("http", `function: {name: lookup}`), "the payload must match the type"},
		{"a tool with two payloads", tool("code", `codeTool: {language: python, code: "print(1)"}
    function: {name: lookup}`), "exactly one of function, jsonSchema, http and codeTool"},
		{"a header with both value and valueFrom", tool("http", `http: {blueprint: {url: u, method: GET, headers: {A: {value: x, valueFrom: {secretKeyRef: {name: c, key: k}}}}}}`), "exactly one of value and valueFrom"},
		{"an http method orq does not take", tool("http", `http: {blueprint: {url: u, method: PATCH}}`), "spec.http.blueprint.method"},
		{"an http timeout above 600", tool("http", `http: {blueprint: {url: u, method: GET, timeout: 601}}`), "spec.http.blueprint.timeout"},
		{"a tool name that is no valid key", strings.Replace(tool("function", `function: {name: f}`), "name: lookup-orders", "name: lookup.orders", 1), "set spec.key"},
		{"an internal knowledge base", kb(`embeddingModel: openai/text-embedding-3-small
    retrievalSettings: {topK: 8}`), ""},
		{"an internal knowledge base without its model", kb(`retrievalSettings: {topK: 8}`), "an internal knowledge base takes embeddingModel"},
		{"an external knowledge base", kb(`type: external
    externalConfig: {name: docs, apiUrl: "https://kb.example", apiKeySecretRef: {name: kb, key: apiKey}}`), ""},
		{"a threshold above 1", kb(`embeddingModel: m
    retrievalSettings: {threshold: 1.5}`), "spec.retrievalSettings.threshold"},
		{"a memory store", memoryStore("prefs", ""), ""},
		{"a memory store named with '-' and no spec.key", memoryStore("user-prefs", ""), "never '-'"},
		{"the same, with a spec.key", memoryStore("user-prefs", "key: user_prefs"), ""},
		{"a memory store key with '-'", memoryStore("prefs", "key: user-prefs"), "spec.key"},
		{"a weekly schedule", schedule("0 0 9 * * 1"), ""},
		{"an hourly schedule", schedule("0 0 * * * *"), ""},
		{"a schedule every 5 minutes", schedule("0 */5 * * * *"), "hourly '0 0 * * * *', daily '0 0 9 * * *', weekly '0 0 9 * * 1'"},
		{"a schedule at 24:00", schedule("0 0 24 * * *"), "hour * or a single value 0-23"},
		{"a five-field schedule", schedule("0 9 * * 1"), "6-field cron expression"},
		{"a schedule with a range of days", schedule("0 0 9 * * 1-5"), "no ranges"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m, err := manifest.Decode(strings.NewReader(tc.manifest), "test", "default")
			if err != nil {
				t.Fatal(err)
			}
			var got string
			for _, r := range m.Refused {
				got += r.Err.Error()
			}
			switch {
			case tc.want == "" && got != "":
				t.Errorf("refused: %s", got)
			case tc.want != "" && !strings.Contains(got, tc.want):
				t.Errorf("refusal %q, want it to say %q", got, tc.want)
			}
		})
	}
}

func tool(typ, payload string) string {
	return `apiVersion: orq.ai/v1alpha1
kind: Tool
metadata: {name: lookup-orders}
spec:
    path: Default/tools
    description: Looks up an order
    type: ` + typ + `
    ` + payload + "\n"
}

func kb(rest string) string {
	return `apiVersion: orq.ai/v1alpha1
kind: KnowledgeBase
metadata: {name: faq}
spec:
    path: Default/knowledge
    ` + rest + "\n"
}

func memoryStore(name, rest string) string {
	return `apiVersion: orq.ai/v1alpha1
kind: MemoryStore
metadata: {name: ` + name + `}
spec:
    path: Default
    description: What each customer prefers
    embeddingConfig: {model: openai/text-embedding-3-small}
    ` + rest + "\n"
}

func schedule(expr string) string {
	return `apiVersion: orq.ai/v1alpha1
kind: AgentSchedule
metadata: {name: nightly}
spec:
    agentRef: {name: digest}
    expression: "` + expr + `"
    payload: {input: "Write the digest", variables: {region: EMEA}}
`
}
