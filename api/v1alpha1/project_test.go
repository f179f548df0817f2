package v1alpha1

import (
	"os"
	"testing"

	"sigs.k8s.io/yaml"
)

// The kubebuilder PROJECT file describes this API as it is: kubebuilder's tooling reads it.
func TestProjectFileIsTrue(t *testing.T) {
	raw, err := os.ReadFile("../../PROJECT")
	if err != nil {
		t.Fatal(err)
	}
	var project struct {
		Domain    string   `json:"domain"`
		Layout    []string `json:"layout"`
		Repo      string   `json:"repo"`
		Resources []struct {
			Domain, Group, Kind, Path, Version string
			Controller                         bool
			API                                struct{ Namespaced bool } `json:"api"`
		} `json:"resources"`
	}
	if err := yaml.Unmarshal(raw, &project); err != nil {
		t.Fatal(err)
	}
	if len(project.Resources) != 1 || len(project.Layout) != 1 || project.Layout[0] != "go.kubebuilder.io/v4" {
		t.Fatalf("PROJECT: %+v", project)
	}
	r := project.Resources[0]
	if r.Group+"."+r.Domain != GroupVersion.Group || r.Domain != project.Domain || r.Version != GroupVersion.Version || r.Kind != "Agent" {
		t.Errorf("PROJECT names %s.%s/%s %s, the API is %s", r.Group, r.Domain, r.Version, r.Kind, GroupVersion)
	}
	if r.Path != project.Repo+"/api/v1alpha1" || !r.Controller || !r.API.Namespaced {
		t.Errorf("PROJECT resource %+v", r)
	}
	if _, err := os.Stat("../../internal/controller/reconciler.go"); err != nil {
		t.Errorf("the controller PROJECT promises: %v", err)
	}
}
