// Package wire holds what the kinds' adapters share to build requests and read answers: JSON
// equality as orq sees it, the path rule of project-scoped keys, and the list boilerplate.
package wire

import (
	"encoding/json"
	"reflect"
	"strings"

	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/orq-ai/orq-operator/internal/managed"
	"github.com/orq-ai/orq-operator/internal/orqclient"
)

// Plain is v as JSON decodes it: maps, slices, strings, float64, bools; values from Secrets in
// their wire form. Two values are the same to orq when their plain forms are equal.
func Plain(v any) any {
	raw, err := json.Marshal(v)
	if err != nil {
		return v
	}
	var out any
	if json.Unmarshal(raw, &out) != nil {
		return v
	}
	return out
}

// Same tells whether two values are the same JSON.
func Same(a, b any) bool { return reflect.DeepEqual(Plain(a), Plain(b)) }

// SamePath compares the desired path ("Project/folder/...") with the path orq echoes. With a
// workspace API key orq echoes the path as stored, project first. With a key scoped to project P,
// the OpenAPI documents say the path is relative to P and a leading P is dropped: "P/agents" is
// echoed as "agents", "P" as "". The operator cannot know P (no endpoint tells a key's project),
// so an echo equal to the desired path less its first element is taken as the same path.
//
// The one change this cannot see: with a project key, an object moved between "Other/x" (a folder
// Other in P) and "x", or with a workspace key between "A/x" and project "x"'s root.
func SamePath(want, have any) bool {
	w, _ := want.(string)
	h, ok := have.(string)
	if !ok {
		return want == nil && have == nil
	}
	if w == h {
		return true
	}
	_, rest, found := strings.Cut(w, "/")
	return (found && rest == h) || (!found && h == "")
}

// Changed lists, in the order given, the top-level fields the desired request sets that differ
// in the answer, each compared by its rule in same (Same when none).
func Changed(desired, observed orqclient.Body, fields []string, same map[string]func(want, have any) bool) []string {
	var out []string
	for _, f := range fields {
		want, set := desired[f]
		if !set {
			continue
		}
		eq := Same
		if rule, ok := same[f]; ok {
			eq = rule
		}
		if !eq(want, observed[f]) {
			out = append(out, f)
		}
	}
	return out
}

// Items returns the objects of a list's items, as the core handles them.
func Items[T any, PT interface {
	*T
	managed.Object
}](items []T) []managed.Object {
	out := make([]managed.Object, len(items))
	for i := range items {
		out[i] = PT(&items[i])
	}
	return out
}

// Only keeps, of a request, the fields named, and always the ones in keep: a PATCH that sends
// only what changed, with what the API requires in every update (a tool's type).
func Only(body orqclient.Body, fields []string, keep ...string) orqclient.Body {
	out := orqclient.Body{}
	for _, f := range append(fields, keep...) {
		if v, ok := body[f]; ok {
			out[f] = v
		}
	}
	return out
}

// List is the type of a kind's list, for NewList.
type List = client.ObjectList
