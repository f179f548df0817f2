// Package v1alpha1 contains the v1alpha1 API of the orq.ai group: the Agent kind, which
// declares an agent of an orq.ai workspace.
// +kubebuilder:object:generate=true
// +groupName=orq.ai
package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

var (
	// GroupVersion is the group and version of this API.
	GroupVersion = schema.GroupVersion{Group: "orq.ai", Version: "v1alpha1"}

	// SchemeBuilder adds the types of this API to a scheme.
	SchemeBuilder = runtime.NewSchemeBuilder(addKnownTypes)

	// AddToScheme adds the types of this API to a scheme.
	AddToScheme = SchemeBuilder.AddToScheme
)

// addKnownTypes registers the kinds of this API with the scheme.
func addKnownTypes(s *runtime.Scheme) error {
	s.AddKnownTypes(GroupVersion, &Agent{}, &AgentList{}, &Tool{}, &ToolList{}, &KnowledgeBase{}, &KnowledgeBaseList{},
		&MemoryStore{}, &MemoryStoreList{}, &AgentSchedule{}, &AgentScheduleList{})
	metav1.AddToGroupVersion(s, GroupVersion)
	return nil
}
