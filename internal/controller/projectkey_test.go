package controller

import (
	"context"
	"net/http"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"k8s.io/apimachinery/pkg/api/meta"
	"sigs.k8s.io/controller-runtime/pkg/client"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
)

// With a key scoped to a project, orq echoes the path relative to it (issue #14).
var _ = Describe("A project-scoped API key", func() {
	It("creates with one POST and no PATCH, and still sees a move", func() {
		ctx := context.Background()
		ns := newNamespace(ctx, "project-key-")
		Expect(k8s.Create(ctx, apiKeySecret(ns, projectKey))).To(Succeed())
		agent := withAPIKeySecret(sampleAgent(ns, "scoped")) // path Default/support
		Expect(k8s.Create(ctx, agent)).To(Succeed())
		waitReady(ctx, agent)
		Expect(meta.IsStatusConditionTrue(agent.Status.Conditions, orqv1alpha1.ConditionSynced)).To(BeTrue())
		Consistently(func() int { return writesFor("scoped", http.MethodPatch) }, 2*suiteSyncPeriod, poll).Should(BeZero())

		patch := client.MergeFrom(agent.DeepCopy())
		agent.Spec.Path = "Default/billing"
		Expect(k8s.Patch(ctx, agent, patch)).To(Succeed())
		Eventually(func() []string { return bodyKeys(requests(http.MethodPatch, "/v2/agents/scoped")) }, timeout, poll).
			Should(Equal([]string{"path"}))
		remote, _ := remoteAgent("scoped") // as the workspace sees it
		Expect(remote["path"]).To(Equal("Default/billing"))
	})
})
