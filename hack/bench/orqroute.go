package main

import (
	"net/http"
	"strings"

	"github.com/orq-ai/orq-operator/internal/orqmem"
)

// The collections of the orq API the operator's kinds live in, as the graph scenario counts its
// calls: by collection and verb.

// Collections of the orq API, as reported.
const (
	collAgents       = "agents"
	collTools        = "tools"
	collKnowledge    = "knowledge"
	collMemoryStores = "memory-stores"
	collSchedules    = "schedules"
	collOther        = "other"
)

// orqCollections in the order they are reported.
var orqCollections = []string{collAgents, collTools, collKnowledge, collMemoryStores, collSchedules, collOther}

// orqRoute names the collection a request is about and its verb: LIST for a GET of a
// collection, GET, POST, PATCH or DELETE otherwise. A schedule lives under its agent:
// /v3/agents/{key}/schedules[/{id}].
func orqRoute(method, path string) (collection, verb string) {
	verb = strings.ToUpper(method)
	p := strings.Trim(path, "/")
	parts := strings.Split(p, "/")
	whole := false // the path names a collection, not one member
	switch {
	case len(parts) >= 4 && parts[0] == "v3" && parts[1] == "agents" && parts[3] == "schedules":
		collection, whole = collSchedules, len(parts) == 4
	case len(parts) >= 2 && parts[0] == "v2":
		whole = len(parts) == 2
		switch parts[1] {
		case "agents":
			collection = collAgents
		case "tools":
			collection = collTools
		case "knowledge":
			collection = collKnowledge
		case "memory-stores":
			collection = collMemoryStores
		default:
			collection = collOther
		}
	default:
		collection = collOther
	}
	if whole && method == http.MethodGet {
		verb = "LIST"
	}
	return collection, verb
}

// countByRoute counts orqmem's recorded requests by collection, then verb.
func countByRoute(reqs []orqmem.Request) map[string]map[string]int {
	out := map[string]map[string]int{}
	for _, r := range reqs {
		c, v := orqRoute(r.Method, r.Path)
		if out[c] == nil {
			out[c] = map[string]int{}
		}
		out[c][v]++
	}
	return out
}

// sumCounts is the total of counts by verb.
func sumCounts(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}
