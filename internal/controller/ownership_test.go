package controller

import (
	"context"
	"net/http"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"k8s.io/apimachinery/pkg/api/meta"
	"sigs.k8s.io/controller-runtime/pkg/client"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
)

// The ownership guarantees of a shared workspace, end to end (issue #12). In the in-memory API,
// every API key reaches the same workspace.
var _ = Describe("Ownership of agents in a shared workspace", func() {
	var ctx context.Context

	BeforeEach(func() { ctx = context.Background() })

	It("never claims an agent made in the studio just before the Agent is applied", func() {
		ns := newNamespace(ctx, "own-studio-")
		agent := sampleAgent(ns, "studio-first")
		createRemote(agent, nil) // identical to the spec, seconds before: still someone else's
		orqAPI.ResetRequests()
		Expect(k8s.Create(ctx, agent)).To(Succeed())

		waitStalled(ctx, agent, orqv1alpha1.ReasonAdoptionRequired)
		Expect(agent.Status.ID).To(BeEmpty())
		Expect(agent.Annotations).NotTo(HaveKey(orqv1alpha1.AnnotationCreateAttempt), "a 409 is a known outcome: the marker goes")
		Consistently(func() int { return writesFor("studio-first", http.MethodPatch) }, 2*suiteSyncPeriod, poll).Should(BeZero())

		Expect(k8s.Delete(ctx, agent)).To(Succeed())
		waitGone(ctx, agent)
		_, ok := remoteAgent("studio-first")
		Expect(ok).To(BeTrue(), "deleting the Agent leaves the agent it never owned")
	})

	It("lets one of two Agents reaching one workspace by different Secrets hold the agent; the other stalls", func() {
		nsA, nsB := newNamespace(ctx, "own-a-"), newNamespace(ctx, "own-b-")
		Expect(k8s.Create(ctx, apiKeySecret(nsA, teamAKey))).To(Succeed())
		Expect(k8s.Create(ctx, apiKeySecret(nsB, teamBKey))).To(Succeed())
		a, b := withAPIKeySecret(sampleAgent(nsA, "twin")), withAPIKeySecret(sampleAgent(nsB, "twin"))
		Expect(k8s.Create(ctx, a)).To(Succeed())
		Expect(k8s.Create(ctx, b)).To(Succeed())

		var holder, other *orqv1alpha1.Agent
		Eventually(func(g Gomega) {
			for _, x := range []*orqv1alpha1.Agent{a, b} {
				g.Expect(k8s.Get(ctx, client.ObjectKeyFromObject(x), x)).To(Succeed())
			}
			holder, other = a, b
			if b.Status.ID != "" {
				holder, other = b, a
			}
			g.Expect(meta.IsStatusConditionTrue(holder.Status.Conditions, orqv1alpha1.ConditionReady)).To(BeTrue())
			stalled := meta.FindStatusCondition(other.Status.Conditions, orqv1alpha1.ConditionStalled)
			g.Expect(stalled).NotTo(BeNil())
			g.Expect(stalled.Reason).To(Equal(orqv1alpha1.ReasonAdoptionRequired))
		}, timeout, poll).Should(Succeed())
		Expect(other.Status.ID).To(BeEmpty())
		orqAPI.ResetRequests()
		Consistently(func() int { return writesFor("twin", http.MethodPatch) }, 2*suiteSyncPeriod, poll).Should(BeZero(), "no tug of war")

		Expect(k8s.Delete(ctx, other)).To(Succeed())
		waitGone(ctx, other)
		remote, ok := remoteAgent("twin")
		Expect(ok).To(BeTrue(), "deleting the stalled Agent leaves the agent the other uses")
		Expect(remote["_id"]).To(Equal(holder.Status.ID))
	})

	It("looks at a KeyConflict again when the owner moves to another credential source", func() {
		nsA, nsB := newNamespace(ctx, "own-move-a-"), newNamespace(ctx, "own-move-b-")
		owner := sampleAgent(nsA, "moving")
		Expect(k8s.Create(ctx, owner)).To(Succeed())
		waitReady(ctx, owner)
		time.Sleep(1100 * time.Millisecond) // creationTimestamp has a resolution of one second
		loser := sampleAgent(nsB, "moving")
		Expect(k8s.Create(ctx, loser)).To(Succeed())
		waitStalled(ctx, loser, orqv1alpha1.ReasonKeyConflict)

		Expect(k8s.Create(ctx, apiKeySecret(nsA, teamAKey))).To(Succeed())
		Expect(k8s.Get(ctx, client.ObjectKeyFromObject(owner), owner)).To(Succeed())
		patch := client.MergeFrom(owner.DeepCopy())
		withAPIKeySecret(owner)
		Expect(k8s.Patch(ctx, owner, patch)).To(Succeed())

		// No longer the same key in the same credentials: the loser is looked at at once. The
		// agent at the key is the owner's, so it may not take it: AdoptionRequired, not KeyConflict.
		waitStalled(ctx, loser, orqv1alpha1.ReasonAdoptionRequired)
	})

	It("reads an observed agent only when the drift sweep saw it change", func() {
		ns := newNamespace(ctx, "own-observe-")
		createRemote(sampleAgent(ns, "watched"), nil)
		agent := sampleAgent(ns, "watched")
		agent.Spec.ManagementPolicy = orqv1alpha1.ManagementPolicyObserve
		Expect(k8s.Create(ctx, agent)).To(Succeed())
		waitReady(ctx, agent)
		orqAPI.ResetRequests()

		patch := client.MergeFrom(agent.DeepCopy())
		agent.Labels = map[string]string{"team": "support"}
		Expect(k8s.Patch(ctx, agent, patch)).To(Succeed())
		Consistently(func() int { return len(requests(http.MethodGet, "/v2/agents/watched")) }, 2*suiteSyncPeriod, poll).
			Should(BeZero(), "a label change reads nothing; the sweeps list the workspace")
		Expect(requests(http.MethodGet, "/v2/agents")).NotTo(BeEmpty(), "the sweeps ran meanwhile")
	})
})
