package packaging

import (
	"os"
	"path/filepath"
	"slices"
	"sort"
	"testing"

	. "github.com/onsi/gomega"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/discovery"
	"sigs.k8s.io/yaml"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
)

// category is what `kubectl get orq` lists: every kind of the operator.
const category = "orq"

// Both packagings install every CRD of config/crd/bases: config/crd/kustomization.yaml lists each
// file, and the chart renders each.
func TestEveryCRDIsInstalled(t *testing.T) {
	g := NewWithT(t)
	bases := crdBases(t)
	var kustomization struct {
		Resources []string `json:"resources"`
	}
	raw, err := os.ReadFile(filepath.Join(repoRoot, "config", "crd", "kustomization.yaml"))
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(yaml.Unmarshal(raw, &kustomization)).To(Succeed())
	var files []string
	for _, name := range yamlFiles(t, crdBasesDir) {
		files = append(files, "bases/"+name)
	}
	g.Expect(kustomization.Resources).To(ConsistOf(files), "config/crd/kustomization.yaml must list every file of config/crd/bases")

	chart := byName(ofKind(renderChart(t, "default"), "CustomResourceDefinition"))
	g.Expect(sortedKeys(chart)).To(Equal(sortedKeys(bases)), "the chart must install every CRD of config/crd/bases")
}

// `kubectl get orq` lists every kind: each CRD is in category orq, and the apiserver's discovery,
// which kubectl expands categories from, says so for each resource of the group.
func TestKubectlGetOrqListsEveryKind(t *testing.T) {
	g := NewWithT(t)
	bases := crdBases(t)
	var plurals []string
	for name, def := range bases {
		g.Expect(def.Spec.Group).To(Equal(orqv1alpha1.GroupVersion.Group), "CRD %s", name)
		g.Expect(def.Spec.Names.Categories).To(ContainElement(category), "CRD %s: +kubebuilder:resource:categories=%s", name, category)
		plurals = append(plurals, def.Spec.Names.Plural)
	}
	g.Expect(plurals).To(ContainElements("agents", "tools", "knowledgebases", "memorystores", "agentschedules"))

	apiServer(t)
	dc, err := discovery.NewDiscoveryClientForConfig(testEnv.Config)
	g.Expect(err).NotTo(HaveOccurred())
	list, err := dc.ServerResourcesForGroupVersion(orqv1alpha1.GroupVersion.String())
	g.Expect(err).NotTo(HaveOccurred())
	var inCategory []string
	for _, r := range list.APIResources {
		if slices.Contains(r.Categories, category) {
			inCategory = append(inCategory, r.Name)
		}
	}
	g.Expect(inCategory).To(ConsistOf(plurals), "the resources the apiserver lists in category %s", category)
}

// crdBases reads the CRDs of config/crd/bases, by name.
func crdBases(t *testing.T) map[string]*apiextensionsv1.CustomResourceDefinition {
	t.Helper()
	defs := map[string]*apiextensionsv1.CustomResourceDefinition{}
	for _, name := range yamlFiles(t, crdBasesDir) {
		raw, err := os.ReadFile(filepath.Join(crdBasesDir, name))
		if err != nil {
			t.Fatal(err)
		}
		def := &apiextensionsv1.CustomResourceDefinition{}
		if err := yaml.UnmarshalStrict(raw, def); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		defs[def.Name] = def
	}
	return defs
}

// ofKind returns the objects of kind.
func ofKind(objs []*unstructured.Unstructured, kind string) []*unstructured.Unstructured {
	var out []*unstructured.Unstructured
	for _, o := range objs {
		if o.GetKind() == kind {
			out = append(out, o)
		}
	}
	return out
}

// byName indexes objects by name.
func byName(objs []*unstructured.Unstructured) map[string]*unstructured.Unstructured {
	out := map[string]*unstructured.Unstructured{}
	for _, o := range objs {
		out[o.GetName()] = o
	}
	return out
}

// sortedKeys returns the keys of a map, sorted.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
