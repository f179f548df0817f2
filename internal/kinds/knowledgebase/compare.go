package knowledgebase

import (
	"github.com/orq-ai/orq-operator/internal/kinds/wire"
	"github.com/orq-ai/orq-operator/internal/orqclient"
)

// Compare lists the fields in which a remote knowledge base differs from the request, as orq
// echoes one: the embedding model as `model`, the retrieval settings with orq's defaults filled,
// and an external knowledge base's API key never (orq does not echo it: a change of its Secret is
// sent by the core, see managed's secretsHash).
func (Kind) Compare(desired orqclient.Body, remote *orqclient.Remote) []string {
	observed := orqclient.Body{}
	for k, v := range remote.Raw {
		observed[k] = v
	}
	observed["embedding_model"] = remote.Raw["model"]
	fields := []string{"key", "type", "path", "description", "embedding_model", "retrieval_settings", "external_config"}
	return wire.Changed(desired, observed, fields, map[string]func(want, have any) bool{
		"path":               wire.SamePath,
		"retrieval_settings": func(want, have any) bool { return wire.Same(withDefaults(want), withDefaults(have)) },
		"external_config":    func(want, have any) bool { return wire.Same(withoutKey(want), withoutKey(have)) },
	})
}

// withDefaults fills retrieval settings with orq's defaults, as the API does.
func withDefaults(v any) any {
	rs, ok := wire.Plain(v).(map[string]any)
	if !ok {
		return v
	}
	def := func(m map[string]any, k string, d any) {
		if m[k] == nil {
			m[k] = d
		}
	}
	def(rs, "retrieval_type", "hybrid_search")
	def(rs, "top_k", 5.0)
	def(rs, "threshold", 0.0)
	if rc, ok := rs["rerank_config"].(map[string]any); ok {
		def(rc, "top_k", 5.0)
		def(rc, "rerank_threshold", 0.5)
	}
	for _, k := range []string{"rerank_config", "agentic_rag_config"} {
		if rs[k] == nil {
			delete(rs, k) // absent and null are one
		}
	}
	return rs
}

// withoutKey is an external configuration without its API key.
func withoutKey(v any) any {
	ec, ok := wire.Plain(v).(map[string]any)
	if ok {
		delete(ec, "api_key")
	}
	return ec
}
