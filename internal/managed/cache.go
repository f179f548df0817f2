package managed

import (
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/labels"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// CacheOptions returns the manager's cache options: only the namespaces and the objects of this
// shard (all when empty), without managedFields, which the operator never reads and which weigh
// more than the rest of a small object. Objects of every kind also lose kubectl's
// last-applied-configuration annotation (a copy of the whole manifest, written by client-side
// kubectl apply), see stripObject.
//
// Secrets are watched as metadata only (for the objects that reference them), and the cache keeps
// no more of them than their name and resourceVersion: no labels, no annotations (kubectl's
// last-applied-configuration annotation holds a Secret's data). So are ConfigMaps: the cache does
// not grow with the data of ConfigMaps no object uses.
func CacheOptions(kinds *Registry, namespaces []string, selector labels.Selector) cache.Options {
	o := cache.Options{
		DefaultTransform: cache.TransformStripManagedFields(),
		ByObject: map[client.Object]cache.ByObject{
			&corev1.Secret{}:    {Transform: stripToIdentity},
			&corev1.ConfigMap{}: {Transform: stripToIdentity},
		},
	}
	for _, k := range kinds.All() {
		by := cache.ByObject{Transform: stripObject}
		if selector != nil && !selector.Empty() {
			by.Label = selector
		}
		o.ByObject[k.New()] = by
	}
	if len(namespaces) > 0 {
		o.DefaultNamespaces = map[string]cache.Config{}
		for _, ns := range namespaces {
			o.DefaultNamespaces[ns] = cache.Config{}
		}
	}
	return o
}

// lastApplied is the annotation in which client-side kubectl apply keeps the manifest it applied.
const lastApplied = "kubectl.kubernetes.io/last-applied-configuration"

// stripObject drops from a cached object what the operator never reads: managedFields, and the
// last-applied-configuration annotation, which doubles the memory of every object applied with
// client-side kubectl apply. The operator never writes an object with a full update: its metadata
// patches add the finalizer and the create marker annotation (merged into the others), remove the
// finalizer, or remove that one annotation by name, so what the cache lacks stays on the object.
func stripObject(in any) (any, error) {
	if o, err := meta.Accessor(in); err == nil {
		o.SetManagedFields(nil)
		if a := o.GetAnnotations(); a != nil {
			if _, ok := a[lastApplied]; ok {
				delete(a, lastApplied)
				if len(a) == 0 {
					a = nil
				}
				o.SetAnnotations(a)
			}
		}
	}
	return in, nil
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
