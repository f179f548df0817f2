package export

import (
	"bytes"
	"context"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"k8s.io/utils/ptr"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
	knowledgebasekind "github.com/orq-ai/orq-operator/internal/kinds/knowledgebase"
	"github.com/orq-ai/orq-operator/internal/managed"
	"github.com/orq-ai/orq-operator/internal/orqclient"
)

// remoteKB is a knowledge base as orq answers it, its members given as JSON.
func remoteKB(t *testing.T, doc string) orqclient.Remote {
	t.Helper()
	var body orqclient.Body
	if err := json.Unmarshal([]byte(doc), &body); err != nil {
		t.Fatal(err)
	}
	for k, v := range map[string]any{"_id": "kb_01" + body["key"].(string), "domain_id": "p1",
		"created": "2026-01-01T00:00:00Z", "updated": "2026-01-01T00:00:00Z", "created_by_id": nil, "updated_by_id": nil} {
		body[k] = v
	}
	return *orqclient.DecodeRemote(body)
}

// An internal knowledge base is exported with its embedding model (echoed as `model`) and the
// retrieval settings that differ from orq's defaults; applied, it compares equal.
func TestInternalKnowledgeBaseSpecs(t *testing.T) {
	cases := []struct {
		name, doc string
		want      orqv1alpha1.KnowledgeBaseSpec
	}{{
		name: "every retrieval setting orq's default",
		doc: `{"key":"faq","type":"internal","path":"Default/knowledge","model":"openai/text-embedding-3-small",
			"retrieval_settings":{"retrieval_type":"hybrid_search","top_k":5,"threshold":0}}`,
		want: orqv1alpha1.KnowledgeBaseSpec{Key: "faq", Path: "Default/knowledge", EmbeddingModel: "openai/text-embedding-3-small"},
	}, {
		name: "settings of its own, a rerank with one default",
		doc: `{"key":"Docs KB","type":"internal","path":"Default","description":"The docs","model":"cohere/embed-v4",
			"retrieval_settings":{"retrieval_type":"vector_search","top_k":8,"threshold":0.2,
				"rerank_config":{"rerank_model":"cohere/rerank-v3.5","top_k":5,"rerank_threshold":0.7},
				"agentic_rag_config":{"model":"openai/gpt-4o-mini"}}}`,
		want: orqv1alpha1.KnowledgeBaseSpec{Key: "Docs KB", Path: "Default", Description: "The docs", EmbeddingModel: "cohere/embed-v4",
			RetrievalSettings: &orqv1alpha1.RetrievalSettings{RetrievalType: "vector_search", TopK: ptr.To[int64](8), Threshold: ptr.To(0.2),
				RerankConfig:     &orqv1alpha1.RerankConfig{RerankModel: "cohere/rerank-v3.5", RerankThreshold: ptr.To(0.7)},
				AgenticRagConfig: &orqv1alpha1.AgenticRagConfig{Model: "openai/gpt-4o-mini"}}},
	}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := remoteKB(t, tc.doc)
			res := exportAll(t, fakeLister{knowledgebasekind.Endpoint.Path: {r}}, Options{})
			if len(res.Manifests) != 1 {
				t.Fatalf("manifests: %d (skipped: %v)", len(res.Manifests), res.Skipped)
			}
			kb := res.Manifests[0].Object.(*orqv1alpha1.KnowledgeBase)
			tc.want.AdoptionPolicy = orqv1alpha1.AdoptionPolicyAdopt
			if !reflect.DeepEqual(sameJSON(t, kb.Spec), sameJSON(t, tc.want)) {
				t.Errorf("spec\n got %s\nwant %s", mustJSON(t, kb.Spec), mustJSON(t, tc.want))
			}
			kind := knowledgebasekind.Kind{}
			desired, err := kind.Desired(context.Background(), &managed.Inputs{}, applied(t, kb))
			if err != nil {
				t.Fatal(err)
			}
			if d := kind.Compare(desired.Body, &r); len(d) != 0 {
				t.Errorf("applied, the KnowledgeBase differs from its knowledge base in %v", d)
			}
		})
	}
}

// An external knowledge base's API key is never exported, even were orq to echo it: it comes
// from the Secret <name>-api-key, which the notes say to create, and the KnowledgeBase only
// observes until then.
func TestExternalKnowledgeBaseAPIKeyIsNeverExported(t *testing.T) {
	r := remoteKB(t, `{"key":"search","type":"external","path":"Default","retrieval_settings":{"top_k":5,"threshold":0},
		"external_config":{"name":"Search","api_url":"https://search.example","api_key":"kb-s3cret"}}`)
	res := exportAll(t, fakeLister{knowledgebasekind.Endpoint.Path: {r}}, Options{Namespace: "team"})
	var out bytes.Buffer
	if err := Write(&out, res.Manifests); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.String(), "s3cret") {
		t.Fatalf("the API key is in the export:\n%s", out.String())
	}
	kb := objectsOf[orqv1alpha1.KnowledgeBase](res)["search"]
	want := orqv1alpha1.KnowledgeBaseSpec{Key: "search", Type: "external", Path: "Default",
		ExternalConfig: &orqv1alpha1.ExternalKnowledgeConfig{Name: "Search", APIURL: "https://search.example",
			APIKeySecretRef: orqv1alpha1.SecretKeyReference{Name: "search-api-key", Key: "apiKey"}},
		Lifecycle: observe()}
	if kb == nil || !reflect.DeepEqual(kb.Spec, want) {
		t.Fatalf("spec = %+v, want %+v", kb, want)
	}
	if !strings.Contains(out.String(), "kubectl create secret generic search-api-key -n team --from-literal=apiKey=...") {
		t.Errorf("the export does not say how to create the Secret:\n%s", out.String())
	}
}

// A knowledge base the KnowledgeBase kind cannot hold is left out, saying why.
func TestKnowledgeBasesLeftOut(t *testing.T) {
	res := exportAll(t, fakeLister{knowledgebasekind.Endpoint.Path: {
		remoteKB(t, `{"key":"odd","type":"internal","path":"Default","model":"m","retrieval_settings":{"top_k":2.5}}`),
		remoteKB(t, `{"key":"graph","type":"graph","path":"Default"}`),
	}}, Options{})
	want := []string{"knowledge base graph: of type \"graph\"", "knowledge base odd: retrieval_settings: top_k is 2.5, not a whole number"}
	if len(res.Manifests) != 0 || len(res.Skipped) != 2 {
		t.Fatalf("manifests %d, skipped %q", len(res.Manifests), res.Skipped)
	}
	for i, w := range want {
		if !strings.HasPrefix(res.Skipped[i], w) {
			t.Errorf("skipped[%d] = %q, want it to start with %q", i, res.Skipped[i], w)
		}
	}
}
