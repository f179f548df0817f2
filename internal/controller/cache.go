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
// more than the rest of a small object. Agents also lose kubectl's last-applied-configuration
// annotation (a copy of the whole manifest, written by client-side kubectl apply), see stripAgent.
//
// Secrets are watched as metadata only (for the Agents whose spec.apiKeySecretRef names them),
// and the cache keeps no more of them than their name and resourceVersion: no labels, no
// annotations (kubectl's last-applied-configuration annotation holds a Secret's data). So are
// ConfigMaps (for the prompts of spec.instructionsFrom and spec.systemPromptFrom): the cache does
// not grow with the data of ConfigMaps no Agent uses.
func CacheOptions(namespaces []string, agentSelector labels.Selector) cache.Options {
	agents := cache.ByObject{Transform: stripAgent}
	if agentSelector != nil && !agentSelector.Empty() {
		agents.Label = agentSelector
	}
	o := cache.Options{
		DefaultTransform: cache.TransformStripManagedFields(),
		ByObject: map[client.Object]cache.ByObject{
			&corev1.Secret{}:     {Transform: stripToIdentity},
			&corev1.ConfigMap{}:  {Transform: stripToIdentity},
			&orqv1alpha1.Agent{}: agents,
		},
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

// stripAgent drops from a cached Agent what the operator never reads: managedFields, and the
// last-applied-configuration annotation, which doubles the memory of every Agent applied with
// client-side kubectl apply. The operator never writes an Agent with a full update: its metadata
// patches add the finalizer and the create marker annotation (merged into the
// others), remove the finalizer, or remove that one annotation by name, so what the cache lacks
// stays on the Agent (an envtest spec checks it).
func stripAgent(in any) (any, error) {
	if a, ok := in.(*orqv1alpha1.Agent); ok {
		a.ManagedFields = nil
		if _, ok := a.Annotations[lastApplied]; ok {
			delete(a.Annotations, lastApplied)
			if len(a.Annotations) == 0 {
				a.Annotations = nil
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
