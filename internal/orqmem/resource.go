package orqmem

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// This file serves the /v2 collections other than agents (tools, knowledge
// bases, memory stores) with one set of handlers: GET and POST on the
// collection's route, GET, PATCH and DELETE on an item below it. A kind
// supplies what differs.

// kind describes one collection served by the generic handlers.
type kind struct {
	col *collection
	// route is the collection's path, e.g. "/v2/tools"; item is the
	// OpenAPI route template of one object, e.g. "/v2/tools/{tool_id}".
	route, item string
	// byKey addresses objects by key (memory stores); otherwise by id.
	byKey bool
	// created and deleted are the success statuses of POST and DELETE.
	created, deleted int
	limits           listLimits
	// createRule and updateRule validate request bodies.
	createRule, updateRule rule
	// build makes a new object from a valid create body.
	build func(s *Server, sc scope, req map[string]any) (*entry, error)
	// patch applies a valid update body to next, a clone of the object.
	patch func(s *Server, sc scope, next *entry, req map[string]any) error
	// view renders an object for the caller.
	view func(sc scope, e *entry) map[string]any
	// filter returns the list query's predicate; nil when it has none.
	filter func(q url.Values) (func(*entry) bool, error)
	// notFound answers a reference to no visible object; method is the
	// request's (tools answer PATCH in a shape of their own).
	notFound func(method, ref string) response
	// usedBy returns the keys of the agents that reference e.
	usedBy func(s *Server, e *entry) []string
	// replaced runs after an update changed an object (tools re-key the
	// agents' echoes of a renamed tool).
	replaced func(s *Server, old, next *entry)
}

// routeKind dispatches a request whose path is k.route or below it.
func (s *Server) routeKind(k *kind, r *http.Request, p string, body []byte, sc scope) response {
	if p == k.route {
		switch r.Method {
		case http.MethodGet:
			return s.listKind(k, sc, r.URL.Query())
		case http.MethodPost:
			return s.createKind(k, sc, body)
		}
		return methodNotAllowed("GET, POST")
	}
	raw := strings.TrimPrefix(p, k.route+"/")
	ref, err := url.PathUnescape(raw)
	if err != nil || raw == "" || strings.Contains(ref, "/") {
		return errorResponse(http.StatusNotFound, msgRouteNotFound)
	}
	switch r.Method {
	case http.MethodGet:
		return s.getKind(k, sc, ref)
	case http.MethodPatch:
		return s.patchKind(k, sc, ref, body)
	case http.MethodDelete:
		return s.deleteKind(k, sc, ref)
	}
	return methodNotAllowed("GET, PATCH, DELETE")
}

// decodeValid decodes body and validates it with r, then with the graph
// document when configured (method and route name its operation).
func (s *Server) decodeValid(body []byte, r rule, method, route string) (map[string]any, error) {
	req, err := decodeObject(body)
	if err == nil {
		err = r("", req)
	}
	if err == nil && s.graph != nil {
		var fe *FieldError
		if err = s.graph.ValidateRequest(method, route, body); err != nil && !errors.As(err, &fe) {
			err = fieldPath("").fail("%v", err)
		}
	}
	return req, err
}

// createKind handles POST on a collection.
func (s *Server) createKind(k *kind, sc scope, body []byte) response {
	return s.createWithID(k, sc, body, "")
}

// createWithID is createKind; a seed may choose the ULID of the new id.
func (s *Server) createWithID(k *kind, sc scope, body []byte, ulid string) response {
	req, err := s.decodeValid(body, k.createRule, http.MethodPost, k.route)
	if err != nil {
		return failure(err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if key, _ := req["key"].(string); key != "" {
		if _, used := k.col.byKey(key); used {
			return failure(k.col.taken(key)) // before build, which may create a project
		}
	}
	e, err := k.build(s, sc, req)
	if err == nil {
		now := s.now()
		newID := func() string { return s.ids.next(now) }
		if ulid != "" {
			newID = func() string { return ulid }
		}
		err = k.col.insert(e, newID, now)
	}
	if err != nil {
		return failure(err)
	}
	return jsonResponse(k.created, k.view(sc, e))
}

// find returns the object ref names, if the caller may see it. The caller
// must hold s.mu.
func (s *Server) find(k *kind, sc scope, ref string) (*entry, bool) {
	var e *entry
	var ok bool
	if k.byKey {
		e, ok = k.col.byKey(ref)
	} else {
		e, ok = k.col.get(ref)
	}
	return e, ok && s.visible(sc, e)
}

// getKind handles GET on an item.
func (s *Server) getKind(k *kind, sc scope, ref string) response {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.find(k, sc, ref)
	if !ok {
		return k.notFound(http.MethodGet, ref)
	}
	return jsonResponse(http.StatusOK, k.view(sc, e))
}

// patchKind handles PATCH on an item.
func (s *Server) patchKind(k *kind, sc scope, ref string, body []byte) response {
	req, err := s.decodeValid(body, k.updateRule, http.MethodPatch, k.item)
	if err != nil {
		return failure(err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	old, ok := s.find(k, sc, ref)
	if !ok {
		return k.notFound(http.MethodPatch, ref)
	}
	next, err := old.clone()
	if err == nil {
		err = k.patch(s, sc, next, req)
	}
	var changed bool
	if err == nil {
		changed, err = k.col.replace(old, next, stamps(s.now()))
	}
	if err != nil {
		return failure(err)
	}
	if !changed {
		return jsonResponse(http.StatusOK, k.view(sc, old))
	}
	if k.replaced != nil {
		k.replaced(s, old, next)
	}
	return jsonResponse(http.StatusOK, k.view(sc, next))
}

// deleteKind handles DELETE on an item. An object an agent references is
// not deleted (see msgInUseFmt).
func (s *Server) deleteKind(k *kind, sc scope, ref string) response {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.find(k, sc, ref)
	if !ok {
		return k.notFound(http.MethodDelete, ref)
	}
	if users := k.usedBy(s, e); len(users) > 0 {
		return errorResponse(http.StatusConflict, inUse(k.col.noun, e, users))
	}
	k.col.remove(e.id)
	return response{status: k.deleted}
}

// listKind handles GET on a collection.
func (s *Server) listKind(k *kind, sc scope, q url.Values) response {
	limit, err := k.limits.parse(q)
	if err != nil {
		return errorResponse(http.StatusBadRequest, err.Error())
	}
	match := func(*entry) bool { return true }
	if k.filter != nil {
		if match, err = k.filter(q); err != nil {
			return failure(err)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	keep := func(e *entry) bool { return s.visible(sc, e) && match(e) }
	data, hasMore := paginate(k.col.sorted(keep), entryID, limit, q.Get("starting_after"), q.Get("ending_before"))
	page := listPage{Object: "list", Data: make([]map[string]any, 0, len(data)), HasMore: hasMore}
	for _, e := range data {
		page.Data = append(page.Data, k.view(sc, e))
	}
	return jsonResponse(http.StatusOK, page)
}

// notFoundMessage answers {"message": "<noun> not found"}.
func notFoundMessage(noun string) func(method, ref string) response {
	return func(string, string) response {
		return errorResponse(http.StatusNotFound, noun+" not found")
	}
}

// stamps returns the members an effective update sets.
func stamps(now time.Time) map[string]any {
	return map[string]any{"updated": formatTime(now)}
}
