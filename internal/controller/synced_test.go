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
})
