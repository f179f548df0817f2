package controller

import (
	"k8s.io/apimachinery/pkg/labels"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
)

// CacheOptions returns the manager's cache options: only the namespaces and the Agents of this
// shard (all when empty), without managedFields, which the operator never reads and which weigh
// more than the rest of a small object.
func CacheOptions(namespaces []string, agentSelector labels.Selector) cache.Options {
	o := cache.Options{DefaultTransform: cache.TransformStripManagedFields()}
	if len(namespaces) > 0 {
		o.DefaultNamespaces = map[string]cache.Config{}
		for _, ns := range namespaces {
			o.DefaultNamespaces[ns] = cache.Config{}
		}
	}
	if agentSelector != nil && !agentSelector.Empty() {
		o.ByObject = map[client.Object]cache.ByObject{&orqv1alpha1.Agent{}: {Label: agentSelector}}
	}
	return o
}
