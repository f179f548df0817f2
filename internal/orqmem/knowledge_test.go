package orqmem_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/orq-ai/orq-operator/internal/orqmem"
)

// externalBody returns a minimal external POST /v2/knowledge body.
func externalBody(key string) body {
	return body{"type": "external", "key": key, "path": "Default",
		"external_config": map[string]any{"name": "Docs", "api_url": "https://kb.example/api", "api_key": "s3cret"}}
}

func TestKnowledgeCreateEcho(t *testing.T) {
	h := newHarness(t, orqmem.Options{})
	internal := h.post("/v2/knowledge", knowledgeBody("faq").set("description", "FAQ"), http.StatusOK)
	if id, _ := internal["_id"].(string); !ulidPattern.MatchString(id) {
		t.Errorf("_id %q is not a ULID", id)
	}
	for _, f := range []string{"_id", "created", "updated"} {
		delete(internal, f)
	}
	jsonEqual(t, "internal", internal, `{"key":"faq","description":"FAQ","type":"internal","path":"Default",
	  "domain_id":"`+orqmem.DefaultProjectID+`","created_by_id":null,"updated_by_id":null,
	  "model":"openai/text-embedding-3-small",
	  "retrieval_settings":{"retrieval_type":"hybrid_search","top_k":5,"threshold":0}}`)

	external := h.post("/v2/knowledge", externalBody("docs"), http.StatusOK)
	jsonEqual(t, "external_config (never the api_key)", external["external_config"], `{"name":"Docs","api_url":"https://kb.example/api"}`)
	jsonEqual(t, "external retrieval_settings", external["retrieval_settings"], `{"top_k":5,"threshold":0}`)
	if strings.Contains(string(h.do(http.MethodGet, "/v2/knowledge/"+external["_id"].(string), "").body), "s3cret") {
		t.Error("the api_key is answered")
	}

	rs := h.post("/v2/knowledge", knowledgeBody("tuned").set("retrieval_settings", raw(`{"retrieval_type":"vector_search","top_k":3,
	  "rerank_config":{"rerank_model":"cohere/rerank"},"agentic_rag_config":null}`)), http.StatusOK)
	jsonEqual(t, "retrieval_settings", rs["retrieval_settings"], `{"retrieval_type":"vector_search","top_k":3,"threshold":0,
	  "rerank_config":{"rerank_model":"cohere/rerank","top_k":5,"rerank_threshold":0.5},"agentic_rag_config":null}`)

	// Without type the variant is the one whose configuration is sent.
	untyped := h.post("/v2/knowledge", externalBody("untyped").del("type"), http.StatusOK)
	jsonEqual(t, "type", untyped["type"], `"external"`)
	mustStatus(t, h.do(http.MethodPost, "/v2/knowledge", knowledgeBody("faq").String()), http.StatusConflict)
	mustStatus(t, h.do(http.MethodGet, "/v2/knowledge/faq", ""), http.StatusNotFound) // by id only
}

func TestKnowledgeValidation(t *testing.T) {
	h := newHarness(t, orqmem.Options{})
	rs := func(v string) body { return knowledgeBody("k").set("retrieval_settings", raw(v)) }
	cases := []struct {
		name     string
		b        body
		wantPath string
	}{
		{"no key", knowledgeBody("k").del("key"), "key"},
		{"empty key", knowledgeBody(""), "key"},
		{"no path", knowledgeBody("k").del("path"), "path"},
		{"no embedding model", knowledgeBody("k").del("embedding_model"), "embedding_model"},
		{"neither configuration", knowledgeBody("k").del("embedding_model").del("type"), "embedding_model"},
		{"both configurations without type", externalBody("k").del("type").set("embedding_model", "m"), "body"},
		{"unknown type", knowledgeBody("k").set("type", "hybrid"), "type"},
		{"retrieval type", rs(`{"retrieval_type":"fuzzy"}`), "retrieval_settings.retrieval_type"},
		{"top_k 0", rs(`{"top_k":0}`), "retrieval_settings.top_k"},
		{"top_k 1.5", rs(`{"top_k":1.5}`), "retrieval_settings.top_k"},
		{"threshold 1.1", rs(`{"threshold":1.1}`), "retrieval_settings.threshold"},
		{"rerank top_k 0", rs(`{"rerank_config":{"rerank_model":"m","top_k":0}}`), "retrieval_settings.rerank_config.top_k"},
		{"rerank top_k 101", rs(`{"rerank_config":{"rerank_model":"m","top_k":101}}`), "retrieval_settings.rerank_config.top_k"},
		{"rerank threshold -0.1", rs(`{"rerank_config":{"rerank_model":"m","rerank_threshold":-0.1}}`), "retrieval_settings.rerank_config.rerank_threshold"},
		{"rerank without model", rs(`{"rerank_config":{"top_k":3}}`), "retrieval_settings.rerank_config.rerank_model"},
		{"agentic rag without model", rs(`{"agentic_rag_config":{}}`), "retrieval_settings.agentic_rag_config.model"},
		{"external without api_key", externalBody("k").set("external_config", raw(`{"name":"n","api_url":"https://x.example"}`)), "external_config.api_key"},
		{"external api_url no URI", externalBody("k").set("external_config", raw(`{"name":"n","api_url":"kb.example","api_key":"k"}`)), "external_config.api_url"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := h.do(http.MethodPost, "/v2/knowledge", c.b.String())
			mustStatus(t, res, http.StatusBadRequest)
			if msg := res.message(t); !strings.HasPrefix(msg, c.wantPath+": ") {
				t.Errorf("message %q does not start with %q", msg, c.wantPath+": ")
			}
		})
	}
	if n := len(h.fake.KnowledgeBases()); n != 0 {
		t.Errorf("%d knowledge bases stored from invalid bodies", n)
	}
}

func TestKnowledgeUpdate(t *testing.T) {
	h := newHarness(t, orqmem.Options{})
	kb := h.post("/v2/knowledge", knowledgeBody("faq").set("retrieval_settings", raw(`{"top_k":3,"threshold":0.2}`)), http.StatusOK)
	path := "/v2/knowledge/" + kb["_id"].(string)
	res := h.do(http.MethodPatch, path, `{"type":"internal","description":null,"embedding_model":"openai/text-embedding-3-large",
	  "retrieval_settings":{"top_k":8},"settings":{"embeddings_config":{"model":"m","model_parameters":{"dimensions":256}}}}`)
	mustStatus(t, res, http.StatusOK)
	got := res.json(t)
	jsonEqual(t, "model", got["model"], `"openai/text-embedding-3-large"`)
	jsonEqual(t, "description", got["description"], `null`)
	jsonEqual(t, "retrieval_settings (omitted members kept)", got["retrieval_settings"], `{"retrieval_type":"hybrid_search","top_k":8,"threshold":0.2}`)
	jsonEqual(t, "settings", got["settings"], `{"embeddings_config":{"model":"m","model_parameters":{"dimensions":256}}}`)
	if _, ok := got["embedding_model"]; ok || got["updated"] == kb["updated"] {
		t.Errorf("embedding_model echoed or updated unchanged: %s", res.body)
	}
	same := h.do(http.MethodPatch, path, `{"type":"internal","retrieval_settings":{"top_k":8}}`).json(t)
	if same["updated"] != got["updated"] {
		t.Error("an update changing nothing moved updated")
	}

	bad := map[string]string{
		`{"description":"d"}`:                                   "type: is required: the knowledge base's type, internal or external",
		`{"type":"external"}`:                                   `type: must be "internal": a knowledge base's type cannot change`,
		`{"type":"internal","key":"other"}`:                     "key: cannot be changed: a knowledge base's key cannot change",
		`{"type":"internal","retrieval_settings":{"top_k":0}}`:  "retrieval_settings.top_k: must be > 0",
		`{"type":"internal","settings":{"retrieval_config":1}}`: "settings.retrieval_config: must be an object",
	}
	for b, want := range bad {
		res := h.do(http.MethodPatch, path, b)
		if res.status != http.StatusBadRequest || res.message(t) != want {
			t.Errorf("%s: %d %s, want 400 %q", b, res.status, res.body, want)
		}
	}

	ext := h.post("/v2/knowledge", externalBody("docs"), http.StatusOK)
	res = h.do(http.MethodPatch, "/v2/knowledge/"+ext["_id"].(string), `{"type":"external","external_config":{"api_key":"rotated","name":"Docs 2"}}`)
	mustStatus(t, res, http.StatusOK)
	jsonEqual(t, "external_config", res.json(t)["external_config"], `{"name":"Docs 2","api_url":"https://kb.example/api"}`)
	if strings.Contains(string(res.body), "rotated") {
		t.Error("the new api_key is answered")
	}
	mustStatus(t, h.do(http.MethodPatch, "/v2/knowledge/01JJ1HDHN79XAS7A01WB3HYSDB", `{"type":"internal"}`), http.StatusNotFound)
}

func TestKnowledgeMovesByDomainID(t *testing.T) {
	h := scopedHarness(t)
	sales := h.projectOf("sales-agent", "Sales/x")
	kb := h.post("/v2/knowledge", knowledgeBody("faq").set("path", "Default/kb"), http.StatusOK)
	path := "/v2/knowledge/" + kb["_id"].(string)
	mustStatus(t, h.doWithToken(http.MethodGet, path, "", salesKey), http.StatusNotFound)
	res := h.do(http.MethodPatch, path, `{"type":"internal","domain_id":"`+sales+`"}`)
	mustStatus(t, res, http.StatusOK)
	got := res.json(t)
	if got["path"] != "Sales/kb" || got["domain_id"] != sales {
		t.Errorf("moved: path %v, domain_id %v", got["path"], got["domain_id"])
	}
	seen := h.doWithToken(http.MethodGet, path, "", salesKey)
	mustStatus(t, seen, http.StatusOK)
	jsonEqual(t, "path seen by the Sales key", seen.json(t)["path"], `"kb"`)
	res = h.doWithToken(http.MethodPatch, path, `{"type":"internal","domain_id":"`+orqmem.DefaultProjectID+`"}`, salesKey)
	if res.status != http.StatusNotFound || res.message(t) != "Project not found" {
		t.Errorf("moving out of the key's project: %d %s", res.status, res.body)
	}
}

func TestKnowledgeDelete(t *testing.T) {
	h := newHarness(t, orqmem.Options{})
	kb := h.post("/v2/knowledge", knowledgeBody("faq"), http.StatusOK)
	path := "/v2/knowledge/" + kb["_id"].(string)
	h.create(baseBody("by-key").set("knowledge_bases", raw(`[{"knowledge_id":"faq"}]`)))
	h.create(baseBody("by-id").set("knowledge_bases", raw(`[{"knowledge_id":"`+kb["_id"].(string)+`"}]`)))
	res := h.do(http.MethodDelete, path, "")
	if res.status != http.StatusConflict || res.message(t) != `Knowledge base "faq" is used by agents: by-id, by-key` {
		t.Fatalf("delete of a used knowledge base: %d %s", res.status, res.body)
	}
	for _, a := range []string{"by-id", "by-key"} {
		mustStatus(t, h.do(http.MethodPatch, "/v2/agents/"+a, `{"knowledge_bases":[]}`), http.StatusOK)
	}
	res = h.do(http.MethodDelete, path, "")
	if res.status != http.StatusNoContent || len(res.body) != 0 {
		t.Errorf("delete: %d %q", res.status, res.body)
	}
	mustStatus(t, h.do(http.MethodGet, path, ""), http.StatusNotFound)
}

func TestKnowledgeListFilters(t *testing.T) {
	h := scopedHarness(t)
	h.post("/v2/knowledge", knowledgeBody("Product-FAQ"), http.StatusOK)
	h.post("/v2/knowledge", externalBody("faq-external"), http.StatusOK)
	sales := h.post("/v2/knowledge", knowledgeBody("sales-docs").set("path", "Sales"), http.StatusOK)
	cases := map[string]string{
		"":                          "sales-docs,faq-external,Product-FAQ",
		"?type=external":            "faq-external",
		"?search=faq":               "faq-external,Product-FAQ",
		"?search=FAQ&type=internal": "Product-FAQ",
		"?project_id=" + sales["domain_id"].(string): "sales-docs",
		"?updated_by=someone":                        "",
	}
	for q, want := range cases {
		res := h.do(http.MethodGet, "/v2/knowledge"+q, "")
		mustStatus(t, res, http.StatusOK)
		if got := keysOf(t, res); got != want {
			t.Errorf("list%s: %s, want %s", q, got, want)
		}
	}
	mustStatus(t, h.do(http.MethodGet, "/v2/knowledge?type=both", ""), http.StatusBadRequest)
	if got := keysOf(t, h.doWithToken(http.MethodGet, "/v2/knowledge", "", salesKey)); got != "sales-docs" {
		t.Errorf("the Sales key lists %s", got)
	}
}
