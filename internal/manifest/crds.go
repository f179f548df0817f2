package manifest

import (
	"fmt"
	"io/fs"
	"sync"

	"k8s.io/apiextensions-apiserver/pkg/apihelpers"
	"k8s.io/apiextensions-apiserver/pkg/apis/apiextensions"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	structuralschema "k8s.io/apiextensions-apiserver/pkg/apiserver/schema"
	"k8s.io/apiextensions-apiserver/pkg/apiserver/schema/cel"
	structuraldefaulting "k8s.io/apiextensions-apiserver/pkg/apiserver/schema/defaulting"
	apiservervalidation "k8s.io/apiextensions-apiserver/pkg/apiserver/validation"
	"k8s.io/apimachinery/pkg/runtime/schema"
	celconfig "k8s.io/apiserver/pkg/apis/cel"
	"sigs.k8s.io/yaml"

	"github.com/orq-ai/orq-operator/config/crd"
)

// kindSet holds kinds of CRDs by group and kind.
type kindSet map[schema.GroupKind]*crdKind

// crdKind is a kind of the embedded CRDs, as the apiserver serves it.
type crdKind struct {
	namespaced bool
	// versions are its served versions, by name.
	versions map[string]*versionSchema
}

// versionSchema is what the apiserver builds from one version's schema to take a create.
type versionSchema struct {
	// structural prunes, defaults and checks the embedded metadata and list types; its defaults
	// are pruned of unknown fields, as the apiserver holds it.
	structural *structuralschema.Structural
	// openAPI checks the OpenAPI constraints (types, bounds, patterns, enums, required).
	openAPI apiservervalidation.SchemaValidator
	// rules checks the x-kubernetes-validations (CEL); nil when the schema has none.
	rules *cel.Validator
}

// embeddedKinds are the kinds of the CRDs of config/crd/bases, by group and kind, loaded once.
var embeddedKinds = sync.OnceValues(func() (kindSet, error) {
	return loadKinds(crd.Bases)
})

// loadKinds reads every CRD of fsys, the *.yaml files of its directories (crd.Bases: bases/).
func loadKinds(fsys fs.FS) (kindSet, error) {
	files, err := fs.Glob(fsys, "*/*.yaml")
	if err != nil {
		return nil, err
	}
	kinds := kindSet{}
	for _, f := range files {
		raw, err := fs.ReadFile(fsys, f)
		if err != nil {
			return nil, err
		}
		var def apiextensionsv1.CustomResourceDefinition
		if err := yaml.UnmarshalStrict(raw, &def); err != nil {
			return nil, fmt.Errorf("CRD %s: %w", f, err)
		}
		k, err := kindOf(&def)
		if err != nil {
			return nil, fmt.Errorf("CRD %s: %w", def.Name, err)
		}
		kinds[schema.GroupKind{Group: def.Spec.Group, Kind: def.Spec.Names.Kind}] = k
	}
	return kinds, nil
}

func kindOf(def *apiextensionsv1.CustomResourceDefinition) (*crdKind, error) {
	k := &crdKind{namespaced: def.Spec.Scope == apiextensionsv1.NamespaceScoped, versions: map[string]*versionSchema{}}
	for _, v := range def.Spec.Versions {
		if !v.Served {
			continue
		}
		val, err := apihelpers.GetSchemaForVersion(def, v.Name)
		if err != nil {
			return nil, err
		}
		if val == nil || val.OpenAPIV3Schema == nil {
			return nil, fmt.Errorf("version %s has no schema", v.Name)
		}
		vs, err := versionOf(val)
		if err != nil {
			return nil, fmt.Errorf("version %s: %w", v.Name, err)
		}
		k.versions[v.Name] = vs
	}
	return k, nil
}

// versionOf builds the checks of one version as the apiserver's CRD handler does.
func versionOf(val *apiextensionsv1.CustomResourceValidation) (*versionSchema, error) {
	var internal apiextensions.CustomResourceValidation
	if err := apiextensionsv1.Convert_v1_CustomResourceValidation_To_apiextensions_CustomResourceValidation(val, &internal, nil); err != nil {
		return nil, err
	}
	s, err := structuralschema.NewStructural(internal.OpenAPIV3Schema)
	if err != nil {
		return nil, err
	}
	s = s.DeepCopy() // PruneDefaults changes the defaults in place; the apiserver copies first too
	if err := structuraldefaulting.PruneDefaults(s); err != nil {
		return nil, err
	}
	openAPI, _, err := apiservervalidation.NewSchemaValidator(internal.OpenAPIV3Schema)
	if err != nil {
		return nil, err
	}
	return &versionSchema{structural: s, openAPI: openAPI, rules: cel.NewValidator(s, true, celconfig.PerCallLimit)}, nil
}
