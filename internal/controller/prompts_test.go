package controller

import (
	"context"
	"net/http"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
	"github.com/orq-ai/orq-operator/internal/orqmem"
)

var _ = Describe("Prompts from ConfigMaps", func() {
	ctx := context.Background()

	It("sends the ConfigMap's text, and one PATCH of the instructions alone when it changes", func() {
		ns := newNamespace(ctx, "prompts-")
		cm := promptConfigMap(ns, "prompts", map[string]string{"support.md": "Help {{customer}} with {{order}}.\n"})
		Expect(k8s.Create(ctx, cm)).To(Succeed())
		agent := withPromptFrom(sampleAgent(ns, "prompt-bot"), "prompts", "support.md")
		Expect(k8s.Create(ctx, agent)).To(Succeed())
		waitReady(ctx, agent)
		remote, _ := remoteAgent("prompt-bot")
		Expect(remote["instructions"]).To(Equal("Help {{customer}} with {{order}}.\n"))
		Expect(remote["variables"]).To(HaveKey("order"), "orq extracts the variables of the resolved text")
		Expect(creates("prompt-bot")).To(HaveLen(1))

		By("changing the ConfigMap's data")
		applied := agent.Status.AppliedHash
		cm.Data["support.md"] = "Help {{customer}} politely.\n"
		Expect(k8s.Update(ctx, cm)).To(Succeed())
		Eventually(func() any {
			remote, _ := remoteAgent("prompt-bot")
			return remote["instructions"]
		}, 5*time.Second, poll).Should(Equal("Help {{customer}} politely.\n"), "the ConfigMap's watch syncs at once")
		Eventually(func(g Gomega) {
			g.Expect(k8s.Get(ctx, client.ObjectKeyFromObject(agent), agent)).To(Succeed())
			g.Expect(agent.Status.AppliedHash).NotTo(Equal(applied))
		}, 5*time.Second, poll).Should(Succeed(), "the status records the new request")
		waitSynced(ctx, agent)
		Consistently(func() int { return writesFor("prompt-bot", http.MethodPatch) }, time.Second, poll).Should(Equal(1))
		Expect(bodyKeys(requests(http.MethodPatch, "/v2/agents/prompt-bot"))).To(Equal([]string{"instructions"}))

		By("changing the ConfigMap without changing its data")
		time.Sleep(time.Second) // the status write of the sync settles
		Expect(k8s.Get(ctx, client.ObjectKeyFromObject(agent), agent)).To(Succeed())
		before, version := len(requestsAbout("prompt-bot")), agent.ResourceVersion
		cm.Labels = map[string]string{"touched": "yes"}
		Expect(k8s.Update(ctx, cm)).To(Succeed())
		Consistently(func() int { return len(requestsAbout("prompt-bot")) }, 2*time.Second, poll).Should(Equal(before),
			"the request's hash is unchanged: no orq call")
		Expect(k8s.Get(ctx, client.ObjectKeyFromObject(agent), agent)).To(Succeed())
		Expect(agent.ResourceVersion).To(Equal(version), "and no write to the Agent")
	})

	It("wakes only the Agents of the ConfigMap that changed", func() {
		ns := newNamespace(ctx, "prompts-")
		cm := promptConfigMap(ns, "prompts", map[string]string{"support.md": "Be brief."})
		Expect(k8s.Create(ctx, cm)).To(Succeed())
		// Not swept (its own sync interval): each reconcile reads orq, so a wake-up shows.
		agent := withPromptFrom(sampleAgent(ns, "prompt-watched"), "prompts", "support.md")
		agent.Annotations = map[string]string{orqv1alpha1.AnnotationSyncInterval: "1h"}
		Expect(k8s.Create(ctx, agent)).To(Succeed())
		waitReady(ctx, agent)
		time.Sleep(time.Second) // the Agent's own status write settles
		before := len(requestsAbout("prompt-watched"))

		By("creating and changing a ConfigMap no Agent uses")
		other := promptConfigMap(ns, "unrelated", map[string]string{"a": "1"})
		Expect(k8s.Create(ctx, other)).To(Succeed())
		other.Data["a"] = "2"
		Expect(k8s.Update(ctx, other)).To(Succeed())
		Consistently(func() int { return len(requestsAbout("prompt-watched")) }, 2*time.Second, poll).Should(Equal(before))

		By("changing the Agent's own ConfigMap, as a control")
		cm.Labels = map[string]string{"touched": "yes"}
		Expect(k8s.Update(ctx, cm)).To(Succeed())
		Eventually(func() int { return len(requestsAbout("prompt-watched")) }, 5*time.Second, poll).Should(BeNumerically(">", before))
		Expect(writesFor("prompt-watched", http.MethodPatch)).To(BeZero(), "the text did not change")
	})

	It("waits for a missing ConfigMap or key, naming it, and syncs once it exists", func() {
		ns := newNamespace(ctx, "prompts-")
		agent := withPromptFrom(sampleAgent(ns, "prompt-waiting"), "later", "support.md")
		agent.Annotations = map[string]string{orqv1alpha1.AnnotationSyncInterval: "1h"} // only the watch can be quick
		Expect(k8s.Create(ctx, agent)).To(Succeed())
		c := waitCondition(ctx, agent, orqv1alpha1.ConditionReady, metav1.ConditionFalse, orqv1alpha1.ReasonDependencyNotReady)
		Expect(c.Message).To(ContainSubstring("ConfigMap " + ns + "/later"))
		Expect(meta.IsStatusConditionTrue(agent.Status.Conditions, orqv1alpha1.ConditionReconciling)).To(BeTrue())
		Expect(meta.FindStatusCondition(agent.Status.Conditions, orqv1alpha1.ConditionStalled)).To(BeNil())

		By("creating the ConfigMap without the key")
		cm := promptConfigMap(ns, "later", map[string]string{"other.md": "x"})
		Expect(k8s.Create(ctx, cm)).To(Succeed())
		Eventually(func(g Gomega) {
			g.Expect(k8s.Get(ctx, client.ObjectKeyFromObject(agent), agent)).To(Succeed())
			c := meta.FindStatusCondition(agent.Status.Conditions, orqv1alpha1.ConditionReady)
			g.Expect(c.Message).To(ContainSubstring(`has no key "support.md"`))
		}, 5*time.Second, poll).Should(Succeed())
		_, exists := remoteAgent("prompt-waiting")
		Expect(exists).To(BeFalse())

		By("adding the key")
		cm.Data["support.md"] = "Answer in French."
		Expect(k8s.Update(ctx, cm)).To(Succeed())
		Eventually(func(g Gomega) {
			g.Expect(k8s.Get(ctx, client.ObjectKeyFromObject(agent), agent)).To(Succeed())
			g.Expect(meta.IsStatusConditionTrue(agent.Status.Conditions, orqv1alpha1.ConditionReady)).To(BeTrue())
		}, 5*time.Second, poll).Should(Succeed(), "the ConfigMap's watch retries at once, not after the sync interval")
		remote, _ := remoteAgent("prompt-waiting")
		Expect(remote["instructions"]).To(Equal("Answer in French."))
	})
})

// promptConfigMap is a ConfigMap holding prompts.
func promptConfigMap(ns, name string, data map[string]string) *corev1.ConfigMap {
	return &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}, Data: data}
}

// withPromptFrom takes the Agent's instructions from a ConfigMap key instead of inline.
func withPromptFrom(a *orqv1alpha1.Agent, name, key string) *orqv1alpha1.Agent {
	a.Spec.Instructions = ""
	a.Spec.InstructionsFrom = &orqv1alpha1.PromptSource{ConfigMapKeyRef: orqv1alpha1.ConfigMapKeyReference{Name: name, Key: key}}
	return a
}

// waitSynced waits until the Agent's Synced condition is True for its generation.
func waitSynced(ctx context.Context, agent *orqv1alpha1.Agent) {
	GinkgoHelper()
	c := waitCondition(ctx, agent, orqv1alpha1.ConditionSynced, metav1.ConditionTrue, orqv1alpha1.ReasonSynced)
	Expect(c.ObservedGeneration).To(Equal(agent.Generation))
}

// requestsAbout lists the recorded requests that read or write the agent with this key.
func requestsAbout(key string) []orqmem.Request {
	out := creates(key)
	for _, method := range []string{http.MethodGet, http.MethodPatch, http.MethodDelete} {
		out = append(out, requests(method, "/v2/agents/"+key)...)
	}
	return out
}
