package orqmem

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
)

// This file serves the knowledge bases: /v2/knowledge and
// /v2/knowledge/{knowledge_id}, addressed by _id only (datasources, chunks
// and search are not served).

// Knowledge base routes.
const (
	knowledgePath = "/v2/knowledge"
	knowledgeItem = "/v2/knowledge/{knowledge_id}"
)

// newKnowledgeKind describes the knowledge bases collection.
func (s *Server) newKnowledgeKind() *kind {
	return &kind{
		col: s.knowledge, route: knowledgePath, item: knowledgeItem,
		created: http.StatusOK, deleted: http.StatusNoContent, // as documented
		limits:     listLimits{max: 300, def: 25}, // the document's bounds and default
		createRule: knowledgeCreateRule, updateRule: knowledgeUpdateRule,
		build: buildKnowledge, patch: patchKnowledge, view: pathView, filter: knowledgeFilter,
		notFound: notFoundMessage("Knowledge base"), usedBy: agentsUsingKnowledge,
	}
}

// buildKnowledge makes a knowledge base from a create body. The embedding
// model is answered as model; an external base's api_key is kept but never
// answered: the answer's external_config names only name and api_url, and
// the key is a secret.
func buildKnowledge(s *Server, sc scope, req map[string]any) (*entry, error) {
	path, projectID, err := s.placeNew(sc, req["path"].(string), s.newID)
	if err != nil {
		return nil, err
	}
	typ, _ := createdKnowledgeType("", req)
	key := req["key"].(string)
	doc := map[string]any{
		"key": key, "type": typ, "path": path, "domain_id": projectID,
		"created_by_id": nil, "updated_by_id": nil,
	}
	if d, ok := req["description"]; ok {
		doc["description"] = d
	}
	e := &entry{key: key, projectID: projectID, path: path, doc: doc, private: map[string]any{}}
	if typ == knowledgeInternal {
		doc["model"] = req["embedding_model"]
	} else {
		setExternalConfig(e, req["external_config"].(map[string]any))
	}
	sent, _ := req["retrieval_settings"].(map[string]any)
	doc["retrieval_settings"] = retrievalSettings(typ, nil, sent)
	return e, nil
}

// patchKnowledge applies an update body; omitted members keep their
// values, retrieval_settings and external_config member by member.
func patchKnowledge(s *Server, sc scope, next *entry, req map[string]any) error {
	typ := next.str("type")
	if req["type"] != typ {
		return fieldPath("type").fail("must be %q: a knowledge base's type cannot change", typ)
	}
	path, projectID, moved, err := s.move(sc, next.path, req, "domain_id", s.newID)
	if err != nil {
		return err
	}
	if moved {
		next.path, next.projectID = path, projectID
		next.doc["path"], next.doc["domain_id"] = path, projectID
	}
	if d, ok := req["description"]; ok {
		next.doc["description"] = d
	}
	if m, ok := req["embedding_model"]; ok {
		next.doc["model"] = m
	}
	if c, ok := req["external_config"].(map[string]any); ok {
		setExternalConfig(next, c)
	}
	if sent, ok := req["retrieval_settings"].(map[string]any); ok {
		stored, _ := next.doc["retrieval_settings"].(map[string]any)
		next.doc["retrieval_settings"] = retrievalSettings(typ, stored, sent)
	}
	if sent, ok := req["settings"].(map[string]any); ok {
		settings, _ := next.doc["settings"].(map[string]any)
		settings = copyMap(settings)
		for k, v := range sent {
			settings[k] = v
		}
		next.doc["settings"] = settings
	}
	return nil
}

// setExternalConfig merges sent into e's external_config, keeping the
// api_key apart.
func setExternalConfig(e *entry, sent map[string]any) {
	cfg, _ := e.doc["external_config"].(map[string]any)
	cfg = copyMap(cfg)
	for k, v := range sent {
		if k == "api_key" {
			e.private[k] = v
			continue
		}
		cfg[k] = v
	}
	e.doc["external_config"] = cfg
}

// retrievalSettings merges sent over stored (nil on create: the defaults)
// and fills the document's defaults: hybrid search (internal bases only),
// top_k 5, threshold 0; a rerank configuration's top_k 5 and
// rerank_threshold 0.5.
func retrievalSettings(typ string, stored, sent map[string]any) map[string]any {
	out := copyMap(stored)
	if stored == nil {
		out = map[string]any{"top_k": json.Number("5"), "threshold": json.Number("0")}
		if typ == knowledgeInternal {
			out["retrieval_type"] = "hybrid_search"
		}
	}
	for k, v := range sent {
		if k == "retrieval_type" && typ != knowledgeInternal {
			continue // not a member of an external base's settings
		}
		out[k] = v
	}
	if rerank, ok := sent["rerank_config"].(map[string]any); ok {
		rerank = copyMap(rerank)
		for k, def := range map[string]any{"top_k": json.Number("5"), "rerank_threshold": json.Number("0.5")} {
			if _, set := rerank[k]; !set {
				rerank[k] = def
			}
		}
		out["rerank_config"] = rerank
	}
	return out
}

// knowledgeFilter returns the list predicate of the query's type, search,
// project_id and updated_by parameters, implemented simply (the operator
// must not rely on them): search is a case-insensitive substring of the
// key; updated_by lists user ids, and orqmem's objects have none.
func knowledgeFilter(q url.Values) (func(*entry) bool, error) {
	typ, hasType := q["type"]
	if hasType {
		if err := enum(knowledgeInternal, knowledgeExternal)("type", typ[0]); err != nil || len(typ) != 1 {
			return nil, fieldPath("type").fail("must be one of: internal, external")
		}
	}
	common := commonFilter(q)
	return func(e *entry) bool {
		return common(e) && (!hasType || e.str("type") == typ[0])
	}, nil
}

// commonFilter returns the predicate of the search, project_id and
// updated_by parameters shared by knowledge bases and memory stores.
func commonFilter(q url.Values) func(*entry) bool {
	search := strings.ToLower(q.Get("search"))
	project, hasProject := q["project_id"]
	_, hasUpdatedBy := q["updated_by"]
	return func(e *entry) bool {
		return strings.Contains(strings.ToLower(e.key), search) &&
			(!hasProject || e.projectID == project[0]) && !hasUpdatedBy
	}
}
