package export

import (
	"fmt"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
	memorystorekind "github.com/orq-ai/orq-operator/internal/kinds/memorystore"
	"github.com/orq-ai/orq-operator/internal/orqclient"
)

// memoryStoreExporter exports the memory stores, first: they name nothing.
var memoryStoreExporter = exporter{kind: "MemoryStore", one: "memory store", many: "memory stores",
	list: listAll(memorystorekind.Endpoint), export: exportMemoryStores}

// DefaultMemoryStorePath is the spec.path of exported MemoryStores when none is given: the
// project orq creates every workspace with.
const DefaultMemoryStorePath = "Default"

// exportMemoryStores makes a MemoryStore of each remote memory store. orq does not return a
// memory store's path, which the operator sends (it cannot compare it) as soon as it manages the
// store: each is written with Options.MemoryStorePath and only observes, until its user has
// checked the path.
func exportMemoryStores(remotes []orqclient.Remote, done *exported) ([]Manifest, error) {
	names := newNamer("memorystore")
	path := done.opts.MemoryStorePath
	if path == "" {
		path = DefaultMemoryStorePath
	}
	var out []Manifest
	for _, r := range remotes {
		spec, err := memoryStoreSpec(r.Raw, path)
		if err != nil {
			done.skip("memory store %s: %v", r.Key, err)
			continue
		}
		m := &orqv1alpha1.MemoryStore{TypeMeta: typeMeta("MemoryStore"), ObjectMeta: done.meta(names.name(r.Key)), Spec: spec}
		out = append(out, Manifest{Object: m, Key: r.Key, ID: r.ID, Notes: []string{
			fmt.Sprintf("managementPolicy Observe: orq does not return a memory store's path; this one was written as %q. "+
				"Check it, then remove managementPolicy: the operator sends the path once when it manages the store.", path),
		}})
	}
	return out, nil
}

// memoryStoreSpec is the spec whose request is what orq echoes for the memory store.
func memoryStoreSpec(raw orqclient.Body, path string) (orqv1alpha1.MemoryStoreSpec, error) {
	s := orqv1alpha1.MemoryStoreSpec{Path: path, Lifecycle: observe()}
	s.Key, _ = raw["key"].(string)
	s.Description, _ = raw["description"].(string)
	if err := decodeStrict(raw["embedding_config"], &s.EmbeddingConfig); err != nil {
		return s, fmt.Errorf("embedding_config: %w", err)
	}
	if s.EmbeddingConfig.Model == "" {
		return s, fmt.Errorf("no embedding_config.model")
	}
	if ttl, ok := raw["ttl"]; ok && ttl != nil {
		v, ok := ttl.(float64)
		if !ok {
			return s, fmt.Errorf("ttl is %v, not a number", ttl)
		}
		s.TTL = &v
	}
	return s, nil
}
