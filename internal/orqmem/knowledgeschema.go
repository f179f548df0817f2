package orqmem

// This file encodes the request schemas of POST /v2/knowledge and
// PATCH /v2/knowledge/{knowledge_id}: each a oneOf of an internal and an
// external variant.

// Knowledge base types.
const (
	knowledgeInternal = "internal"
	knowledgeExternal = "external"
)

// knowledgeConfig is the member each type requires on create.
var knowledgeConfig = map[string]string{knowledgeInternal: "embedding_model", knowledgeExternal: "external_config"}

// knowledgeCreateRule validates POST /v2/knowledge bodies. The variant is
// the one type names; without type (both variants default it) the body is
// the variant whose required member it has. Naming both is ambiguous: the
// two open variants would both match, which oneOf refuses.
func knowledgeCreateRule(p fieldPath, v any) error {
	m, ok := v.(map[string]any)
	if !ok {
		return p.fail(msgObject)
	}
	typ, err := createdKnowledgeType(p, m)
	if err != nil {
		return err
	}
	props := knowledgeCommonProps(typ)
	props["key"] = nonEmptyStr // the document's key is any string; an empty one names nothing
	if typ == knowledgeInternal {
		props["embedding_model"] = str
		return object(props, "key", "embedding_model", "path")(p, v)
	}
	props["external_config"] = externalConfigRule("name", "api_url", "api_key")
	return object(props, "key", "external_config", "path")(p, v)
}

// createdKnowledgeType returns the variant of a create body.
func createdKnowledgeType(p fieldPath, m map[string]any) (string, error) {
	if raw, ok := m["type"]; ok {
		if err := enum(knowledgeInternal, knowledgeExternal)(p.field("type"), raw); err != nil {
			return "", err
		}
		return raw.(string), nil
	}
	_, internal := m[knowledgeConfig[knowledgeInternal]]
	_, external := m[knowledgeConfig[knowledgeExternal]]
	switch {
	case internal && external:
		return "", p.fail("names both embedding_model (internal) and external_config (external): send type")
	case external:
		return knowledgeExternal, nil
	case internal:
		return knowledgeInternal, nil
	}
	return "", p.field("embedding_model").fail("is required (or external_config, for an external knowledge base)")
}

// knowledgeUpdateRule validates PATCH /v2/knowledge/{knowledge_id} bodies.
// type is required: the two variants are open objects with no required
// member, so a body without type matches both, which oneOf refuses. That
// the type is the knowledge base's own is checked against the stored one.
func knowledgeUpdateRule(p fieldPath, v any) error {
	m, ok := v.(map[string]any)
	if !ok {
		return p.fail(msgObject)
	}
	raw, ok := m["type"]
	if !ok {
		return p.field("type").fail("is required: the knowledge base's type, internal or external")
	}
	if err := enum(knowledgeInternal, knowledgeExternal)(p.field("type"), raw); err != nil {
		return err
	}
	props := knowledgeCommonProps(raw.(string))
	props["settings"] = knowledgeSettingsRule()
	props["domain_id"] = str
	// The update schema has no key: it cannot change (as a memory store's,
	// which the document calls immutable). Refused rather than ignored.
	props["key"] = immutable("a knowledge base's key cannot change")
	if raw == knowledgeInternal {
		props["embedding_model"] = str
	} else {
		props["external_config"] = externalConfigRule()
	}
	return object(props)(p, v)
}

// knowledgeCommonProps are the members both requests give a type.
func knowledgeCommonProps(typ string) props {
	return props{
		"type":               nil, // checked by the caller
		"description":        nullable(str),
		"path":               str,
		"retrieval_settings": retrievalSettingsRule(typ == knowledgeInternal),
	}
}

// externalConfigRule validates external_config with the required members.
func externalConfigRule(required ...string) rule {
	return object(props{"name": str, "api_url": uri, "api_key": str}, required...)
}

// retrievalSettingsRule validates retrieval_settings; only an internal
// knowledge base has a retrieval_type.
func retrievalSettingsRule(internal bool) rule {
	p := props{
		"top_k":     bounds{min: lim(0), exclusiveMin: true, integer: true}.rule(),
		"threshold": bounds{min: lim(0), max: lim(1)}.rule(),
		"rerank_config": nullable(object(props{
			"top_k":            bounds{min: lim(1), max: lim(100), integer: true}.rule(),
			"rerank_threshold": bounds{min: lim(0), max: lim(1)}.rule(),
			"rerank_model":     str,
		}, "rerank_model")),
		"agentic_rag_config": nullable(object(props{"model": str}, "model")),
	}
	if internal {
		p["retrieval_type"] = enum(retrievalTypes...)
	}
	return object(p)
}

// retrievalTypes are the values of retrieval_settings.retrieval_type.
var retrievalTypes = []string{"vector_search", "keyword_search", "hybrid_search"}

// knowledgeSettingsRule validates the update's settings. The document types
// retrieval_config and agentic_rag_config there as any JSON value, but the
// Knowledge answer types them (InternalRetrievalConfig, AgenticRagConfig);
// orqmem accepts only what it can answer.
func knowledgeSettingsRule() rule {
	return object(props{
		"embeddings_config": object(props{
			"provider": str, "model": str, "model_db_id": str, "model_type": str, "integration_id": str,
			"model_parameters": object(props{"encoding_format": str, "dimensions": integer}),
		}),
		"retrieval_config": object(props{
			"type": str, "top_k": integer, "threshold": number,
			"rerank_config": object(props{
				"enabled": boolean, "provider": str, "top_k": integer, "model": str, "model_db_id": str,
				"model_type": str, "integration_id": str, "model_parameters": object(props{"threshold": number}),
			}),
		}),
		"agentic_rag_config": object(props{"model_db_id": str, "provider": str, "integration_id": str, "model": str}),
	})
}

// immutable refuses a member with a reason.
func immutable(reason string) rule {
	return func(p fieldPath, _ any) error { return p.fail("cannot be changed: %s", reason) }
}
