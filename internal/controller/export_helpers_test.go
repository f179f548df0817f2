package controller

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/yaml"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
	"github.com/orq-ai/orq-operator/internal/managed"
)

// exportWorkspace is what seedExportWorkspace made: the keys and ids of its remote objects, and
// the ids agents name some of them by.
type exportWorkspace struct {
	keys, ids                 []string
	faqID, searchID, lookupID string
}

// seedExportWorkspace creates, as the orq studio would, a memory store, an internal and an
// external knowledge base, a function tool and an http tool with a header orq keeps encrypted.
func seedExportWorkspace() exportWorkspace {
	GinkgoHelper()
	var w exportWorkspace
	seed := func(create func(string) (map[string]any, error), body string) string {
		doc, err := create(body)
		Expect(err).NotTo(HaveOccurred())
		w.keys = append(w.keys, doc["key"].(string))
		w.ids = append(w.ids, doc["_id"].(string))
		return doc["_id"].(string)
	}
	seed(orqAPI.SeedMemoryStore, `{"key":"export_prefs","embedding_config":{"model":"openai/text-embedding-3-small"},"description":"What each customer prefers","path":"Default"}`)
	w.faqID = seed(orqAPI.SeedKnowledgeBase, `{"key":"export-faq","embedding_model":"openai/text-embedding-3-small","path":"Default/knowledge",
	  "description":"Questions","retrieval_settings":{"top_k":8}}`)
	w.searchID = seed(orqAPI.SeedKnowledgeBase, `{"key":"export-search","type":"external","path":"Default",
	  "external_config":{"name":"Search","api_url":"https://search.example","api_key":"s3cret-kb-key"}}`)
	lookup := seed(orqAPI.SeedTool, `{"path":"Default/tools","key":"export-lookup","description":"Looks up an order","type":"function",
	  "function":{"name":"lookup_order","parameters":{"type":"object","properties":{"id":{"type":"string"}},"required":["id"]}}}`)
	w.lookupID = strings.TrimPrefix(lookup, "tool_") // agents name a tool by the ULID of its id
	seed(orqAPI.SeedTool, `{"path":"Default","key":"export-orders","display_name":"Orders","description":"Calls the orders API","type":"http",
	  "http":{"blueprint":{"url":"https://orders.example/{{id}}","method":"GET","headers":{
	    "Authorization":{"value":"Bearer s3cret-header","encrypted":true},"Accept":{"value":"application/json"}}},
	  "arguments":{"id":{"type":"string","description":"The order"}}}}`)
	return w
}

// exportedObjects decodes, of an exported stream, the objects whose remote objects have these
// keys (the suite's workspace holds the objects of other specs too).
func exportedObjects(stream []byte, keys []string) []managed.Object {
	GinkgoHelper()
	var out []managed.Object
	for _, doc := range bytes.Split(stream, []byte("\n---\n")) {
		var meta metav1.TypeMeta
		Expect(yaml.Unmarshal(doc, &meta)).To(Succeed())
		kind, ok := Kinds().Get(meta.Kind)
		Expect(ok).To(BeTrue(), "an exported %s", meta.Kind)
		o := kind.New()
		Expect(yaml.UnmarshalStrict(doc, o)).To(Succeed())
		if slices.Contains(keys, o.RemoteKey()) {
			out = append(out, o)
		}
	}
	return out
}

// createExportedSecrets creates the Secrets the objects name, each key holding values[key].
func createExportedSecrets(ctx context.Context, ns string, objects []managed.Object, values map[string]string) {
	GinkgoHelper()
	secrets := map[string]map[string][]byte{}
	add := func(ref orqv1alpha1.SecretKeyReference) {
		if secrets[ref.Name] == nil {
			secrets[ref.Name] = map[string][]byte{}
		}
		Expect(values).To(HaveKey(ref.Key))
		secrets[ref.Name][ref.Key] = []byte(values[ref.Key])
	}
	for _, o := range objects {
		switch t := o.(type) {
		case *orqv1alpha1.Tool:
			if t.Spec.HTTP != nil {
				for _, h := range t.Spec.HTTP.Blueprint.Headers {
					if h.ValueFrom != nil {
						add(h.ValueFrom.SecretKeyRef)
					}
				}
			}
		case *orqv1alpha1.KnowledgeBase:
			if t.Spec.ExternalConfig != nil {
				add(t.Spec.ExternalConfig.APIKeySecretRef)
			}
		case *orqv1alpha1.AgentSchedule:
			for _, v := range t.Spec.Payload.VariablesFrom {
				add(v.SecretKeyRef)
			}
		}
	}
	Expect(secrets).To(HaveLen(3), "a Secret for the http tool's header, one for the external knowledge base's key, one for the schedule's variable")
	for name, data := range secrets {
		Expect(k8s.Create(ctx, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}, Data: data})).To(Succeed())
	}
}

// writesAbout lists, as "METHOD path", the recorded writes that concern a remote object of one
// of these keys or ids: at its path, or creating it (a schedule under the agent of a key too).
func writesAbout(keys, ids []string) []string {
	var out []string
	for _, r := range orqAPI.Requests() {
		if r.Method == http.MethodGet {
			continue
		}
		last := r.Path[strings.LastIndex(r.Path, "/")+1:]
		var body struct {
			Key string `json:"key"`
		}
		_ = json.Unmarshal(r.Body, &body)
		underAgent := slices.ContainsFunc(keys, func(k string) bool { return strings.HasPrefix(r.Path, "/v3/agents/"+k+"/schedules") })
		if slices.Contains(keys, last) || slices.Contains(ids, last) || underAgent || (r.Method == http.MethodPost && slices.Contains(keys, body.Key)) {
			out = append(out, r.Method+" "+r.Path)
		}
	}
	return out
}
