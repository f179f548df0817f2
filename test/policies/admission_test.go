package policies

import (
	"context"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

const (
	// bindTimeout bounds how long the apiserver takes to start (or stop) enforcing a binding:
	// it learns of policies and bindings through informers.
	bindTimeout = 30 * time.Second
	poll        = 200 * time.Millisecond
)

// Each policy, as the chart renders it with values other than the defaults, refuses what breaks
// its rule, admits what keeps it, and refuses nothing once unbound.
func TestChartPoliciesOnAPIServer(t *testing.T) {
	s := settings{labelKey: "platform.example.com/approved-by", maxIterations: 10, maxTools: 3, maxCost: "2.5"}
	args := []string{
		"--set", "policies.requireAdoptionApproval.labelKey=" + s.labelKey,
		"--set", "policies.agentLimits.maxIterations=10,policies.agentLimits.maxTools=3",
		"--set-json", "policies.agentLimits.maxCost=2.5",
	}
	for _, key := range policyFiles {
		args = append(args, "--set", "policies."+key+".enabled=true")
	}
	rendered := policyObjects(renderChart(t, args...))
	exercise(t, apiServer(t), rendered, s)
}

// The same with the kustomize component, its bindings, and its default parameters.
func TestComponentPoliciesOnAPIServer(t *testing.T) {
	var bindings []string
	for file := range policyFiles {
		bindings = append(bindings, file)
	}
	rendered := renderComponent(t, bindings...)
	exercise(t, apiServer(t), rendered, componentDefaults)
}

// exercise installs the rendered policies, then their bindings, and checks every
// admission of s; then it removes the bindings and checks that nothing is refused any more.
func exercise(t *testing.T, k8s client.Client, rendered []*unstructured.Unstructured, s settings) {
	ctx := context.Background()
	namespaces(t, k8s)
	bindings := ofKind(rendered, "ValidatingAdmissionPolicyBinding")
	if len(bindings) != len(policyFiles) {
		t.Fatalf("the rendering has %d bindings, want %d", len(bindings), len(policyFiles))
	}
	for _, o := range rendered {
		if o.GetKind() != "ValidatingAdmissionPolicyBinding" {
			create(t, k8s, o)
		}
	}
	// Made before any binding, with what require-orphan refuses.
	existing := with(agent(prod), "Delete", "spec", "deletionPolicy")
	existing.SetName("existing")
	NewWithT(t).Expect(k8s.Create(ctx, existing)).To(Succeed())
	t.Cleanup(func() { _ = k8s.Delete(ctx, existing) })

	for _, b := range bindings {
		create(t, k8s, b)
	}
	cases := admissions(s)
	t.Run("bound", func(t *testing.T) {
		// Refusals first: once each policy refuses, its binding is in force, and an admission
		// means the policy admits.
		for _, c := range cases {
			if c.refused() {
				t.Run(c.name, func(t *testing.T) {
					NewWithT(t).Eventually(func(g Gomega) { g.Expect(dryRun(k8s, c.obj)).To(refusedWith(c.refusedBy, c.message)) }, bindTimeout, poll).Should(Succeed())
				})
			}
		}
		for _, c := range cases {
			if !c.refused() {
				t.Run(c.name, func(t *testing.T) { NewWithT(t).Expect(dryRun(k8s, c.obj)).To(Succeed()) })
			}
		}
	})
	t.Run("an object made before the bindings", func(t *testing.T) {
		existingObject(t, k8s, existing)
	})
	for _, b := range bindings {
		NewWithT(t).Expect(k8s.Delete(ctx, b.DeepCopy())).To(Succeed())
	}
	t.Run("unbound", func(t *testing.T) {
		for _, c := range cases {
			if c.refused() {
				t.Run(c.name, func(t *testing.T) {
					NewWithT(t).Eventually(func() error { return dryRun(k8s, c.obj) }, bindTimeout, poll).Should(Succeed())
				})
			}
		}
	})
}

// existingObject checks that the bound policies let the operator work on an object that breaks
// them but was made before: its writes leave the spec alone. A change of the spec is checked.
func existingObject(t *testing.T, k8s client.Client, existing *unstructured.Unstructured) {
	ctx := context.Background()
	g := NewWithT(t)
	obj := existing.DeepCopy()
	g.Expect(k8s.Get(ctx, client.ObjectKeyFromObject(obj), obj)).To(Succeed())
	obj.SetFinalizers([]string{"orq.ai/agent"})
	obj.SetAnnotations(map[string]string{"orq.ai/create-attempt": "uid/-/hash"})
	g.Expect(k8s.Update(ctx, obj)).To(Succeed(), "the operator adds its finalizer and annotations")

	changed := with(obj, "A new description", "spec", "description")
	g.Expect(k8s.Update(ctx, changed)).To(refusedWith("require-orphan", "spec.deletionPolicy must be Orphan"))

	obj.SetFinalizers(nil)
	g.Expect(k8s.Update(ctx, obj)).To(Succeed(), "the operator removes its finalizer")
	g.Expect(k8s.Delete(ctx, obj)).To(Succeed())
}

// refusedWith matches the error of a request the policy refused, with message in its answer.
func refusedWith(policy, message string) OmegaMatcher {
	return SatisfyAll(
		HaveOccurred(),
		WithTransform(apierrors.IsInvalid, BeTrue()),
		MatchError(ContainSubstring("ValidatingAdmissionPolicy '"+releaseName+"-"+policy+"'")),
		MatchError(ContainSubstring(message)),
	)
}

// dryRun asks the apiserver to create o without storing it: admission runs in full.
func dryRun(k8s client.Client, o *unstructured.Unstructured) error {
	return k8s.Create(context.Background(), o.DeepCopy(), client.DryRunAll)
}

// create creates o, and deletes it when the test ends.
func create(t *testing.T, k8s client.Client, o *unstructured.Unstructured) {
	t.Helper()
	ctx := context.Background()
	NewWithT(t).Expect(k8s.Create(ctx, o.DeepCopy())).To(Succeed(), "%s %s", o.GetKind(), o.GetName())
	t.Cleanup(func() {
		if err := k8s.Delete(ctx, o.DeepCopy()); err != nil && !apierrors.IsNotFound(err) {
			t.Errorf("deleting %s %s: %v", o.GetKind(), o.GetName(), err)
		}
	})
}

// namespaces makes prod (labelled as the default bindings select) and dev, once per control
// plane.
func namespaces(t *testing.T, k8s client.Client) {
	t.Helper()
	for name, labels := range map[string]map[string]string{
		prod: {"orq.ai/environment": "production"},
		dev:  nil,
	} {
		ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: labels}}
		if err := k8s.Create(context.Background(), ns); err != nil && !apierrors.IsAlreadyExists(err) {
			t.Fatal(err)
		}
	}
}
