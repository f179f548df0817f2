package controller

import (
	"context"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
)

// configMapIndex indexes Agents by the ConfigMaps ("namespace/name") their prompts come from.
const configMapIndex = ".spec.promptsFrom.configMapKeyRef.name"

// resolvePrompts reads the prompts of spec.instructionsFrom and spec.systemPromptFrom from their
// ConfigMaps, and gives buildDesired a copy of the Agent (its team resolved) with the inline
// fields filled and the sources cleared. orq then sees the same request as for inline prompts,
// and so extracts the same variables; a changed ConfigMap changes the request's hash.
func (r *AgentReconciler) resolvePrompts(ctx context.Context, p *pass) error {
	a := p.specAgent()
	if a.Spec.InstructionsFrom == nil && a.Spec.SystemPromptFrom == nil {
		return nil
	}
	resolved := a.DeepCopy()
	if from := resolved.Spec.InstructionsFrom; from != nil {
		text, err := r.prompt(ctx, a, from.ConfigMapKeyRef, "instructionsFrom")
		if err != nil {
			return err
		}
		resolved.Spec.Instructions, resolved.Spec.InstructionsFrom = text, nil
	}
	if from := resolved.Spec.SystemPromptFrom; from != nil {
		ref := from.ConfigMapKeyRef
		text, err := r.prompt(ctx, a, ref, "systemPromptFrom")
		if err != nil {
			return err
		}
		if text == "" { // orq refuses an empty system prompt; the ConfigMap is what must change
			return failure(waitingOnCluster, orqv1alpha1.ReasonDependencyNotReady,
				"prompt ConfigMap not ready: ConfigMap %s/%s key %q (spec.systemPromptFrom) is empty", a.Namespace, ref.Name, ref.Key)
		}
		resolved.Spec.SystemPrompt, resolved.Spec.SystemPromptFrom = &text, nil
	}
	p.prompted = resolved
	return nil
}

// prompt returns the value of a ConfigMap key of an Agent's namespace (field names the spec field
// that refers to it). The ConfigMap's metadata comes from the watch's cache; its data is read from
// the API server only when its resourceVersion changed, and only the referenced key is kept. While
// the Agent is deleted, a ConfigMap deleted before it (a namespace being deleted) is taken as it
// was last read, so that its lost create can still be proved (see lostCreate).
func (r *AgentReconciler) prompt(ctx context.Context, a *orqv1alpha1.Agent, ref orqv1alpha1.ConfigMapKeyReference, field string) (string, error) {
	namespace := a.Namespace
	name := types.NamespacedName{Namespace: namespace, Name: ref.Name}
	source := name.String() + "/" + ref.Key
	if v, ok := r.unchanged(ctx, &r.prompts, "ConfigMap", name, source); ok {
		return v, nil
	}
	cm := &corev1.ConfigMap{}
	switch err := r.uncached(r.ConfigMapReader).Get(ctx, name, cm); {
	case apierrors.IsNotFound(err) && !a.DeletionTimestamp.IsZero():
		if v, ok := r.prompts.get(source); ok {
			return v.value, nil
		}
		return "", failure(waitingOnCluster, orqv1alpha1.ReasonDependencyNotReady,
			"prompt ConfigMap not found: ConfigMap %s/%s (spec.%s) does not exist", namespace, ref.Name, field)
	case apierrors.IsNotFound(err):
		r.prompts.forget(source)
		return "", failure(waitingOnCluster, orqv1alpha1.ReasonDependencyNotReady,
			"prompt ConfigMap not found: ConfigMap %s/%s (spec.%s) does not exist", namespace, ref.Name, field)
	case apierrors.IsForbidden(err):
		return "", failure(stalledSlow, orqv1alpha1.ReasonConfigMapUnreadable,
			"prompt ConfigMap not readable: the operator may not read ConfigMap %s/%s (spec.%s): grant it get on ConfigMaps in namespace %s",
			namespace, ref.Name, field, namespace)
	case err != nil:
		return "", err
	}
	value, ok := cm.Data[ref.Key]
	if !ok {
		r.prompts.forget(source)
		return "", failure(waitingOnCluster, orqv1alpha1.ReasonDependencyNotReady,
			"prompt ConfigMap not ready: ConfigMap %s/%s has no key %q (spec.%s)", namespace, ref.Name, ref.Key, field)
	}
	r.prompts.put(source, versionedValue{resourceVersion: cm.ResourceVersion, value: value})
	return value, nil
}

// agentsUsingConfigMap maps a ConfigMap to the Agents whose prompts come from it.
func (r *AgentReconciler) agentsUsingConfigMap(ctx context.Context, o client.Object) []reconcile.Request {
	return r.requestsByIndex(ctx, configMapIndex, client.ObjectKeyFromObject(o).String(), o.GetUID())
}

// configMapsOf is the configMapIndex value of an Agent.
func configMapsOf(o client.Object) []string {
	a := o.(*orqv1alpha1.Agent)
	var out []string
	for _, from := range []*orqv1alpha1.PromptSource{a.Spec.InstructionsFrom, a.Spec.SystemPromptFrom} {
		if from == nil {
			continue
		}
		if v := a.Namespace + "/" + from.ConfigMapKeyRef.Name; len(out) == 0 || out[0] != v {
			out = append(out, v)
		}
	}
	return out
}
