package controller

import (
	"context"
	"net/http"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
	"github.com/orq-ai/orq-operator/internal/orqmem"
)

// What Synced and pendingChanges say must be what the last pass compared (#18.11).
var _ = Describe("Synced and pendingChanges", func() {
	var ctx context.Context

	BeforeEach(func() { ctx = context.Background() })

	It("stop saying the agent matches once orq refuses the new spec", func() {
		ns := newNamespace(ctx, "synced-refused-")
		agent := sampleAgent(ns, "refused-update")
		Expect(k8s.Create(ctx, agent)).To(Succeed())
		waitReady(ctx, agent)
		Expect(meta.IsStatusConditionTrue(agent.Status.Conditions, orqv1alpha1.ConditionSynced)).To(BeTrue())

		orqAPI.AddFault(orqmem.Fault{Method: http.MethodPatch, Path: "/v2/agents/refused-update", Status: http.StatusBadRequest,
			Message: "role: too creative"})
		DeferCleanup(orqAPI.ClearFaults)
		patch := client.MergeFrom(agent.DeepCopy())
		agent.Spec.Role = "A role orq refuses"
		Expect(k8s.Patch(ctx, agent, patch)).To(Succeed())

		synced := waitCondition(ctx, agent, orqv1alpha1.ConditionSynced, metav1.ConditionFalse, orqv1alpha1.ReasonAPIRejected)
		Expect(synced.Message).To(ContainSubstring("role: too creative"))
		Expect(synced.ObservedGeneration).To(Equal(agent.Generation))
		Expect(agent.Status.PendingChanges).To(Equal([]string{"role"}), "the field the pass found different and could not apply")
		remote, _ := remoteAgent("refused-update")
		Expect(remote["role"]).To(Equal("Customer support"), "orq still holds the old values")
	})

	// #21.6: kubectl wait --for=condition=Synced must not pass on a spec that was never applied.
	It("are False while a suspended Agent's spec change waits, and True once it is applied", func() {
		ns := newNamespace(ctx, "synced-suspended-")
		agent := sampleAgent(ns, "suspended-edit")
		Expect(k8s.Create(ctx, agent)).To(Succeed())
		waitReady(ctx, agent)

		patch := client.MergeFrom(agent.DeepCopy())
		agent.Spec.Suspend = true
		agent.Spec.Role = "Changed while suspended"
		Expect(k8s.Patch(ctx, agent, patch)).To(Succeed())
		synced := waitCondition(ctx, agent, orqv1alpha1.ConditionSynced, metav1.ConditionFalse, orqv1alpha1.ReasonSuspended)
		Expect(synced.Message).To(ContainSubstring("not applied"))
		ready := meta.FindStatusCondition(agent.Status.Conditions, orqv1alpha1.ConditionReady)
		Expect(ready.Message).NotTo(ContainSubstring("matches the spec"), "Ready does not say otherwise")
		remote, _ := remoteAgent("suspended-edit")
		Expect(remote["role"]).To(Equal("Customer support"), "nothing sent while suspended")

		patch = client.MergeFrom(agent.DeepCopy())
		agent.Spec.Suspend = false
		Expect(k8s.Patch(ctx, agent, patch)).To(Succeed())
		waitCondition(ctx, agent, orqv1alpha1.ConditionSynced, metav1.ConditionTrue, orqv1alpha1.ReasonSynced)
		remote, _ = remoteAgent("suspended-edit")
		Expect(remote["role"]).To(Equal("Changed while suspended"))
	})

	It("say nothing changed outside Kubernetes when an observed Agent becomes managed", func() {
		ns := newNamespace(ctx, "synced-observed-")
		createRemote(sampleAgent(ns, "observed-then-managed"), nil)
		agent := sampleAgent(ns, "observed-then-managed")
		agent.Spec.ManagementPolicy = orqv1alpha1.ManagementPolicyObserve
		agent.Spec.Role = "The role in Git"
		Expect(k8s.Create(ctx, agent)).To(Succeed())
		waitCondition(ctx, agent, orqv1alpha1.ConditionSynced, metav1.ConditionFalse, orqv1alpha1.ReasonDrifted)

		patch := client.MergeFrom(agent.DeepCopy())
		agent.Spec.ManagementPolicy = orqv1alpha1.ManagementPolicyManage
		agent.Spec.AdoptionPolicy = orqv1alpha1.AdoptionPolicyAdopt
		Expect(k8s.Patch(ctx, agent, patch)).To(Succeed())
		waitReady(ctx, agent)
		Eventually(func() []string { return eventNotes(ctx, agent) }, timeout, poll).
			Should(ContainElement(And(HavePrefix(orqv1alpha1.ReasonUpdated+":"), ContainSubstring("now managed (it was observed)"))))
		Expect(eventNotes(ctx, agent)).NotTo(ContainElement(HavePrefix(orqv1alpha1.ReasonDriftCorrected + ":")))
	})
})
