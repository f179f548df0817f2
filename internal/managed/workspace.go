package managed

import (
	"context"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
	"github.com/orq-ai/orq-operator/internal/orqclient"
)

// Workspaces gives the API client of an object's credentials, and tells workspaces apart by the
// hash of their API key: two credential sources holding one key reach one workspace. One
// Workspaces serves every kind.
type Workspaces struct {
	// API is the client of the operator's own API key; nil when it has none. DefaultKeyHash is
	// that key's orqclient.KeyHash, recorded in the status of the objects that use it.
	API            API
	DefaultKeyHash string
	// For returns the client of an API key read from a Secret; source names the Secret key it
	// comes from (see Source). nil: spec.apiKeySecretRef is refused.
	For func(source, apiKey string) (API, error)
	// Values reads the Secrets of the API keys.
	Values *Values
}

// Source names where an object's API key comes from: "" for the operator's own key, else
// "namespace/secret/key". Objects of different sources may be in different workspaces.
func Source(o Object) string {
	ref := o.CredentialsRef()
	if ref == nil {
		return ""
	}
	return o.GetNamespace() + "/" + ref.Name + "/" + ref.Key
}

// Client returns the API client of an object's credentials, and its key's hash. While the object
// is deleted, a Secret deleted before it (a namespace being deleted) does not block the deletion
// if the key was read before.
func (w *Workspaces) Client(ctx context.Context, o Object) (API, string, error) {
	ref := o.CredentialsRef()
	if ref == nil {
		if w.API == nil {
			return nil, "", failure(terminal, orqv1alpha1.ReasonNoCredentials, "no orq API key: set spec.apiKeySecretRef, or give the operator a key (ORQ_API_KEY)")
		}
		return w.API, w.DefaultKeyHash, nil
	}
	if w.For == nil {
		return nil, "", failure(terminal, orqv1alpha1.ReasonNoCredentials, "no orq API key: this operator does not support spec.apiKeySecretRef")
	}
	key, _, err := w.Values.Secret(ctx, o.GetNamespace(), *ref, "spec.apiKeySecretRef", !o.GetDeletionTimestamp().IsZero())
	if err != nil {
		return nil, "", err
	}
	api, err := w.For(Source(o), key)
	if err != nil {
		return nil, "", failure(waitingOnCluster, orqv1alpha1.ReasonSecretNotFound, "API key Secret %s/%s key %q: %v", o.GetNamespace(), ref.Name, ref.Key, err)
	}
	return api, orqclient.KeyHash(key), nil
}

// Of identifies the workspace an object's credentials reach: the hash of its API key, or, when its
// Secret cannot be read (or a plan holds only a placeholder for it), the one it last recorded.
// "" when unknown: it cannot reach orq at all.
func (w *Workspaces) Of(ctx context.Context, o Object) string {
	ref := o.CredentialsRef()
	if ref == nil {
		return w.DefaultKeyHash
	}
	key, version, err := w.Values.Secret(ctx, o.GetNamespace(), *ref, "spec.apiKeySecretRef", false)
	if err != nil || version == placeholderVersion { // a placeholder's hash would be no workspace at all (review R8)
		return o.ManagedStatus().APIKeyHash
	}
	return orqclient.KeyHash(key)
}
