package controller

import (
	"context"
	"sync"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// versionedValues remembers the values read from keys of Secrets (API keys) or ConfigMaps
// (prompts), by "namespace/name/key", with the object's resourceVersion: an object is read again
// only when the watch saw it change. Only referenced objects are read, and only the referenced
// key of each is kept.
type versionedValues struct {
	mu     sync.Mutex
	values map[string]versionedValue
}

type versionedValue struct {
	resourceVersion string
	value           string
}

func (s *versionedValues) get(source string) (versionedValue, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.values[source]
	return v, ok
}

func (s *versionedValues) put(source string, v versionedValue) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.values == nil {
		s.values = map[string]versionedValue{}
	}
	s.values[source] = v
}

// forget drops a value whose object is gone, so that the cache holds no more than what
// existing objects hold.
func (s *versionedValues) forget(source string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.values, source)
}

// unchanged returns the value remembered for source while the watch's cached metadata of the
// object (a Secret or a ConfigMap) still has the resourceVersion it was read at: the data is then
// not read again.
func (r *AgentReconciler) unchanged(ctx context.Context, values *versionedValues, kind string, name types.NamespacedName, source string) (string, bool) {
	meta := &metav1.PartialObjectMetadata{}
	meta.SetGroupVersionKind(corev1.SchemeGroupVersion.WithKind(kind))
	if err := r.Get(ctx, name, meta); err != nil {
		return "", false
	}
	v, ok := values.get(source)
	return v.value, ok && v.resourceVersion == meta.ResourceVersion
}

// uncached is the reader of data the cache does not hold (reader), or the client when none is set.
func (r *AgentReconciler) uncached(reader client.Reader) client.Reader {
	if reader == nil {
		return r.Client
	}
	return reader
}
