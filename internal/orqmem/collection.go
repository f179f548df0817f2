package orqmem

import (
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"sort"
	"time"
)

// This file holds the one store behind tools, knowledge bases, memory stores
// and schedules: ids, keys unique in the workspace, created/updated
// timestamps and newest-first listing. What differs per kind (validation,
// rendering) lives in the kind's own file.

// entry is one stored object.
type entry struct {
	id  string
	key string // unique in the workspace; "" for kinds without keys
	// projectID is the project the object belongs to; "" for schedules,
	// which belong to their agent's.
	projectID string
	// path is the workspace path ("Project/folders"); "" when the kind has
	// none.
	path string
	// owner is the _id of a schedule's agent.
	owner string
	// doc is the answer to a workspace key, numbers as json.Number.
	doc map[string]any
	// private is state never answered, e.g. an external knowledge base's
	// api_key.
	private map[string]any
}

// clone returns a copy of e whose doc and private maps may be changed.
func (e *entry) clone() (*entry, error) {
	out := *e
	var err error
	if out.doc, err = deepCopy(e.doc); err != nil {
		return nil, err
	}
	out.private = copyMap(e.private)
	return &out, nil
}

// str returns the string member name of the entry's doc.
func (e *entry) str(name string) string {
	s, _ := e.doc[name].(string)
	return s
}

// apiError is a failure answered with status and {"message": msg}.
type apiError struct {
	status int
	msg    string
}

func (e *apiError) Error() string { return e.msg }

// failWith returns an apiError.
func failWith(status int, format string, args ...any) error {
	return &apiError{status: status, msg: fmt.Sprintf(format, args...)}
}

// failure renders err: a *FieldError is a 400, an *apiError its own status,
// anything else a 500.
func failure(err error) response {
	var fe *FieldError
	var ae *apiError
	switch {
	case errors.As(err, &fe):
		return errorResponse(http.StatusBadRequest, err.Error())
	case errors.As(err, &ae):
		return errorResponse(ae.status, ae.msg)
	}
	return errorResponse(http.StatusInternalServerError, err.Error())
}

// collection stores the objects of one kind.
type collection struct {
	noun   string // "Tool", in messages
	prefix string // before the ULID of a new id: "tool_" for tools
	items  map[string]*entry
	keys   map[string]string // key -> id
}

// newCollection returns an empty collection.
func newCollection(noun, prefix string) *collection {
	c := &collection{noun: noun, prefix: prefix}
	c.clear()
	return c
}

// clear forgets every object.
func (c *collection) clear() {
	c.items = map[string]*entry{}
	c.keys = map[string]string{}
}

// taken answers a key already used in the workspace.
func (c *collection) taken(key string) error {
	return failWith(http.StatusConflict, "%s with key %q already exists", c.noun, key)
}

// insert gives e a new id (newID() behind the prefix) and its created and
// updated timestamps, and stores it. A key in use is a conflict.
func (c *collection) insert(e *entry, newID func() string, now time.Time) error {
	if _, used := c.keys[e.key]; used && e.key != "" {
		return c.taken(e.key)
	}
	e.id = c.prefix + newID()
	e.doc["_id"] = e.id
	ts := formatTime(now)
	e.doc["created"], e.doc["updated"] = ts, ts
	return c.put(e)
}

// put normalizes e's doc (an independent copy, json.Number numbers) and
// stores e under its id and key.
func (c *collection) put(e *entry) error {
	doc, err := deepCopy(e.doc)
	if err != nil {
		return fmt.Errorf("encode %s: %w", c.noun, err)
	}
	e.doc = doc
	c.items[e.id] = e
	if e.key != "" {
		c.keys[e.key] = e.id
	}
	return nil
}

// get returns the object with id.
func (c *collection) get(id string) (*entry, bool) {
	e, ok := c.items[id]
	return e, ok
}

// byKey returns the object with key.
func (c *collection) byKey(key string) (*entry, bool) {
	id, ok := c.keys[key]
	if !ok {
		return nil, false
	}
	return c.get(id)
}

// replace stores next, a changed clone of old, in old's place. Only an
// effective change is stored: then stamp's members (at least "updated") are
// set in next's doc. A new key must be free. It reports whether anything
// changed.
func (c *collection) replace(old, next *entry, stamp map[string]any) (bool, error) {
	if next.key != old.key && next.key != "" {
		if _, used := c.keys[next.key]; used {
			return false, c.taken(next.key)
		}
	}
	normalized, err := deepCopy(next.doc)
	if err != nil {
		return false, fmt.Errorf("encode %s: %w", c.noun, err)
	}
	next.doc = normalized
	if !changed(old, next) {
		return false, nil
	}
	for k, v := range stamp {
		next.doc[k] = v
	}
	delete(c.keys, old.key)
	return true, c.put(next)
}

// changed reports whether next differs from old in anything stored.
func changed(old, next *entry) bool {
	return old.key != next.key || old.projectID != next.projectID || old.path != next.path ||
		old.owner != next.owner || !reflect.DeepEqual(old.doc, next.doc) ||
		!reflect.DeepEqual(old.private, next.private)
}

// remove deletes the object with id.
func (c *collection) remove(id string) {
	if e, ok := c.items[id]; ok {
		delete(c.keys, e.key)
		delete(c.items, id)
	}
}

// sorted returns the objects keep accepts, newest first: ids are monotonic
// ULIDs behind one prefix, so descending id order is reverse creation order.
func (c *collection) sorted(keep func(*entry) bool) []*entry {
	out := make([]*entry, 0, len(c.items))
	for _, e := range c.items {
		if keep(e) {
			out = append(out, e)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].id > out[j].id })
	return out
}

// entryID returns e's id, for paginate.
func entryID(e *entry) string { return e.id }
