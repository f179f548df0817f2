package orqclient

import (
	"net/url"
	"strings"
)

// Endpoint is a collection of the orq API: where it is, how its members are addressed, and what
// its create and list answer. The kinds the operator manages each name theirs (the agents' is
// Agents); the Client addresses any collection through one.
type Endpoint struct {
	// Kind names a member in operations and messages: "agent", "tool", "schedule".
	Kind string
	// Path is the collection's path; a collection under a parent object holds "{parent}" where the
	// parent's key goes: "/v3/agents/{parent}/schedules".
	Path string
	// ByID tells that members are addressed by their server id (tools, knowledge bases,
	// schedules); else by their key (agents, memory stores).
	ByID bool
	// Keyless tells that members have no key at all (schedules): nothing else can take "their"
	// place, and they are known by id only.
	Keyless bool
	// Conflict409 tells that a create at a key already taken is answered 409 (documented for
	// agents only): a first create then needs no read before it.
	Conflict409 bool
	// Unpaged tells that the list answer is one object holding every member under ListMember
	// (schedules); else it is a page of {object: list, data, has_more}, read MaxPageSize at a time.
	Unpaged    bool
	ListMember string
}

// Agents is the collection of agents (/v2/agents).
var Agents = Endpoint{Kind: "agent", Path: "/v2/agents", Conflict409: true}

// collection is the escaped path of the endpoint's collection, under parent (the key of its
// parent object; "" for a top-level collection).
func (e Endpoint) collection(parent string) string {
	return strings.Replace(e.Path, "{parent}", url.PathEscape(parent), 1)
}

// memberPath is the escaped path of one member, by its key or id.
func (e Endpoint) memberPath(parent, addr string) string {
	return e.collection(parent) + "/" + url.PathEscape(addr)
}

// nested tells whether the collection lives under a parent object.
func (e Endpoint) nested() bool { return strings.Contains(e.Path, "{parent}") }

// plural is the kind's plural, for operations: "list tools".
func (e Endpoint) plural() string {
	switch {
	case strings.HasSuffix(e.Kind, "y"):
		return strings.TrimSuffix(e.Kind, "y") + "ies"
	case strings.HasSuffix(e.Kind, "s"):
		return e.Kind + "es"
	}
	return e.Kind + "s"
}
