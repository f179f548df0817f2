package managed

import (
	"reflect"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
)

// The cache keeps of a Secret or ConfigMap no more than what identifies a version of it: no data,
// and neither labels nor annotations (kubectl's last-applied-configuration holds the data too).
func TestCacheKeepsSecretsAndConfigMapsAsIdentityOnly(t *testing.T) {
	transforms := map[string]func(any) (any, error){}
	for obj, by := range CacheOptions(NewRegistry(testKind{}), nil, nil).ByObject {
		switch obj.(type) {
		case *corev1.Secret:
			transforms["Secret"] = by.Transform
		case *corev1.ConfigMap:
			transforms["ConfigMap"] = by.Transform
		}
	}
	for _, kind := range []string{"Secret", "ConfigMap"} {
		t.Run(kind, func(t *testing.T) {
			transform := transforms[kind]
			if transform == nil {
				t.Fatalf("no cache options for %ss: they would be cached whole", kind)
			}
			m := &metav1.PartialObjectMetadata{ObjectMeta: metav1.ObjectMeta{
				Namespace: "team", Name: "creds", ResourceVersion: "42", UID: "u",
				Annotations:     map[string]string{lastApplied: `{"data":{"apiKey":"c2VjcmV0"}}`},
				Labels:          map[string]string{"a": "b"},
				ManagedFields:   []metav1.ManagedFieldsEntry{{Manager: "kubectl"}},
				OwnerReferences: []metav1.OwnerReference{{Name: "x"}},
				Finalizers:      []string{"f"},
			}}
			out, err := transform(m)
			if err != nil {
				t.Fatal(err)
			}
			want := metav1.ObjectMeta{Namespace: "team", Name: "creds", ResourceVersion: "42", UID: "u"}
			if got := out.(*metav1.PartialObjectMetadata).ObjectMeta; !reflect.DeepEqual(got, want) {
				t.Errorf("cached %+v, want %+v", got, want)
			}
		})
	}
}

// An object of a managed kind is cached without managedFields and kubectl's copy of its manifest;
// its spec, finalizers and other annotations stay.
func TestCacheStripsManagedObjects(t *testing.T) {
	var transform func(any) (any, error)
	for obj, by := range CacheOptions(NewRegistry(testKind{}), nil, nil).ByObject {
		if _, ok := obj.(*orqv1alpha1.Agent); ok {
			transform = by.Transform
		}
	}
	if transform == nil {
		t.Fatal("no cache options for the kind's objects")
	}
	for _, tc := range []struct {
		name     string
		in, want map[string]string
	}{
		{"kubectl's copy of the manifest goes", map[string]string{lastApplied: `{"spec":{}}`, orqv1alpha1.AnnotationSyncInterval: "5m"}, map[string]string{orqv1alpha1.AnnotationSyncInterval: "5m"}},
		{"no annotation left: nil", map[string]string{lastApplied: `{"spec":{}}`}, nil},
		{"other annotations stay", map[string]string{orqv1alpha1.AnnotationCreateAttempt: "t"}, map[string]string{orqv1alpha1.AnnotationCreateAttempt: "t"}},
		{"none", nil, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := &orqv1alpha1.Agent{ObjectMeta: metav1.ObjectMeta{Name: "bot", Annotations: tc.in,
				ManagedFields: []metav1.ManagedFieldsEntry{{Manager: "kubectl"}}, Finalizers: []string{orqv1alpha1.FinalizerName}}}
			a.Spec.Role = "Support"
			out, err := transform(a)
			if err != nil {
				t.Fatal(err)
			}
			got := out.(*orqv1alpha1.Agent)
			if !reflect.DeepEqual(got.Annotations, tc.want) || got.ManagedFields != nil {
				t.Errorf("annotations %v, managedFields %v; want %v and none", got.Annotations, got.ManagedFields, tc.want)
			}
			if got.Spec.Role != "Support" || !reflect.DeepEqual(got.Finalizers, []string{orqv1alpha1.FinalizerName}) {
				t.Errorf("the spec or the finalizers changed: %+v", got)
			}
		})
	}
}
