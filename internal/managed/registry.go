package managed

import (
	"reflect"
	"slices"

	"sigs.k8s.io/controller-runtime/pkg/client"
)

// Registry holds every managed kind, so that a reference can be followed to its target, and a
// target to its referrers, whatever their kinds.
type Registry struct {
	kinds map[string]Kind
	names []string
}

// NewRegistry registers kinds; each name once.
func NewRegistry(kinds ...Kind) *Registry {
	r := &Registry{kinds: map[string]Kind{}}
	for _, k := range kinds {
		if _, dup := r.kinds[k.Name()]; !dup {
			r.kinds[k.Name()] = k
			r.names = append(r.names, k.Name())
		}
	}
	return r
}

// Get returns the kind of a name.
func (r *Registry) Get(name string) (Kind, bool) {
	k, ok := r.kinds[name]
	return k, ok
}

// Names lists the kinds' names, in the order registered.
func (r *Registry) Names() []string { return slices.Clone(r.names) }

// All lists the kinds, in the order registered.
func (r *Registry) All() []Kind {
	out := make([]Kind, 0, len(r.names))
	for _, n := range r.names {
		out = append(out, r.kinds[n])
	}
	return out
}

// KindOf returns the kind whose objects have o's Go type.
func (r *Registry) KindOf(o client.Object) (Kind, bool) {
	for _, n := range r.names {
		if k := r.kinds[n]; reflect.TypeOf(k.New()) == reflect.TypeOf(o) {
			return k, true
		}
	}
	return nil, false
}
