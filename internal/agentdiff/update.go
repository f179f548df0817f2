package agentdiff

import orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"

// The update request's version fields, in the API's spelling (camelCase, unlike the rest).
const (
	versionIncrementKey   = "versionIncrement"
	versionDescriptionKey = "versionDescription"
)

// UpdateRequest returns the complete PATCH body for the agent: Patch of the changed fields, and,
// when spec.versionIncrement is set, the version to publish with its description. Desired leaves
// the version fields out (they are not part of the agent, so they never show as a difference).
func UpdateRequest(a *orqv1alpha1.Agent, desired Object, changed []string) Object {
	body := Patch(desired, changed)
	if v := a.Spec.VersionIncrement; v != "" {
		body[versionIncrementKey] = v
		// The description describes the version published, so it goes only with an increment.
		if d := a.Spec.VersionDescription; d != "" {
			body[versionDescriptionKey] = d
		}
	}
	return body
}
