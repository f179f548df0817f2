package controller

import (
	"context"
	"net/http"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
	"github.com/orq-ai/orq-operator/internal/orqmem"
)

// #18.1: an Agent deleted while the answer of its create is lost (the POST landed, a 5xx came
// back) deletes the agent that create made, whatever its spec takes from the cluster.
var _ = Describe("Deleting an Agent whose create answer was lost", func() {
	var ctx context.Context

	BeforeEach(func() { ctx = context.Background() })

	// lostCreate applies agent while orq answers its POST with a 503 asking to come back in a
	// minute, the agent (resolved) being already there: what a POST that landed and whose answer
	// was lost leaves. It returns once the Agent carries the marker of that create.
	lostCreate := func(agent, resolved *orqv1alpha1.Agent) {
		GinkgoHelper()
		createRemote(resolved, nil)
		orqAPI.AddFault(orqmem.Fault{Method: http.MethodPost, Path: "/v2/agents", Status: http.StatusServiceUnavailable, RetryAfter: time.Minute, Times: 1})
		DeferCleanup(orqAPI.ClearFaults)
		Expect(k8s.Create(ctx, agent)).To(Succeed())
		Eventually(func(g Gomega) {
			g.Expect(k8s.Get(ctx, client.ObjectKeyFromObject(agent), agent)).To(Succeed())
			g.Expect(agent.Annotations).To(HaveKey(orqv1alpha1.AnnotationCreateAttempt))
			g.Expect(agent.Status.ID).To(BeEmpty())
			waiting := metav1.Condition{}
			for _, c := range agent.Status.Conditions {
				if c.Type == orqv1alpha1.ConditionReady {
					waiting = c
				}
			}
			g.Expect(waiting.Reason).To(Equal(orqv1alpha1.ReasonAPIUnavailable))
		}, timeout, poll).Should(Succeed())
	}

	It("with its prompts from a ConfigMap", func() {
		ns := newNamespace(ctx, "lost-prompts-")
		Expect(k8s.Create(ctx, promptConfigMap(ns, "prompts", map[string]string{"bot.md": "Help {{customer}}."}))).To(Succeed())
		agent := withPromptFrom(sampleAgent(ns, "lost-prompted"), "prompts", "bot.md")
		resolved := sampleAgent(ns, "lost-prompted")
		resolved.Spec.Instructions = "Help {{customer}}."
		lostCreate(agent, resolved)

		Expect(k8s.Delete(ctx, agent)).To(Succeed())
		waitGone(ctx, agent)
		_, ok := remoteAgent("lost-prompted")
		Expect(ok).To(BeFalse(), "the agent its own create made is deleted, not leaked")
	})

	It("with a team member named by agentRef", func() {
		ns := newNamespace(ctx, "lost-team-")
		member := sampleAgent(ns, "lost-member")
		Expect(k8s.Create(ctx, member)).To(Succeed())
		waitReady(ctx, member)
		lead := teamLead(ns, "lost-lead", ref("lost-member", ""))
		resolved := teamLead(ns, "lost-lead", orqv1alpha1.TeamMember{Key: "lost-member", Role: "member lost-member"})
		lostCreate(lead, resolved)

		Expect(k8s.Delete(ctx, lead)).To(Succeed())
		waitGone(ctx, lead)
		_, ok := remoteAgent("lost-lead")
		Expect(ok).To(BeFalse(), "the agent its own create made is deleted, not leaked")
	})
})
