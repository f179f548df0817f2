package agentdiff

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/orq-ai/orq-operator/internal/openapi"
)

func TestUpdateRequestPublishesTheVersion(t *testing.T) {
	cases := []struct {
		name                   string
		increment, description string
		want                   Object
	}{
		{"no version", "", "", Object{"role": "r"}},
		{"version", "minor", "", Object{"role": "r", "versionIncrement": "minor"}},
		{"version and description", "major", "new tools", Object{"role": "r", "versionIncrement": "major", "versionDescription": "new tools"}},
		{"a description alone publishes nothing", "", "new tools", Object{"role": "r"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a := minimalAgent()
			a.Spec.Role = "r"
			a.Spec.VersionIncrement, a.Spec.VersionDescription = tc.increment, tc.description
			desired, err := Desired(a)
			if err != nil {
				t.Fatal(err)
			}
			if _, ok := desired["version_increment"]; ok {
				t.Errorf("the desired agent carries version_increment: %v", desired)
			}
			if got := UpdateRequest(a, desired, []string{"role"}); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("UpdateRequest = %#v, want %#v", got, tc.want)
			}
		})
	}
}

// TestUpdateRequestIsValid checks a complete update, version fields included, against the
// update request schema of the OpenAPI document.
func TestUpdateRequestIsValid(t *testing.T) {
	spec := openapi.ForTest(t)
	a := fullAgent()
	a.Spec.VersionIncrement, a.Spec.VersionDescription = "patch", "tuned the temperature"
	desired, err := Desired(a)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := json.Marshal(UpdateRequest(a, desired, sortedFields()))
	if err := spec.ValidateUpdateRequest(raw); err != nil {
		t.Errorf("update request refused by the OpenAPI schema: %v\n%s", err, raw)
	}
}
