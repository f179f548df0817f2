package controller

import (
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/labels"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
)

// CacheOptions returns the manager's cache options: only the namespaces and the Agents of this
// shard (all when empty), without managedFields, which the operator never reads and which weigh
// more than the rest of a small object.
//
// Secrets are watched as metadata only (for the Agents whose spec.apiKeySecretRef names them),
// and the cache keeps no more of them than their name and resourceVersion: no labels, no
// annotations (kubectl's last-applied-configuration annotation holds a Secret's data).
func CacheOptions(namespaces []string, agentSelector labels.Selector) cache.Options {
	o := cache.Options{
		DefaultTransform: cache.TransformStripManagedFields(),
		ByObject:         map[client.Object]cache.ByObject{&corev1.Secret{}: {Transform: stripToIdentity}},
	}
	if len(namespaces) > 0 {
		o.DefaultNamespaces = map[string]cache.Config{}
		for _, ns := range namespaces {
			o.DefaultNamespaces[ns] = cache.Config{}
		}
	}
	if agentSelector != nil && !agentSelector.Empty() {
		o.ByObject[&orqv1alpha1.Agent{}] = cache.ByObject{Label: agentSelector}
	}
	return o
}

// stripToIdentity keeps of an object's metadata only what identifies a version of it.
func stripToIdentity(in any) (any, error) {
	if o, err := meta.Accessor(in); err == nil {
		o.SetAnnotations(nil)
		o.SetLabels(nil)
		o.SetManagedFields(nil)
		o.SetOwnerReferences(nil)
		o.SetFinalizers(nil)
	}
	return in, nil
}
