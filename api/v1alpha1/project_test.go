package v1alpha1

import (
	"os"
	"reflect"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/runtime"

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
	if len(project.Layout) != 1 || project.Layout[0] != "go.kubebuilder.io/v4" {
		t.Fatalf("PROJECT: %+v", project)
	}
	s := runtime.NewScheme()
	if err := AddToScheme(s); err != nil {
		t.Fatal(err)
	}
	listed := map[string]bool{}
	for _, r := range project.Resources {
		listed[r.Kind] = true
		if r.Group+"."+r.Domain != GroupVersion.Group || r.Domain != project.Domain || r.Version != GroupVersion.Version || !s.Recognizes(GroupVersion.WithKind(r.Kind)) {
			t.Errorf("PROJECT names %s.%s/%s %s, which the API %s does not serve", r.Group, r.Domain, r.Version, r.Kind, GroupVersion)
		}
		if r.Path != project.Repo+"/api/v1alpha1" || !r.Controller || !r.API.Namespaced {
			t.Errorf("PROJECT resource %+v", r)
		}
		if _, err := os.Stat("../../internal/kinds/" + strings.ToLower(r.Kind)); err != nil {
			t.Errorf("the controller PROJECT promises for %s: %v", r.Kind, err)
		}
	}
	own := reflect.TypeOf(Agent{}).PkgPath()
	for gvk, typ := range s.AllKnownTypes() {
		if gvk.GroupVersion() == GroupVersion && typ.PkgPath() == own && !strings.HasSuffix(gvk.Kind, "List") && !listed[gvk.Kind] {
			t.Errorf("PROJECT does not list the kind %s", gvk.Kind)
		}
	}
}
