package controller

import (
	"context"
	"net/http"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
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

	// #18.4: the workspace is the API key, not where it is read from.
	It("lets one Agent hold a key reached through the operator's key and a Secret holding that same key", func() {
		nsA, nsB := newNamespace(ctx, "own-samekey-a-"), newNamespace(ctx, "own-samekey-b-")
		Expect(k8s.Create(ctx, apiKeySecret(nsB, suiteAPIKey))).To(Succeed())
		a, b := sampleAgent(nsA, "one-workspace"), withAPIKeySecret(sampleAgent(nsB, "one-workspace"))
		a.Spec.AdoptionPolicy, b.Spec.AdoptionPolicy = orqv1alpha1.AdoptionPolicyAdopt, orqv1alpha1.AdoptionPolicyAdopt
		Expect(k8s.Create(ctx, a)).To(Succeed())
		waitReady(ctx, a)
		Expect(k8s.Create(ctx, b)).To(Succeed())
		stalled := waitStalled(ctx, b, orqv1alpha1.ReasonKeyConflict)
		Expect(stalled.Message).To(ContainSubstring(nsA + "/one-workspace"))

		orqAPI.ResetRequests()
		Consistently(func() int { return writesFor("one-workspace", http.MethodPatch) }, 2*suiteSyncPeriod, poll).Should(BeZero(), "no tug of war")
		Expect(k8s.Delete(ctx, b)).To(Succeed())
		waitGone(ctx, b)
		remote, ok := remoteAgent("one-workspace")
		Expect(ok).To(BeTrue(), "deleting the Agent that never held it leaves the agent the other manages")
		Expect(remote["_id"]).To(Equal(a.Status.ID))
	})

	// #18.5: the Agent that holds the agent keeps it, whatever their ages.
	It("keeps the key with the Agent that holds the agent when an older Agent comes to share it", func() {
		nsOld, nsNew := newNamespace(ctx, "own-older-"), newNamespace(ctx, "own-holder-")
		older := withAPIKeySecret(sampleAgent(nsOld, "held-key")) // waits for its Secret meanwhile
		Expect(k8s.Create(ctx, older)).To(Succeed())
		waitCondition(ctx, older, orqv1alpha1.ConditionReady, metav1.ConditionFalse, orqv1alpha1.ReasonSecretNotFound)
		time.Sleep(1100 * time.Millisecond) // creationTimestamp has a resolution of one second
		holder := sampleAgent(nsNew, "held-key")
		Expect(k8s.Create(ctx, holder)).To(Succeed())
		waitReady(ctx, holder)

		// The older Agent's Secret appears, holding the operator's key: the same workspace.
		Expect(k8s.Create(ctx, apiKeySecret(nsOld, suiteAPIKey))).To(Succeed())
		stalled := waitStalled(ctx, older, orqv1alpha1.ReasonKeyConflict)
		Expect(stalled.Message).To(ContainSubstring(nsNew + "/held-key"))
		Consistently(func(g Gomega) {
			g.Expect(k8s.Get(ctx, client.ObjectKeyFromObject(holder), holder)).To(Succeed())
			g.Expect(meta.IsStatusConditionTrue(holder.Status.Conditions, orqv1alpha1.ConditionReady)).To(BeTrue())
		}, 2*suiteSyncPeriod, poll).Should(Succeed(), "the holder keeps managing its agent")

		held := holder.Status.ID
		Expect(k8s.Delete(ctx, holder)).To(Succeed())
		waitGone(ctx, holder)
		eventuallyEvent(ctx, holder, orqv1alpha1.ReasonDeleted)
		// Its agent is deleted; the other Agent takes the key over and creates its own.
		waitReady(ctx, older)
		Expect(older.Status.ID).NotTo(Equal(held))
	})

	// #18.6: a key of another workspace names nothing, or someone else's agent, in this one.
	It("refuses an agentRef to an Agent of another workspace, naming both", func() {
		ns := newNamespace(ctx, "own-crossws-")
		Expect(k8s.Create(ctx, apiKeySecret(ns, teamAKey))).To(Succeed())
		member := withAPIKeySecret(sampleAgent(ns, "other-ws-member"))
		Expect(k8s.Create(ctx, member)).To(Succeed())
		waitReady(ctx, member)
		lead := teamLead(ns, "this-ws-lead", ref("other-ws-member", ""))
		Expect(k8s.Create(ctx, lead)).To(Succeed())
		c := waitCondition(ctx, lead, orqv1alpha1.ConditionResolvedRefs, metav1.ConditionFalse, orqv1alpha1.ReasonWorkspaceMismatch)
		Expect(c.Message).To(And(ContainSubstring(ns+"/other-ws-member"), ContainSubstring(ns+"/this-ws-lead")))
		Expect(creates("this-ws-lead")).To(BeEmpty(), "nothing is sent to orq with a key of another workspace")
	})
})
