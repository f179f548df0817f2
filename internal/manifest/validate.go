package manifest

import (
	"context"
	"fmt"

	structuralschema "k8s.io/apiextensions-apiserver/pkg/apiserver/schema"
	structuraldefaulting "k8s.io/apiextensions-apiserver/pkg/apiserver/schema/defaulting"
	structurallisttype "k8s.io/apiextensions-apiserver/pkg/apiserver/schema/listtype"
	schemaobjectmeta "k8s.io/apiextensions-apiserver/pkg/apiserver/schema/objectmeta"
	structuralpruning "k8s.io/apiextensions-apiserver/pkg/apiserver/schema/pruning"
	apiservervalidation "k8s.io/apiextensions-apiserver/pkg/apiserver/validation"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	apimachineryvalidation "k8s.io/apimachinery/pkg/api/validation"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation/field"
	celconfig "k8s.io/apiserver/pkg/apis/cel"
)

// admit does to u what the apiserver does to a create of it, when u is of a kind of the
// embedded CRDs (the CRD is chosen by u's group and kind): unknown fields are refused, as under
// kubectl's strict field validation; the CRD's defaults are set, in u; then u is checked as the
// apiserver checks it: its metadata, the OpenAPI schema, list types and the CEL rules. A
// namespaced object without a namespace gets namespace first, as kubectl apply gives it.
//
// ok is false for a kind of no embedded CRD (u is left as it is). refusal is what the apiserver
// would answer (an *apierrors.StatusError: BadRequest, or Invalid with the field errors), nil
// when it would store u. err is a CRD the apiserver would not serve: a fault of this build.
func admit(ctx context.Context, u *unstructured.Unstructured, namespace string) (ok bool, refusal, err error) {
	kinds, err := embeddedKinds()
	if err != nil {
		return false, nil, fmt.Errorf("the embedded CRDs: %w", err)
	}
	ok, refusal = kinds.admit(ctx, u, namespace)
	return ok, refusal, nil
}

// admit is admit with the CRDs of kinds.
func (kinds kindSet) admit(ctx context.Context, u *unstructured.Unstructured, namespace string) (ok bool, refusal error) {
	gvk := u.GroupVersionKind()
	k := kinds[gvk.GroupKind()]
	if k == nil {
		return false, nil
	}
	v := k.versions[gvk.Version]
	if v == nil {
		return true, apierrors.NewBadRequest((&meta.NoKindMatchError{GroupKind: gvk.GroupKind(), SearchedVersions: []string{gvk.Version}}).Error())
	}
	if k.namespaced && u.GetNamespace() == "" {
		u.SetNamespace(namespace)
	}
	if unknown := unknownFields(u, v.structural); len(unknown) > 0 {
		return true, apierrors.NewBadRequest(fmt.Sprintf("%s in version %q cannot be handled as a %s: %v",
			gvk.Kind, gvk.Version, gvk.Kind, runtime.NewStrictDecodingError(unknown)))
	}
	structuraldefaulting.PruneNonNullableNullsWithoutDefaults(u.Object, v.structural)
	structuraldefaulting.Default(u.Object, v.structural)
	if errs := v.validate(ctx, u, k.namespaced); len(errs) > 0 {
		return true, apierrors.NewInvalid(gvk.GroupKind(), u.GetName(), errs)
	}
	return true, nil
}

// unknownFields prunes what the schema does not declare, in metadata too, and returns it as the
// apiserver's strict decoding errors.
func unknownFields(u *unstructured.Unstructured, s *structuralschema.Structural) []error {
	var out []error
	_, _, inMeta, err := schemaobjectmeta.GetObjectMetaWithOptions(u.Object, schemaobjectmeta.ObjectMetaOptions{ReturnUnknownFieldPaths: true})
	if err != nil {
		return []error{err}
	}
	paths := append(inMeta, structuralpruning.PruneWithOptions(u.Object, s, true, structuralschema.UnknownFieldPathOptions{TrackUnknownFieldPaths: true})...)
	for _, p := range paths {
		out = append(out, fmt.Errorf("unknown field %q", p))
	}
	return out
}

// validate checks a defaulted object as the apiserver's custom resource strategy does on create.
func (v *versionSchema) validate(ctx context.Context, u *unstructured.Unstructured, namespaced bool) field.ErrorList {
	m, _, err := schemaobjectmeta.GetObjectMeta(u.Object, false)
	if err != nil {
		return field.ErrorList{field.Invalid(field.NewPath("metadata"), u.Object["metadata"], err.Error())}
	}
	if m == nil {
		m = &metav1.ObjectMeta{} // no metadata: checked as empty, as the apiserver does
	}
	errs := apimachineryvalidation.ValidateObjectMeta(m, namespaced, apimachineryvalidation.NameIsDNSSubdomain, field.NewPath("metadata"))
	errs = append(errs, apiservervalidation.ValidateCustomResource(nil, u.Object, v.openAPI)...)
	errs = append(errs, schemaobjectmeta.Validate(ctx, nil, u.Object, v.structural, false)...)
	errs = append(errs, structurallisttype.ValidateListSetsAndMaps(nil, v.structural, u.Object)...)
	if v.rules == nil {
		return errs
	}
	if blocking(errs) {
		// As the apiserver: the rules may assume what the schema failed to ensure.
		return append(errs, field.Invalid(nil, nil, "some validation rules were not checked because the object was invalid; correct the existing errors to complete validation"))
	}
	ruleErrs, _ := v.rules.Validate(ctx, nil, v.structural, u.Object, nil, celconfig.RuntimeCELCostBudget)
	return append(errs, ruleErrs...)
}

// blocking tells whether errs hold an error after which the apiserver does not run CEL rules.
func blocking(errs field.ErrorList) bool {
	for _, e := range errs {
		switch e.Type {
		case field.ErrorTypeNotSupported, field.ErrorTypeRequired, field.ErrorTypeTooLong, field.ErrorTypeTooMany, field.ErrorTypeTypeInvalid:
			return true
		}
	}
	return false
}
