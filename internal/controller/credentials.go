package controller

import (
	"context"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
	logf "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
	"github.com/orq-ai/orq-operator/internal/orqclient"
)

// secretIndex indexes Agents by the Secret ("namespace/name") holding their API key.
const secretIndex = ".spec.apiKeySecretRef.name"

// credentialSource names where an Agent's API key comes from: "" for the operator's own key,
// else "namespace/secret/key". Agents with different sources may be in different workspaces,
// where the same agent key names different agents.
func credentialSource(a *orqv1alpha1.Agent) string {
	ref := a.Spec.APIKeySecretRef
	if ref == nil {
		return ""
	}
	return a.Namespace + "/" + ref.Name + "/" + ref.Key
}

// resolveCredentials finds the client of the Agent's workspace.
func (r *AgentReconciler) resolveCredentials(ctx context.Context, p *pass) error {
	api, hash, err := r.credentials(ctx, p.agent)
	p.api, p.apiKeyHash = api, hash
	return err
}

// credentials returns the API client of the Agent's key, and the key's hash. While an Agent is
// deleted, a Secret deleted before it (a namespace being deleted) does not block the deletion if
// the operator still knows the key.
func (r *AgentReconciler) credentials(ctx context.Context, agent *orqv1alpha1.Agent) (AgentAPI, string, error) {
	ref := agent.Spec.APIKeySecretRef
	if ref == nil {
		if r.API == nil {
			return nil, "", failure(terminal, orqv1alpha1.ReasonNoCredentials, "no orq API key: set spec.apiKeySecretRef, or give the operator a key (ORQ_API_KEY)")
		}
		return r.API, r.DefaultAPIKeyHash, nil
	}
	if r.APIFor == nil {
		return nil, "", failure(terminal, orqv1alpha1.ReasonNoCredentials, "no orq API key: this operator does not support spec.apiKeySecretRef")
	}
	source := credentialSource(agent)
	key, err := r.secretValue(ctx, agent.Namespace, ref, source)
	if err != nil {
		cached, ok := r.secrets.get(source)
		if reasonOf(err) != orqv1alpha1.ReasonSecretNotFound || agent.DeletionTimestamp.IsZero() || !ok {
			return nil, "", err
		}
		logf.FromContext(ctx).Info("the API key Secret is gone; deleting with the key last read from it")
		key = cached.value
	}
	api, err := r.APIFor(source, key)
	if err != nil {
		return nil, "", failure(waitingOnCluster, orqv1alpha1.ReasonSecretNotFound, "API key Secret not found: Secret %s/%s key %q: %v", agent.Namespace, ref.Name, ref.Key, err)
	}
	return api, orqclient.KeyHash(key), nil
}

// secretValue returns the API key of a Secret key reference (source: its credentialSource). The
// Secret's metadata comes from the watch's cache; its data is read from the API server only when
// its resourceVersion changed.
func (r *AgentReconciler) secretValue(ctx context.Context, namespace string, ref *orqv1alpha1.SecretKeyReference, source string) (string, error) {
	name := types.NamespacedName{Namespace: namespace, Name: ref.Name}
	if v, ok := r.unchanged(ctx, &r.secrets, "Secret", name, source); ok {
		return v, nil
	}
	secret := &corev1.Secret{}
	switch err := r.uncached(r.SecretReader).Get(ctx, name, secret); {
	case apierrors.IsNotFound(err):
		return "", failure(waitingOnCluster, orqv1alpha1.ReasonSecretNotFound, "API key Secret not found: Secret %s/%s (spec.apiKeySecretRef) does not exist", namespace, ref.Name)
	case apierrors.IsForbidden(err):
		return "", failure(stalledSlow, orqv1alpha1.ReasonSecretUnreadable, "API key Secret not readable: the operator may not read Secret %s/%s (spec.apiKeySecretRef): grant it get on Secrets in namespace %s",
			namespace, ref.Name, namespace)
	case err != nil:
		return "", err
	}
	value := strings.TrimSpace(string(secret.Data[ref.Key]))
	if value == "" {
		return "", failure(waitingOnCluster, orqv1alpha1.ReasonSecretNotFound, "API key Secret not found: Secret %s/%s (spec.apiKeySecretRef) has no key %q, or it is empty", namespace, ref.Name, ref.Key)
	}
	r.secrets.put(source, versionedValue{resourceVersion: secret.ResourceVersion, value: value})
	return value, nil
}

// agentsUsingSecret maps a Secret to the Agents that take their API key from it.
func (r *AgentReconciler) agentsUsingSecret(ctx context.Context, o client.Object) []reconcile.Request {
	return r.requestsByIndex(ctx, secretIndex, client.ObjectKeyFromObject(o).String(), o.GetUID())
}

// secretOf is the secretIndex value of an Agent.
func secretOf(o client.Object) []string {
	a := o.(*orqv1alpha1.Agent)
	if a.Spec.APIKeySecretRef == nil {
		return nil
	}
	return []string{a.Namespace + "/" + a.Spec.APIKeySecretRef.Name}
}
