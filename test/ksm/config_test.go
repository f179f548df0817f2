package ksm

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"

	"k8s.io/kube-state-metrics/v2/pkg/customresourcestate"
)

// orqKinds are the kinds the configuration must cover, all of group orq.ai.
var orqKinds = []string{"Agent", "AgentSchedule", "KnowledgeBase", "MemoryStore", "Tool"}

// The configuration decodes strictly into kube-state-metrics' configuration type, and the strict
// decoding is no formality: a misspelt field is refused.
func TestConfigDecodesStrictly(t *testing.T) {
	m := config(t)
	if len(m.Spec.Resources) == 0 {
		t.Fatal("the configuration has no resource")
	}
	misspelt := strings.Replace(string(configText(t)), "labelsFromPath:", "labelFromPaths:", 1)
	if _, err := decodeStrict([]byte(misspelt)); err == nil {
		t.Fatal("a configuration with a misspelt field decoded: the decoding is not strict")
	}
}

// Each resource of the configuration is an orq.ai kind of config/crd/bases, at a version its CRD
// serves, under the plural kube-state-metrics derives (the CRD's), and kube-state-metrics compiles
// it into its metric families; every orq.ai kind is there once.
func TestConfigCoversEveryKind(t *testing.T) {
	defs := crds(t)
	var kinds []string
	for _, r := range config(t).Spec.Resources {
		gvk := r.GroupVersionKind
		kinds = append(kinds, gvk.Kind)
		c, ok := defs[gvk.Group+"/"+gvk.Kind]
		if !ok {
			t.Errorf("%s: no CRD of that group and kind in %s", gvk, crdBasesDir)
			continue
		}
		if !slices.ContainsFunc(c.Spec.Versions, func(v struct {
			Name   string `yaml:"name"`
			Served bool   `yaml:"served"`
			Schema struct {
				OpenAPIV3Schema *schema `yaml:"openAPIV3Schema"`
			} `yaml:"schema"`
		}) bool {
			return v.Name == gvk.Version && v.Served
		}) {
			t.Errorf("%s: the CRD serves no version %s", gvk, gvk.Version)
		}
		if got := r.GetResourceName(); got != c.Spec.Names.Plural {
			t.Errorf("%s: kube-state-metrics would list %q, the CRD's plural is %q", gvk, got, c.Spec.Names.Plural)
		}
		if _, err := customresourcestate.NewCustomResourceMetrics(r); err != nil {
			t.Errorf("%s: kube-state-metrics does not compile it: %v", gvk, err)
		}
	}
	sort.Strings(kinds)
	if !slices.Equal(kinds, orqKinds) {
		t.Errorf("the configuration covers %v, want each of %v once", kinds, orqKinds)
	}
	for key := range defs {
		if group, kind, _ := strings.Cut(key, "/"); group == "orq.ai" && !slices.Contains(orqKinds, kind) {
			t.Errorf("config/crd/bases has the kind %s, which the state metrics do not cover", kind)
		}
	}
}

// Every path of the configuration exists in the schema of its kind's CRD: the labels of the
// resource and of each metric (from the object), each metric's path, and its labels and value
// (from each element the path leads to). A path that does not exist yields no series, silently.
func TestConfigPathsExistInCRDs(t *testing.T) {
	defs := crds(t)
	for _, r := range config(t).Spec.Resources {
		gvk := r.GroupVersionKind
		root := versionSchema(t, defs[gvk.Group+"/"+gvk.Kind], gvk.Version)
		if root == nil {
			continue // TestConfigCoversEveryKind says why
		}
		check := func(where string, from *schema, path []string) {
			if _, missing := walk(from, path); missing != "" {
				t.Errorf("%s %s: %s: the CRD has no %s", gvk.Kind, where, strings.Join(path, "."), missing)
			}
		}
		for label, path := range r.LabelsFromPath {
			check("label "+label, root, path)
		}
		for _, g := range r.Metrics {
			for label, path := range g.LabelsFromPath {
				check(g.Name+" label "+label, root, path)
			}
			meta, valueFrom := metricMeta(g.Each)
			each, missing := walk(root, meta.Path)
			if missing != "" {
				t.Errorf("%s %s: path %s: the CRD has no %s", gvk.Kind, g.Name, strings.Join(meta.Path, "."), missing)
				continue
			}
			for label, path := range meta.LabelsFromPath {
				check(fmt.Sprintf("%s label %s (under %s)", g.Name, label, strings.Join(meta.Path, ".")), elements(each), path)
			}
			if valueFrom != nil {
				check(g.Name+" valueFrom", elements(each), valueFrom)
			}
		}
	}
}

func versionSchema(t *testing.T, c crd, version string) *schema {
	t.Helper()
	for _, v := range c.Spec.Versions {
		if v.Name == version {
			return v.Schema.OpenAPIV3Schema
		}
	}
	return nil
}

// metricMeta returns the path and labels of a metric, and its valueFrom when it has one.
func metricMeta(m customresourcestate.Metric) (customresourcestate.MetricMeta, []string) {
	switch {
	case m.Gauge != nil:
		return m.Gauge.MetricMeta, m.Gauge.ValueFrom
	case m.StateSet != nil:
		return m.StateSet.MetricMeta, m.StateSet.ValueFrom
	case m.Info != nil:
		return m.Info.MetricMeta, nil
	}
	return customresourcestate.MetricMeta{}, nil
}
