package policies

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"testing"

	. "github.com/onsi/gomega"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// The chart's policies are copies of the component's, byte for byte: one text of each policy.
func TestChartPoliciesAreTheComponents(t *testing.T) {
	g := NewWithT(t)
	for file := range policyFiles {
		want, err := os.ReadFile(filepath.Join(componentDir, "policies", file+".yaml"))
		g.Expect(err).NotTo(HaveOccurred())
		got, err := os.ReadFile(filepath.Join(chartDir, "policies", file+".yaml"))
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(bytes.Equal(got, want)).To(BeTrue(),
			"charts/orq-operator/policies/%s.yaml differs from config/components/policies/policies/%[1]s.yaml: copy it over", file)
	}
	entries, err := os.ReadDir(filepath.Join(chartDir, "policies"))
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(entries).To(HaveLen(len(policyFiles)), "charts/orq-operator/policies holds a file the component lacks")
}

// With release name orq-operator and every policy on, the chart renders what the component and
// all its bindings render, under the same names, with the same specs and settings.
func TestChartMatchesComponent(t *testing.T) {
	g := NewWithT(t)
	var set []string
	var bindings []string
	for file, key := range policyFiles {
		set = append(set, "--set", "policies."+key+".enabled=true")
		bindings = append(bindings, file)
	}
	chart := policyObjects(renderChart(t, set...))
	kust := renderComponent(t, bindings...)
	g.Expect(identities(chart)).To(Equal(identities(kust)))
	for _, k := range kust {
		c := find(chart, k.GetKind(), k.GetName())
		g.Expect(c).NotTo(BeNil())
		g.Expect(c.Object["spec"]).To(Equal(k.Object["spec"]), "%s %s: the chart's spec differs from the component's", k.GetKind(), k.GetName())
	}
}

// With its default values the chart renders no policy or binding.
func TestChartRendersNoPolicyByDefault(t *testing.T) {
	NewWithT(t).Expect(policyObjects(renderChart(t))).To(BeEmpty())
}

// policyObjects returns the policies and bindings of a rendering.
func policyObjects(objs []*unstructured.Unstructured) []*unstructured.Unstructured {
	var out []*unstructured.Unstructured
	for _, o := range objs {
		switch {
		case o.GetKind() == "ValidatingAdmissionPolicy", o.GetKind() == "ValidatingAdmissionPolicyBinding":
			out = append(out, o)
		}
	}
	return out
}

func find(objs []*unstructured.Unstructured, kind, name string) *unstructured.Unstructured {
	i := slices.IndexFunc(objs, func(o *unstructured.Unstructured) bool { return o.GetKind() == kind && o.GetName() == name })
	if i < 0 {
		return nil
	}
	return objs[i]
}

// identities returns kind/namespace/name of each object, sorted.
func identities(objs []*unstructured.Unstructured) []string {
	var ids []string
	for _, o := range objs {
		ids = append(ids, o.GetKind()+"/"+o.GetNamespace()+"/"+o.GetName())
	}
	sort.Strings(ids)
	return ids
}
