package controller

import (
	"context"
	"net/http"
	"slices"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
	"github.com/orq-ai/orq-operator/internal/orqclient"
	"github.com/orq-ai/orq-operator/internal/orqmem"
)

var _ = Describe("Teams of agents", func() {
	var ctx context.Context

	BeforeEach(func() { ctx = context.Background() })

	It("waits for members applied after their orchestrator, then sends their keys", func() {
		ns := newNamespace(ctx, "team-")
		lead := teamLead(ns, "lead-wait", ref("writer-wait", ""), ref("editor-wait", ""))
		lead.Spec.TeamOfAgents = append(lead.Spec.TeamOfAgents, orqv1alpha1.TeamMember{Key: "outside-helper", Role: "not managed here"})
		Expect(k8s.Create(ctx, lead)).To(Succeed())

		c := waitCondition(ctx, lead, orqv1alpha1.ConditionReady, metav1.ConditionFalse, orqv1alpha1.ReasonDependencyNotReady)
		Expect(c.Message).To(And(ContainSubstring("Agent "+ns+"/writer-wait does not exist"), ContainSubstring("Agent "+ns+"/editor-wait does not exist")))
		waitCondition(ctx, lead, orqv1alpha1.ConditionResolvedRefs, metav1.ConditionFalse, orqv1alpha1.ReasonDependencyNotReady)
		Expect(meta.IsStatusConditionTrue(lead.Status.Conditions, orqv1alpha1.ConditionReconciling)).To(BeTrue(), "waiting is progress, not a stall")
		Consistently(func() []orqmem.Request { return creates("lead-wait") }, time.Second, poll).Should(BeEmpty(), "nothing is created with unresolved members")

		for _, name := range []string{"writer-wait", "editor-wait"} {
			member := sampleAgent(ns, name)
			member.Spec.Key = name + "-key" // the key sent is the member's key, not its name
			Expect(k8s.Create(ctx, member)).To(Succeed())
		}
		waitReady(ctx, lead)
		Expect(creates("lead-wait")).To(HaveLen(1))
		Expect(remoteTeam("lead-wait")).To(Equal([]string{"writer-wait-key", "editor-wait-key", "outside-helper"}))
		Expect(lead.Status.TeamKeys).To(Equal([]string{"writer-wait-key", "editor-wait-key", "outside-helper"}))
		Expect(creates("lead-wait")[0].At).To(BeTemporally(">", creates("writer-wait-key")[0].At), "the members exist before the orchestrator names them")
		Expect(meta.IsStatusConditionTrue(lead.Status.Conditions, orqv1alpha1.ConditionResolvedRefs)).To(BeTrue())
	})

	It("keeps a member in use until its orchestrator lets it go, and sends a re-created member's new key", func() {
		ns := newNamespace(ctx, "team-")
		member := sampleAgent(ns, "writer-use")
		member.Spec.Key = "writer-use-v1"
		Expect(k8s.Create(ctx, member)).To(Succeed())
		lead := teamLead(ns, "lead-use", ref("writer-use", ""))
		Expect(k8s.Create(ctx, lead)).To(Succeed())
		waitReady(ctx, lead)
		Expect(remoteTeam("lead-use")).To(Equal([]string{"writer-use-v1"}))

		By("suspending the orchestrator, so that nothing lets the member go")
		Expect(k8s.Patch(ctx, lead, client.RawPatch(client.Merge.Type(), []byte(`{"spec":{"suspend":true}}`)))).To(Succeed())
		waitCondition(ctx, lead, orqv1alpha1.ConditionSuspended, metav1.ConditionTrue, orqv1alpha1.ReasonSuspended)
		Expect(k8s.Delete(ctx, member)).To(Succeed())
		c := waitCondition(ctx, member, orqv1alpha1.ConditionReady, metav1.ConditionFalse, orqv1alpha1.ReasonInUse)
		Expect(c.Message).To(ContainSubstring(ns + "/lead-use"))
		Consistently(func() int { return writesFor("writer-use-v1", http.MethodDelete) }, time.Second, poll).Should(BeZero(), "in use: not deleted")
		_, exists := remoteAgent("writer-use-v1")
		Expect(exists).To(BeTrue())

		By("resuming the orchestrator: it drops the member, then the member goes")
		Expect(k8s.Patch(ctx, lead, client.RawPatch(client.Merge.Type(), []byte(`{"spec":{"suspend":false}}`)))).To(Succeed())
		waitGone(ctx, member)
		Expect(remoteTeam("lead-use")).To(BeEmpty())
		_, exists = remoteAgent("writer-use-v1")
		Expect(exists).To(BeFalse())
		patches := requests(http.MethodPatch, "/v2/agents/lead-use")
		deletes := requests(http.MethodDelete, "/v2/agents/writer-use-v1")
		Expect(patches).NotTo(BeEmpty())
		Expect(deletes).To(HaveLen(1))
		Expect(deletes[0].At).To(BeTemporally(">", patches[len(patches)-1].At), "the orchestrator let go before the member was deleted")
		waitCondition(ctx, lead, orqv1alpha1.ConditionReady, metav1.ConditionFalse, orqv1alpha1.ReasonDependencyNotReady)

		By("re-creating the member with another key")
		member = sampleAgent(ns, "writer-use")
		member.Spec.Key = "writer-use-v2"
		Expect(k8s.Create(ctx, member)).To(Succeed())
		waitReady(ctx, lead)
		Expect(remoteTeam("lead-use")).To(Equal([]string{"writer-use-v2"}))

		By("deleting the orchestrator, which leaves its member alone")
		Expect(k8s.Delete(ctx, lead)).To(Succeed())
		waitGone(ctx, lead)
		_, exists = remoteAgent("writer-use-v2")
		Expect(exists).To(BeTrue())
		Expect(writesFor("writer-use-v2", http.MethodDelete)).To(BeZero())
	})

	It("refuses a reference to another namespace until that namespace's Agent allows it", func() {
		home, other := newNamespace(ctx, "team-"), newNamespace(ctx, "shared-")
		shared := sampleAgent(other, "shared-member")
		Expect(k8s.Create(ctx, shared)).To(Succeed())
		waitReady(ctx, shared)
		lead := teamLead(home, "lead-xns", ref("shared-member", other))
		Expect(k8s.Create(ctx, lead)).To(Succeed())

		c := waitStalled(ctx, lead, orqv1alpha1.ReasonRefNotPermitted)
		Expect(c.Message).To(ContainSubstring("does not allow references from namespace " + home))
		waitCondition(ctx, lead, orqv1alpha1.ConditionResolvedRefs, metav1.ConditionFalse, orqv1alpha1.ReasonRefNotPermitted)
		Expect(creates("lead-xns")).To(BeEmpty())

		Expect(k8s.Patch(ctx, shared, client.RawPatch(client.Merge.Type(), []byte(`{"spec":{"allowReferencesFrom":["`+home+`"]}}`)))).To(Succeed())
		waitReady(ctx, lead)
		Expect(remoteTeam("lead-xns")).To(Equal([]string{"shared-member"}))
	})

	It("reports a cycle of references instead of waiting forever", func() {
		ns := newNamespace(ctx, "team-")
		a := teamLead(ns, "cycle-a", ref("cycle-b", ""))
		b := teamLead(ns, "cycle-b", ref("cycle-a", ""))
		Expect(k8s.Create(ctx, a)).To(Succeed())
		Expect(k8s.Create(ctx, b)).To(Succeed())
		for _, agent := range []*orqv1alpha1.Agent{a, b} {
			c := waitStalled(ctx, agent, orqv1alpha1.ReasonReferenceCycle)
			Expect(c.Message).To(ContainSubstring(ns + "/cycle-a -> " + ns + "/cycle-b"))
		}
		Expect(creates("cycle-a")).To(BeEmpty())
		Expect(creates("cycle-b")).To(BeEmpty())

		By("breaking the cycle")
		Expect(k8s.Patch(ctx, b, client.RawPatch(client.Merge.Type(), []byte(`{"spec":{"teamOfAgents":null}}`)))).To(Succeed())
		waitReady(ctx, b)
		waitReady(ctx, a)
		Expect(remoteTeam("cycle-a")).To(Equal([]string{"cycle-b"}))
	})
})

var _ = Describe("Per-namespace credentials", func() {
	var ctx context.Context

	BeforeEach(func() { ctx = context.Background() })

	It("sends each namespace's API key, and records its hash, never the key", func() {
		nsA, nsB := newNamespace(ctx, "team-a-"), newNamespace(ctx, "team-b-")
		Expect(k8s.Create(ctx, apiKeySecret(nsA, teamAKey))).To(Succeed())
		Expect(k8s.Create(ctx, apiKeySecret(nsB, teamBKey))).To(Succeed())
		a, b := withAPIKeySecret(sampleAgent(nsA, "bot-a")), withAPIKeySecret(sampleAgent(nsB, "bot-b"))
		own := sampleAgent(nsA, "bot-own") // no Secret: the operator's key
		for _, agent := range []*orqv1alpha1.Agent{a, b, own} {
			Expect(k8s.Create(ctx, agent)).To(Succeed())
		}
		for _, agent := range []*orqv1alpha1.Agent{a, b, own} {
			waitReady(ctx, agent)
		}
		Expect(tokensFor("bot-a")).To(ConsistOf(teamAKey))
		Expect(tokensFor("bot-b")).To(ConsistOf(teamBKey))
		Expect(tokensFor("bot-own")).To(ConsistOf(suiteAPIKey))
		Expect(a.Status.APIKeyHash).To(Equal(orqclient.KeyHash(teamAKey)))
		Expect(b.Status.APIKeyHash).To(Equal(orqclient.KeyHash(teamBKey)))
		Expect(own.Status.APIKeyHash).To(Equal(orqclient.KeyHash(suiteAPIKey)))
		Expect(a.Status.APIKeyHash).NotTo(ContainSubstring(teamAKey))
	})

	It("switches to a rotated key at once, without a restart", func() {
		ns := newNamespace(ctx, "rotate-")
		secret := apiKeySecret(ns, teamAKey)
		Expect(k8s.Create(ctx, secret)).To(Succeed())
		agent := withAPIKeySecret(sampleAgent(ns, "bot-rotate"))
		agent.Annotations = map[string]string{orqv1alpha1.AnnotationSyncInterval: "1h"} // only the watch can be quick
		Expect(k8s.Create(ctx, agent)).To(Succeed())
		waitReady(ctx, agent)

		secret.Data["apiKey"] = []byte(rotatedKey)
		Expect(k8s.Update(ctx, secret)).To(Succeed())
		Eventually(func(g Gomega) {
			g.Expect(k8s.Get(ctx, client.ObjectKeyFromObject(agent), agent)).To(Succeed())
			g.Expect(agent.Status.APIKeyHash).To(Equal(orqclient.KeyHash(rotatedKey)))
		}, 5*time.Second, poll).Should(Succeed())
		Expect(tokensFor("bot-rotate")).To(ContainElement(rotatedKey), "the agent was read with the new key")
		Expect(meta.IsStatusConditionTrue(agent.Status.Conditions, orqv1alpha1.ConditionReady)).To(BeTrue())
	})

	It("waits for a missing Secret, stalls on a refused key, and recovers when the Secret is fixed", func() {
		ns := newNamespace(ctx, "creds-")
		agent := withAPIKeySecret(sampleAgent(ns, "bot-creds"))
		agent.Annotations = map[string]string{orqv1alpha1.AnnotationSyncInterval: "1h"}
		Expect(k8s.Create(ctx, agent)).To(Succeed())
		c := waitCondition(ctx, agent, orqv1alpha1.ConditionReady, metav1.ConditionFalse, orqv1alpha1.ReasonSecretNotFound)
		Expect(c.Message).To(ContainSubstring("Secret " + ns + "/orq-credentials"))
		Expect(meta.IsStatusConditionTrue(agent.Status.Conditions, orqv1alpha1.ConditionReconciling)).To(BeTrue())

		By("creating the Secret with a key the API refuses")
		secret := apiKeySecret(ns, "not-a-valid-key-0123456789")
		Expect(k8s.Create(ctx, secret)).To(Succeed())
		c = waitStalled(ctx, agent, orqv1alpha1.ReasonUnauthorized)
		Expect(c.Message).NotTo(ContainSubstring("not-a-valid-key"))
		Expect(agent.Status.APIKeyHash).To(Equal(orqclient.KeyHash("not-a-valid-key-0123456789")))
		_, exists := remoteAgent("bot-creds")
		Expect(exists).To(BeFalse())

		By("fixing the Secret")
		secret.Data["apiKey"] = []byte(teamAKey)
		Expect(k8s.Update(ctx, secret)).To(Succeed())
		Eventually(func(g Gomega) {
			g.Expect(k8s.Get(ctx, client.ObjectKeyFromObject(agent), agent)).To(Succeed())
			g.Expect(meta.IsStatusConditionTrue(agent.Status.Conditions, orqv1alpha1.ConditionReady)).To(BeTrue())
		}, 5*time.Second, poll).Should(Succeed(), "the Secret's watch retries at once, not after the 5m Unauthorized backoff")
		Expect(meta.FindStatusCondition(agent.Status.Conditions, orqv1alpha1.ConditionStalled)).To(BeNil())
		Expect(agent.Status.APIKeyHash).To(Equal(orqclient.KeyHash(teamAKey)))
	})
})

// newNamespace creates a namespace with a generated name.
func newNamespace(ctx context.Context, prefix string) string {
	GinkgoHelper()
	n := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{GenerateName: prefix}}
	Expect(k8s.Create(ctx, n)).To(Succeed())
	return n.Name
}

// teamLead is an orchestrator whose team is the given members.
func teamLead(ns, name string, members ...orqv1alpha1.TeamMember) *orqv1alpha1.Agent {
	a := sampleAgent(ns, name)
	a.Spec.TeamOfAgents = members
	return a
}

func ref(name, namespace string) orqv1alpha1.TeamMember {
	return orqv1alpha1.TeamMember{AgentRef: &orqv1alpha1.AgentReference{Name: name, Namespace: namespace}, Role: "member " + name}
}

// remoteTeam lists the member keys of a remote agent's team.
func remoteTeam(key string) []string {
	GinkgoHelper()
	remote, ok := remoteAgent(key)
	Expect(ok).To(BeTrue(), "orq agent %q exists", key)
	var keys []string
	team, _ := remote["team_of_agents"].([]any)
	for _, m := range team {
		if k, _ := m.(map[string]any)["key"].(string); k != "" {
			keys = append(keys, k)
		}
	}
	return keys
}

// waitCondition waits until a condition has this status and reason, and returns it.
func waitCondition(ctx context.Context, agent *orqv1alpha1.Agent, typ string, status metav1.ConditionStatus, reason string) *metav1.Condition {
	GinkgoHelper()
	var c *metav1.Condition
	Eventually(func(g Gomega) {
		g.Expect(k8s.Get(ctx, client.ObjectKeyFromObject(agent), agent)).To(Succeed())
		c = meta.FindStatusCondition(agent.Status.Conditions, typ)
		g.Expect(c).NotTo(BeNil(), "no %s condition", typ)
		g.Expect(c.Status).To(Equal(status), "%s: %s: %s", typ, c.Reason, c.Message)
		g.Expect(c.Reason).To(Equal(reason), "%s: %s", typ, c.Message)
	}, timeout, poll).Should(Succeed())
	return c
}

// apiKeySecret is the Secret "orq-credentials" holding an orq API key under "apiKey".
func apiKeySecret(ns, key string) *corev1.Secret {
	return &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "orq-credentials"},
		Data:       map[string][]byte{"apiKey": []byte(key)},
	}
}

func withAPIKeySecret(a *orqv1alpha1.Agent) *orqv1alpha1.Agent {
	a.Spec.APIKeySecretRef = &orqv1alpha1.SecretKeyReference{Name: "orq-credentials", Key: "apiKey"}
	return a
}

// tokensFor lists the distinct bearer tokens of the requests about one agent key.
func tokensFor(key string) []string {
	reqs := creates(key)
	for _, r := range orqAPI.Requests() {
		if r.Path == "/v2/agents/"+key {
			reqs = append(reqs, r)
		}
	}
	var out []string
	for _, r := range reqs {
		if !slices.Contains(out, r.Token) {
			out = append(out, r.Token)
		}
	}
	return out
}
