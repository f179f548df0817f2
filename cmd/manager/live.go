package main

import (
	"context"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
)

// liveReader is a client of the cluster of the kubeconfig, for plan --live.
func liveReader() (client.Reader, error) {
	cfg, err := ctrl.GetConfig()
	if err != nil {
		return nil, err
	}
	return client.New(cfg, client.Options{Scheme: scheme})
}

// withLiveState reads the Agents of the cluster (a list, nothing written). Each Agent of objects
// that is there gets what the cluster holds of it: its identity (UID, creation time), finalizers,
// create marker and status. The operator decides from them: status.id names the orq agent an
// Agent holds, so without it an agent the operator created looks like one it may not adopt. The
// other Agents of the cluster are returned: they hold keys and answer agentRefs.
func withLiveState(ctx context.Context, c client.Reader, objects []client.Object) ([]client.Object, error) {
	var list orqv1alpha1.AgentList
	if err := c.List(ctx, &list); err != nil {
		return nil, err
	}
	live := map[client.ObjectKey]*orqv1alpha1.Agent{}
	for i := range list.Items {
		live[client.ObjectKeyFromObject(&list.Items[i])] = &list.Items[i]
	}
	for _, o := range objects {
		a, ok := o.(*orqv1alpha1.Agent)
		if !ok || live[client.ObjectKeyFromObject(a)] == nil {
			continue // new to the cluster: planned as such
		}
		l := live[client.ObjectKeyFromObject(a)]
		delete(live, client.ObjectKeyFromObject(a))
		a.UID, a.CreationTimestamp, a.Finalizers, a.Generation = l.UID, l.CreationTimestamp, l.Finalizers, l.Generation
		if v, ok := l.Annotations[orqv1alpha1.AnnotationCreateAttempt]; ok {
			metav1.SetMetaDataAnnotation(&a.ObjectMeta, orqv1alpha1.AnnotationCreateAttempt, v)
		}
		a.Status = l.Status
	}
	others := make([]client.Object, 0, len(live))
	for i := range list.Items {
		if a := &list.Items[i]; live[client.ObjectKeyFromObject(a)] != nil {
			others = append(others, a)
		}
	}
	return others, nil
}
