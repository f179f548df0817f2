package managed

import (
	"context"
	"strings"
	"sync"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
)

// Values reads the keys of Secrets (API keys, tool headers, schedule variables) and ConfigMaps
// (prompts) that specs reference, remembering each with its object's resourceVersion: an object is
// read again only when the watch saw it change. The watches' caches hold no more of Secrets and
// ConfigMaps than their name and resourceVersion (see CacheOptions); only the referenced key of a
// read object is kept. One Values serves every kind.
type Values struct {
	// Cache holds the watched metadata of Secrets and ConfigMaps.
	Cache client.Reader
	// SecretReader and ConfigMapReader read their data uncached; Cache when nil.
	SecretReader, ConfigMapReader client.Reader

	secrets, configMaps versioned
	// placeholders: a Secret that is not there is read as a placeholder (a plan's cluster holds
	// no Secrets but those of the manifests).
	placeholders bool
}

// planning tells whether these are a plan's values: a Secret's version there (a placeholder's, or
// a manifest's) is not the one the operator last sent, so it cannot tell that a Secret changed.
func (v *Values) planning() bool { return v != nil && v.placeholders }

// placeholderVersion is the version of a plan's placeholder for a Secret it does not hold.
const placeholderVersion = "planned"

// value is a key's value, as read at a resourceVersion of its object.
type value struct {
	resourceVersion string
	value           string
}

// versioned is a concurrency-safe map of values by "namespace/name/key".
type versioned struct {
	mu     sync.Mutex
	values map[string]value
}

func (s *versioned) get(source string) (value, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.values[source]
	return v, ok
}

func (s *versioned) put(source string, v value) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.values == nil {
		s.values = map[string]value{}
	}
	s.values[source] = v
}

// forget drops a value whose key is gone from its object, so that no more is held than existing
// objects hold.
func (s *versioned) forget(source string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.values, source)
}

// Secret returns the value of a key of a Secret, and the Secret's resourceVersion; field names
// the spec field that refers to it, for messages. Surrounding white space is trimmed (a Secret
// made from a file often ends with a newline). deleting: the referring object is being deleted,
// and a Secret deleted before it (a namespace being deleted) is taken as it was last read.
func (v *Values) Secret(ctx context.Context, namespace string, ref orqv1alpha1.SecretKeyReference, field string, deleting bool) (string, string, error) {
	val, err := v.read(ctx, &v.secrets, "Secret", namespace, ref.Name, ref.Key, field, deleting)
	if err != nil && v.placeholders && reasonOf(err) == orqv1alpha1.ReasonSecretNotFound {
		return "(the value of Secret " + namespace + "/" + ref.Name + " key " + ref.Key + ")", placeholderVersion, nil
	}
	if err != nil {
		return "", "", err
	}
	trimmed := strings.TrimSpace(val.value)
	if trimmed == "" {
		return "", "", failure(waitingOnCluster, orqv1alpha1.ReasonSecretNotFound,
			"Secret not found: Secret %s/%s (%s) has no key %q, or it is empty", namespace, ref.Name, field, ref.Key)
	}
	return trimmed, val.resourceVersion, nil
}

// ConfigMap returns the value of a key of a ConfigMap, as it is, and the ConfigMap's
// resourceVersion; see Secret.
func (v *Values) ConfigMap(ctx context.Context, namespace string, ref orqv1alpha1.ConfigMapKeyReference, field string, deleting bool) (string, string, error) {
	val, err := v.read(ctx, &v.configMaps, "ConfigMap", namespace, ref.Name, ref.Key, field, deleting)
	return val.value, val.resourceVersion, err
}

// read returns a key of a Secret or ConfigMap: remembered while the cached metadata shows the
// resourceVersion it was read at, else read uncached.
func (v *Values) read(ctx context.Context, values *versioned, kind, namespace, name, key, field string, deleting bool) (value, error) {
	source := namespace + "/" + name + "/" + key
	nn := types.NamespacedName{Namespace: namespace, Name: name}
	meta := &metav1.PartialObjectMetadata{}
	meta.SetGroupVersionKind(corev1.SchemeGroupVersion.WithKind(kind))
	if err := v.Cache.Get(ctx, nn, meta); err == nil {
		if val, ok := values.get(source); ok && val.resourceVersion == meta.ResourceVersion {
			return val, nil
		}
	}
	data, rv, err := v.fetch(ctx, kind, nn)
	switch {
	case apierrors.IsNotFound(err) && deleting:
		if val, ok := values.get(source); ok {
			return val, nil
		}
		return value{}, notFound(kind, namespace, name, field)
	case apierrors.IsNotFound(err):
		// The value stays: the referring object may be deleted next (a namespace being deleted
		// removes the Secret first), and its deletion then needs the key last read.
		return value{}, notFound(kind, namespace, name, field)
	case apierrors.IsForbidden(err):
		return value{}, unreadable(kind, namespace, name, field)
	case err != nil:
		return value{}, err
	}
	val, ok := data[key]
	if !ok {
		values.forget(source)
		return value{}, failure(waitingOnCluster, notFoundReason(kind),
			"%s not ready: %s %s/%s has no key %q (%s)", kind, kind, namespace, name, key, field)
	}
	got := value{resourceVersion: rv, value: val}
	values.put(source, got)
	return got, nil
}

// fetch reads the data of a Secret or ConfigMap from the API server.
func (v *Values) fetch(ctx context.Context, kind string, nn types.NamespacedName) (map[string]string, string, error) {
	if kind == "Secret" {
		s := &corev1.Secret{}
		if err := orCache(v.SecretReader, v.Cache).Get(ctx, nn, s); err != nil {
			return nil, "", err
		}
		data := make(map[string]string, len(s.Data))
		for k, b := range s.Data {
			data[k] = string(b)
		}
		return data, s.ResourceVersion, nil
	}
	cm := &corev1.ConfigMap{}
	if err := orCache(v.ConfigMapReader, v.Cache).Get(ctx, nn, cm); err != nil {
		return nil, "", err
	}
	return cm.Data, cm.ResourceVersion, nil
}

func orCache(r, cache client.Reader) client.Reader {
	if r == nil {
		return cache
	}
	return r
}

func notFoundReason(kind string) string {
	if kind == "Secret" {
		return orqv1alpha1.ReasonSecretNotFound
	}
	return orqv1alpha1.ReasonDependencyNotReady
}

func notFound(kind, namespace, name, field string) error {
	return failure(waitingOnCluster, notFoundReason(kind), "%s not found: %s %s/%s (%s) does not exist", kind, kind, namespace, name, field)
}

// unreadable is the error of a Secret or ConfigMap the operator's RBAC does not let it read: it
// stalls, saying what to grant.
func unreadable(kind, namespace, name, field string) error {
	reason := orqv1alpha1.ReasonSecretUnreadable
	if kind == "ConfigMap" {
		reason = orqv1alpha1.ReasonConfigMapUnreadable
	}
	return failure(stalledSlow, reason, "%s not readable: the operator may not read %s %s/%s (%s): grant it get on %ss in namespace %s",
		kind, kind, namespace, name, field, kind, namespace)
}
