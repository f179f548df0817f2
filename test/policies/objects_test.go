package policies

import (
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// The manifests the policies are tried on. Each builder returns an object that keeps every
// policy under both settings of admission_test.go; a case changes one field of it.

// Namespaces: prod carries the label the default bindings of require-orphan and
// require-fallback-models select; dev does not.
const (
	prod = "prod"
	dev  = "dev"
)

// Fake credentials of each shape the policy forbids; none is real.
const (
	orqKey   = "sk-orq-k1a2b3c4-Zm9vYmFyYmF6cXV4MTIzNDU2"
	jwt      = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJwb2xpY3ktdGVzdCJ9.c2lnbmF0dXJlLW5vdC1yZWFs"
	bearer   = "Bearer 4f9c2e7a1b8d3f6e0a5c9b2d7e1f"
	pemBlock = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----"
)

func object(kind, namespace, name string, spec map[string]any) *unstructured.Unstructured {
	return &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "orq.ai/v1alpha1",
		"kind":       kind,
		"metadata":   map[string]any{"name": name, "namespace": namespace},
		"spec":       spec,
	}}
}

func agent(namespace string) *unstructured.Unstructured {
	return object("Agent", namespace, "support", map[string]any{
		"role":           "Support agent",
		"description":    "Answers questions about orders",
		"instructions":   "Answer questions about orders. Callers authenticate with Bearer tokens; never ask for one.",
		"path":           "Default Project/support",
		"model":          map[string]any{"id": "openai/gpt-4o-mini"},
		"fallbackModels": []any{map[string]any{"id": "anthropic/claude-haiku-4-5-20251001"}},
		"settings": map[string]any{
			"maxIterations": int64(5),
			"maxCost":       1.5,
			"tools":         []any{map[string]any{"type": "current_date"}},
		},
		"deletionPolicy": "Orphan",
	})
}

func tool(namespace string) *unstructured.Unstructured {
	return object("Tool", namespace, "lookup", map[string]any{
		"path":        "Default Project/tools",
		"description": "Looks up an order",
		"type":        "http",
		"http": map[string]any{"blueprint": map[string]any{
			"url":    "https://orders.example/{{order_id}}",
			"method": "GET",
			"headers": map[string]any{
				"Accept":        map[string]any{"value": "application/json"},
				"X-Api-Version": map[string]any{"value": "2"},
				"Authorization": map[string]any{"valueFrom": map[string]any{
					"secretKeyRef": map[string]any{"name": "orders-api", "key": "token"},
				}},
			},
		}},
		"deletionPolicy": "Orphan",
	})
}

func knowledgeBase(namespace string) *unstructured.Unstructured {
	return object("KnowledgeBase", namespace, "manuals", map[string]any{
		"path":           "Default Project/knowledge",
		"embeddingModel": "openai/text-embedding-3-small",
		"deletionPolicy": "Orphan",
	})
}

func memoryStore(namespace string) *unstructured.Unstructured {
	return object("MemoryStore", namespace, "notes", map[string]any{
		"description":     "What customers told us",
		"embeddingConfig": map[string]any{"model": "openai/text-embedding-3-small"},
		"path":            "Default Project/memory",
		"deletionPolicy":  "Orphan",
	})
}

func schedule(namespace string) *unstructured.Unstructured {
	return object("AgentSchedule", namespace, "daily", map[string]any{
		"agentRef":   map[string]any{"name": "support"},
		"expression": "0 0 9 * * *",
		"payload": map[string]any{
			"input":     "Summarise yesterday's orders.",
			"variables": map[string]any{"region": "EMEA", "days": int64(1), "strict": true, "tags": []any{"daily"}},
			"variablesFrom": []any{map[string]any{
				"name": "apiToken", "secretKeyRef": map[string]any{"name": "reports", "key": "token"},
			}},
		},
		"deletionPolicy": "Orphan",
	})
}

// everyKind returns an object of each orq.ai kind in namespace.
func everyKind(namespace string) []*unstructured.Unstructured {
	return []*unstructured.Unstructured{agent(namespace), tool(namespace), knowledgeBase(namespace), memoryStore(namespace), schedule(namespace)}
}

// with returns a copy of o with the field at path (under the object) set to value, or removed
// when value is nil.
func with(o *unstructured.Unstructured, value any, path ...string) *unstructured.Unstructured {
	c := o.DeepCopy()
	if value == nil {
		unstructured.RemoveNestedField(c.Object, path...)
		return c
	}
	if err := unstructured.SetNestedField(c.Object, value, path...); err != nil {
		panic(err)
	}
	return c
}

func labelled(o *unstructured.Unstructured, key, value string) *unstructured.Unstructured {
	c := o.DeepCopy()
	c.SetLabels(map[string]string{key: value})
	return c
}
