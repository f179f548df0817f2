package orqmem

import (
	"net/http"
	"net/url"
	"regexp"
)

// This file serves the memory stores: /v2/memory-stores and
// /v2/memory-stores/{memory_store_key}, addressed by key (memories and
// documents are not served).

// Memory store routes.
const (
	memoryStoresPath = "/v2/memory-stores"
	memoryStoreItem  = "/v2/memory-stores/{memory_store_key}"
)

// memoryStoreKeyPattern is a memory store key: dots and underscores, no '-'.
var memoryStoreKeyPattern = regexp.MustCompile(`^[A-Za-z]([A-Za-z0-9]*([._][A-Za-z0-9]+)*)?$`)

var (
	// memoryStoreCreateRule validates POST /v2/memory-stores bodies.
	memoryStoreCreateRule = object(props{
		"key":              strSpec{minLen: 1, maxLen: 255, pattern: memoryStoreKeyPattern}.rule(),
		"embedding_config": object(props{"model": str}, "model"),
		"description":      str,
		"ttl":              nullable(number),
		"path":             str,
	}, "key", "embedding_config", "description", "path")

	// memoryStoreUpdateRule validates PATCH bodies: description, ttl, path
	// and project_id (an SDK addition, see sdkadditions.go). The schema is
	// open, so it would ignore key and embedding_config; the document calls
	// the key immutable, and orqmem refuses both rather than answer 200
	// without the change.
	memoryStoreUpdateRule = object(props{
		"description":      str,
		"ttl":              nullable(number),
		"path":             str,
		"project_id":       str,
		"key":              immutable("a memory store's key is immutable"),
		"embedding_config": immutable("a memory store's embedding model cannot change"),
	})
)

// newMemoryStoreKind describes the memory stores collection.
func (s *Server) newMemoryStoreKind() *kind {
	return &kind{
		col: s.memoryStores, route: memoryStoresPath, item: memoryStoreItem, byKey: true,
		created: http.StatusCreated, deleted: http.StatusNoContent, // as documented
		limits:     listLimits{max: maxLimit, def: 10}, // the document's bounds and default
		createRule: memoryStoreCreateRule, updateRule: memoryStoreUpdateRule,
		build: buildMemoryStore, patch: patchMemoryStore, view: memoryStoreView,
		filter:   func(q url.Values) (func(*entry) bool, error) { return commonFilter(q), nil },
		notFound: notFoundMessage("Memory store"), usedBy: agentsUsingMemoryStore,
	}
}

// buildMemoryStore makes a memory store from a create body. Its path places
// it in a project but is not answered: the MemoryStore answer has no path
// and no project.
func buildMemoryStore(s *Server, sc scope, req map[string]any) (*entry, error) {
	path, projectID, err := s.placeNew(sc, req["path"].(string), s.newID)
	if err != nil {
		return nil, err
	}
	key := req["key"].(string)
	doc := map[string]any{
		"key": key, "description": req["description"], "embedding_config": req["embedding_config"],
		"created_by_id": nil, "updated_by_id": nil,
	}
	if ttl, ok := req["ttl"]; ok {
		doc["ttl"] = ttl
	}
	return &entry{key: key, projectID: projectID, path: path, doc: doc}, nil
}

// patchMemoryStore applies an update body.
func patchMemoryStore(s *Server, sc scope, next *entry, req map[string]any) error {
	path, projectID, moved, err := s.move(sc, next.path, req, "project_id", s.newID)
	if err != nil {
		return err
	}
	if moved {
		next.path, next.projectID = path, projectID
	}
	for _, f := range []string{"description", "ttl"} {
		if v, ok := req[f]; ok {
			next.doc[f] = v
		}
	}
	return nil
}

// memoryStoreView renders a memory store: the same for every caller.
func memoryStoreView(_ scope, e *entry) map[string]any { return e.doc }
