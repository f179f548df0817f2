package main

import (
	"context"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
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

// withLiveState gives each Agent of objects what the cluster holds of the same Agent, when it is
// there: its identity (UID, creation time), finalizers, create marker and status. The operator
// decides from them: status.id names the orq agent this Agent holds, so without it an agent the
// operator created looks like one it may not adopt. It only reads.
func withLiveState(ctx context.Context, c client.Reader, objects []client.Object) error {
	for _, o := range objects {
		a, ok := o.(*orqv1alpha1.Agent)
		if !ok {
			continue
		}
		live := &orqv1alpha1.Agent{}
		switch err := c.Get(ctx, client.ObjectKeyFromObject(a), live); {
		case apierrors.IsNotFound(err):
			continue // new to the cluster: planned as such
		case err != nil:
			return err
		}
		a.UID, a.CreationTimestamp, a.Finalizers = live.UID, live.CreationTimestamp, live.Finalizers
		a.Generation = live.Generation
		if v, ok := live.Annotations[orqv1alpha1.AnnotationCreateAttempt]; ok {
			metav1.SetMetaDataAnnotation(&a.ObjectMeta, orqv1alpha1.AnnotationCreateAttempt, v)
		}
		a.Status = live.Status
	}
	return nil
}
