package manifest

import (
	"bytes"
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// decodeSecret reads a Secret as the apiserver stores it (stringData merged into data), refusing
// unknown fields and keys it would refuse, and keeps none of its values: see redactSecret.
func decodeSecret(raw []byte, source, namespace string) Manifests {
	s := &corev1.Secret{}
	err := strictJSON(raw, s)
	defaultNamespace(s, namespace)
	redactSecret(s) // before anything else: not even a refusal keeps a value
	if err != nil {
		return refused("Secret", s.Namespace, s.Name, source,
			apierrors.NewBadRequest(`Secret in version "v1" cannot be handled as a Secret: `+withheld(err)))
	}
	if errs := secretKeyErrors(s); len(errs) > 0 {
		return refused("Secret", s.Namespace, s.Name, source, apierrors.NewInvalid(corev1.SchemeGroupVersion.WithKind("Secret").GroupKind(), s.Name, errs))
	}
	return Manifests{Objects: []client.Object{s}}
}

// withheld is the message of a Secret's decoding error: the unknown or duplicate fields, which
// name fields only; any other (a value of the wrong type or encoding) may quote the value.
func withheld(err error) string {
	if runtime.IsStrictDecodingError(err) {
		return err.Error()
	}
	return "a value has the wrong type or encoding (data takes base64, stringData strings); the error is not shown, as it may quote a secret value"
}

// redactSecret replaces each value of s that is not blank by a placeholder naming its Secret and
// key. A plan needs no value: orq echoes none of the values the operator sends from Secrets (tool
// headers, schedule variables, knowledge base API keys), so no verdict depends on one; but whether
// a key is there, and empty (the operator waits on an empty value), decides verdicts, and stays.
// So a plan cannot print a secret value, even by mistake: it never holds one.
func redactSecret(s *corev1.Secret) {
	data := make(map[string][]byte, len(s.Data)+len(s.StringData))
	for k, v := range s.Data {
		data[k] = v
	}
	for k, v := range s.StringData { // stringData wins, as the apiserver merges it
		data[k] = []byte(v)
	}
	for k, v := range data {
		if len(bytes.TrimSpace(v)) > 0 {
			data[k] = []byte(Redacted(s.Namespace, s.Name, k))
		}
	}
	s.Data, s.StringData = data, nil
}

// Redacted is the placeholder a plan holds for the value of key of Secret namespace/name.
func Redacted(namespace, name, key string) string {
	return fmt.Sprintf("(redacted: the value of Secret %s/%s key %s)", namespace, name, key)
}

// secretKeyErrors are the apiserver's errors for the keys of a Secret.
func secretKeyErrors(s *corev1.Secret) field.ErrorList {
	var errs field.ErrorList
	for k := range s.Data {
		for _, msg := range validation.IsConfigMapKey(k) {
			errs = append(errs, field.Invalid(field.NewPath("data").Key(k), k, msg))
		}
	}
	if s.Name == "" {
		errs = append(errs, field.Required(field.NewPath("metadata", "name"), "name or generateName is required"))
	} else {
		for _, msg := range validation.IsDNS1123Subdomain(s.Name) {
			errs = append(errs, field.Invalid(field.NewPath("metadata", "name"), s.Name, strings.TrimSpace(msg)))
		}
	}
	return errs
}
