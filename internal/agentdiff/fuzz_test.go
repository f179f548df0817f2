package agentdiff

import (
	"encoding/json"
	"reflect"
	"testing"
	"unicode"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
)

// FuzzNormalize: no panic; normalizing twice changes nothing; an object never differs from itself,
// nor from its own normal form.
func FuzzNormalize(f *testing.F) {
	for _, seed := range []string{
		`{}`,
		`{"model":"openai/gpt-4o","fallback_models":["a",{"id":"b","retry":{"count":3}}]}`,
		`{"settings":{"max_iterations":100,"tools":[{"type":"http","key":"k","id":"x","requires_approval":false,"conditions":[]}]}}`,
		`{"model":{"id":"m","parameters":{"stop":"END","cache":{"ttl":1800,"type":"exact_match"}}},"variables":{"a":""}}`,
		`{"settings":{"tools":[null,{},{"type":""}]},"skills":null,"system_prompt":null}`,
		`{"model":{"parameters":{"load_balancer":{"models":[{"weight":0.5},null]}}}}`,
		`{"settings":{"tools":[{"type":"openai:web_search","id":"01J"},{"type":"a:b","id":3,"key":null},{"type":"a:b","key":"k","id":""}]}}`,
		`{"settings":{"tools":[{"type":"file_system","configuration":{"file_system_key":"k","access_mode":"read_only"}},{"type":"file_system","configuration":null}],"evaluators":[{"id":"e","options":{"aB":{}}}]}}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		var o Object
		if json.Unmarshal(raw, &o) != nil {
			return
		}
		n1 := Normalize(o)
		if n2 := Normalize(n1); !reflect.DeepEqual(n1, n2) {
			t.Fatalf("normalize is not stable:\n once: %#v\ntwice: %#v", n1, n2)
		}
		if d := Diff(o, o); len(d) != 0 {
			t.Fatalf("an object differs from itself in %v", d)
		}
		if d := Diff(o, n1); len(d) != 0 {
			t.Fatalf("an object differs from its normal form in %v", d)
		}
	})
}

// FuzzDesired: any spec the JSON decoder accepts converts without panic, its request uses
// snake_case names outside user-owned JSON, and it never differs from itself.
func FuzzDesired(f *testing.F) {
	for _, seed := range []string{
		`{"role":"r","description":"d","instructions":"i","path":"p","model":{"id":"m"}}`,
		`{"model":{"id":"m","parameters":{"toolChoice":{"type":"auto"},"responseFormat":{"type":"json_schema","jsonSchema":{"name":"n","schema":{"aB":1}}}}}}`,
		`{"model":{"id":"m"},"fallbackModels":[{"id":"x","parameters":{"toolChoice":{"type":"function","function":{"name":"f"}}}}]}`,
		`{"settings":{"tools":[{"type":"google_search","configuration":{"camelKey":true}}]},"variables":{"myVar":"v"}}`,
		`{"settings":{"tools":[{"type":"file_system","fileSystem":{"fileSystemKey":"k"}}],"guardrails":[{"id":"g","options":{"camelKey":1}}]},"model":{"id":"m","parameters":{"plugins":[{"id":"pii_redaction","entityThresholds":{"EMAIL_ADDRESS":0.5}}]}}}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		var spec orqv1alpha1.AgentSpec
		if json.Unmarshal(raw, &spec) != nil {
			return
		}
		a := &orqv1alpha1.Agent{ObjectMeta: metav1.ObjectMeta{Name: "fuzz"}, Spec: spec}
		body, err := Desired(a)
		if err != nil {
			return
		}
		assertSnake(t, body, "")
		if d := Diff(body, body); len(d) != 0 {
			t.Fatalf("a request differs from itself in %v", d)
		}
	})
}

func assertSnake(t *testing.T, v any, at string) {
	switch x := v.(type) {
	case Object:
		for k, val := range x {
			for _, r := range k {
				if unicode.IsUpper(r) {
					t.Fatalf("key %q at %q is not snake_case", k, at)
				}
			}
			if opaqueKeys[k] {
				continue
			}
			assertSnake(t, val, at+"."+k)
		}
	case []any:
		for _, val := range x {
			assertSnake(t, val, at+"[]")
		}
	}
}
