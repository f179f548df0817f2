package manifest

import (
	"fmt"
	"sync"

	"k8s.io/apiextensions-apiserver/pkg/apis/apiextensions"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	structuralschema "k8s.io/apiextensions-apiserver/pkg/apiserver/schema"
	structuraldefaulting "k8s.io/apiextensions-apiserver/pkg/apiserver/schema/defaulting"
	"sigs.k8s.io/yaml"

	"github.com/orq-ai/orq-operator/config/crd"
)

// agentSchema is the structural schema of the Agent CRD, from the CRD the operator installs.
var agentSchema = sync.OnceValues(func() (*structuralschema.Structural, error) {
	var v1 apiextensionsv1.CustomResourceDefinition
	if err := yaml.UnmarshalStrict(crd.Agents, &v1); err != nil {
		return nil, err
	}
	var internal apiextensions.CustomResourceDefinition
	if err := apiextensionsv1.Convert_v1_CustomResourceDefinition_To_apiextensions_CustomResourceDefinition(&v1, &internal, nil); err != nil {
		return nil, err
	}
	props := internal.Spec.Validation.OpenAPIV3Schema
	if len(internal.Spec.Versions) > 0 && internal.Spec.Versions[0].Schema != nil {
		props = internal.Spec.Versions[0].Schema.OpenAPIV3Schema
	}
	if props == nil {
		return nil, fmt.Errorf("the Agent CRD has no schema")
	}
	return structuralschema.NewStructural(props)
})

// applyDefaults sets the CRD's defaults in a decoded Agent, as the apiserver does when it is
// created: the operator computes its request from the defaulted spec, so the plan must too.
func applyDefaults(obj map[string]any) error {
	s, err := agentSchema()
	if err != nil {
		return fmt.Errorf("the Agent CRD: %w", err)
	}
	structuraldefaulting.Default(obj, s)
	return nil
}
