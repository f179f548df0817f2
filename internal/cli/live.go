package cli

import (
	"context"
	"fmt"
	"reflect"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
	"github.com/orq-ai/orq-operator/internal/managed"
)

// withLiveState reads the objects of every kind of kinds in the cluster (lists, nothing written).
// Each object of objects that is there gets what the cluster holds of it: its identity (UID,
// creation time, generation), finalizers, create marker and status. The operator decides from
// them: status.id names the remote object an object holds, so without it a remote object the
// operator created looks like one it may not adopt. The cluster's other objects are returned:
// they hold keys and answer references. So are the ConfigMaps that objects reference and that
// objects do not hold (prompts). Secrets are not read: a plan holds no secret value (the value
// of a Secret the manifests do not hold is planned as a placeholder).
func withLiveState(ctx context.Context, c client.Reader, kinds *managed.Registry, objects []client.Object) ([]client.Object, error) {
	live := map[string]managed.Object{}
	var all []managed.Object
	for _, k := range kinds.All() {
		list := k.NewList()
		if err := c.List(ctx, list); err != nil {
			return nil, fmt.Errorf("listing %ss: %w", k.Name(), err)
		}
		for _, o := range k.Items(list) {
			live[identity(o)] = o
			all = append(all, o)
		}
	}
	given := map[string]bool{}
	for _, o := range objects {
		given[identity(o)] = true
		m, ok := o.(managed.Object)
		if !ok || live[identity(o)] == nil {
			continue // not of a managed kind, or new to the cluster: planned as such
		}
		if err := takeClusterState(m, live[identity(o)]); err != nil {
			return nil, err
		}
	}
	var others []client.Object
	for _, o := range all {
		if !given[identity(o)] {
			others = append(others, o)
		}
	}
	configMaps, err := referencedConfigMaps(ctx, c, kinds, objects, given)
	if err != nil {
		return nil, err
	}
	return append(others, configMaps...), nil
}

// identity names an object by its Go type, namespace and name.
func identity(o client.Object) string {
	return fmt.Sprintf("%T %s", o, client.ObjectKeyFromObject(o))
}

// takeClusterState gives o the cluster's state of it, l: the status of o's kind, whatever it is,
// and what the apiserver keeps in the metadata of an applied object.
func takeClusterState(o, l managed.Object) error {
	dst, src := reflect.ValueOf(o).Elem().FieldByName("Status"), reflect.ValueOf(l.DeepCopyObject()).Elem().FieldByName("Status")
	if !dst.IsValid() || !src.IsValid() || dst.Type() != src.Type() {
		return fmt.Errorf("%T has no status to take from the cluster", o)
	}
	dst.Set(src)
	o.SetUID(l.GetUID())
	o.SetCreationTimestamp(l.GetCreationTimestamp())
	o.SetFinalizers(l.GetFinalizers())
	o.SetGeneration(l.GetGeneration())
	if v, ok := l.GetAnnotations()[orqv1alpha1.AnnotationCreateAttempt]; ok {
		annotations := o.GetAnnotations()
		if annotations == nil {
			annotations = map[string]string{}
		}
		annotations[orqv1alpha1.AnnotationCreateAttempt] = v
		o.SetAnnotations(annotations)
	}
	return nil
}

// referencedConfigMaps reads the ConfigMaps that objects of managed kinds reference and that
// given does not hold; one that is not there is left out (the plan blocks on it, as the operator
// would wait).
func referencedConfigMaps(ctx context.Context, c client.Reader, kinds *managed.Registry, objects []client.Object, given map[string]bool) ([]client.Object, error) {
	var out []client.Object
	for _, o := range objects {
		m, ok := o.(managed.Object)
		k, known := kinds.KindOf(o)
		if !ok || !known {
			continue
		}
		for _, ref := range k.References(m) {
			cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: ref.Namespace, Name: ref.Name}}
			if ref.Kind != "ConfigMap" || given[identity(cm)] {
				continue
			}
			given[identity(cm)] = true
			switch err := c.Get(ctx, client.ObjectKeyFromObject(cm), cm); {
			case apierrors.IsNotFound(err):
			case err != nil:
				return nil, fmt.Errorf("reading ConfigMap %s/%s (%s): %w", ref.Namespace, ref.Name, ref.Field, err)
			default:
				out = append(out, cm)
			}
		}
	}
	return out, nil
}
