package controller

import (
	"context"
	"net/http"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/prometheus/client_golang/prometheus/testutil"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
	"github.com/orq-ai/orq-operator/internal/metrics"
	"github.com/orq-ai/orq-operator/internal/orqmem"
)

const (
	timeout = 20 * time.Second
	poll    = 100 * time.Millisecond
)

var _ = Describe("Agent controller", func() {
	var (
		ctx context.Context
		ns  string
	)

	BeforeEach(func() {
		ctx = context.Background()
		ns = newNamespace(ctx, "agents-")
	})

	It("creates the remote agent, matching the manifest, and reports Ready", func() {
		agent := sampleAgent(ns, "support-bot")
		Expect(k8s.Create(ctx, agent)).To(Succeed())
		waitReady(ctx, agent)

		Expect(creates("support-bot")).To(HaveLen(1), "one POST creates the agent")
		Expect(requests(http.MethodGet, "/v2/agents/support-bot")).To(BeEmpty(), "no read before the first create")
		remote, ok := remoteAgent("support-bot")
		Expect(ok).To(BeTrue())
		Expect(remote).To(HaveKeyWithValue("role", "Customer support"))
		Expect(remote).To(HaveKeyWithValue("instructions", "Help {{customer}} with their order."))
		Expect(remote).To(HaveKeyWithValue("path", "Default/support"))
		model := remote["model"].(map[string]any)
		Expect(model).To(HaveKeyWithValue("id", "openai/gpt-4o"))
		Expect(model["parameters"]).To(HaveKeyWithValue("temperature", 0.3))
		Expect(model["fallback_models"]).To(ConsistOf(HaveKeyWithValue("id", "anthropic/claude-haiku-4-5-20251001")))
		tools := remote["settings"].(map[string]any)["tools"].([]any)
		Expect(tools).To(HaveLen(2))
		Expect(tools[0]).To(HaveKeyWithValue("action_type", "current_date"))
		Expect(tools[1]).To(And(HaveKeyWithValue("action_type", "http"), HaveKeyWithValue("key", "orders-api")))
		Expect(remote["settings"]).To(HaveKeyWithValue("max_iterations", BeNumerically("==", 10)))
		Expect(remote["knowledge_bases"]).To(ConsistOf(HaveKeyWithValue("knowledge_id", "faq")))

		Expect(agent.Status.Key).To(Equal("support-bot"))
		Expect(agent.Status.ID).To(Equal(remote["_id"]))
		Expect(agent.Status.ProjectID).To(Equal(remote["project_id"]))
		Expect(agent.Status.Version).To(Equal(remote["version"]))
		Expect(agent.Status.RemoteStatus).To(Equal("live"))
		Expect(agent.Status.LastSyncTime).NotTo(BeNil())
		Expect(agent.Status.ObservedGeneration).To(Equal(agent.Generation))
		Expect(agent.Finalizers).To(ContainElement(orqv1alpha1.FinalizerName))
		Expect(meta.FindStatusCondition(agent.Status.Conditions, orqv1alpha1.ConditionReconciling)).To(BeNil())
		Expect(meta.FindStatusCondition(agent.Status.Conditions, orqv1alpha1.ConditionStalled)).To(BeNil())
	})

	It("uses spec.key when set", func() {
		agent := sampleAgent(ns, "named-differently")
		agent.Spec.Key = "Support.Bot_v2"
		Expect(k8s.Create(ctx, agent)).To(Succeed())
		waitReady(ctx, agent)
		_, ok := remoteAgent("Support.Bot_v2")
		Expect(ok).To(BeTrue())
		Expect(agent.Status.Key).To(Equal("Support.Bot_v2"))
	})

	It("sends exactly one PATCH with only the changed fields when the spec changes", func() {
		agent := sampleAgent(ns, "patch-me")
		Expect(k8s.Create(ctx, agent)).To(Succeed())
		waitReady(ctx, agent)
		orqAPI.ResetRequests()

		agent.Spec.Instructions = "Be brief."
		agent.Spec.Settings.MaxIterations = ptr.To[int64](20)
		Expect(k8s.Update(ctx, agent)).To(Succeed())
		waitReady(ctx, agent)

		Eventually(func() []string { return bodyKeys(requests(http.MethodPatch, "/v2/agents/patch-me")) }, timeout, poll).
			Should(Equal([]string{"instructions", "settings"}))
		Consistently(func() int { return len(requests(http.MethodPatch, "/v2/agents/patch-me")) }, 3*suiteSyncPeriod, poll).Should(Equal(1))
		Expect(creates("patch-me")).To(BeEmpty())

		remote, _ := remoteAgent("patch-me")
		Expect(remote).To(HaveKeyWithValue("instructions", "Be brief."))
		Expect(remote["settings"]).To(HaveKeyWithValue("max_iterations", BeNumerically("==", 20)))
		Expect(agent.Status.Version).To(Equal(remote["version"]))
	})

	It("leaves kubectl's last-applied-configuration on the Agent, though its cache drops it", func() {
		orqAPI.AddFault(orqmem.Fault{Method: http.MethodPost, Path: "/v2/agents", Status: http.StatusBadRequest, Message: "refused"})
		DeferCleanup(orqAPI.ClearFaults)
		agent := sampleAgent(ns, "kubectl-applied")
		manifest := `{"apiVersion":"orq.ai/v1alpha1","kind":"Agent","metadata":{"name":"kubectl-applied"}}`
		agent.Annotations = map[string]string{"kubectl.kubernetes.io/last-applied-configuration": manifest}
		Expect(k8s.Create(ctx, agent)).To(Succeed())

		// A refused create removes the operator's own annotation, and only it.
		waitStalled(ctx, agent, orqv1alpha1.ReasonAPIRejected)
		Expect(agent.Finalizers).To(ContainElement(orqv1alpha1.FinalizerName), "the operator patched the metadata")
		Expect(agent.Annotations).NotTo(HaveKey(orqv1alpha1.AnnotationCreateAttempt))
		Expect(agent.Annotations).To(HaveKeyWithValue("kubectl.kubernetes.io/last-applied-configuration", manifest))

		orqAPI.ClearFaults()
		agent.Spec.Instructions = "Be brief."
		Expect(k8s.Update(ctx, agent)).To(Succeed())
		waitReady(ctx, agent)
		Expect(agent.Annotations).To(HaveKeyWithValue("kubectl.kubernetes.io/last-applied-configuration", manifest))
	})

	It("makes no write at all in steady state, over several resyncs", func() {
		agent := sampleAgent(ns, "steady")
		Expect(k8s.Create(ctx, agent)).To(Succeed())
		waitReady(ctx, agent)
		// Let the reconcile that follows creation settle, then watch.
		time.Sleep(500 * time.Millisecond)
		Expect(k8s.Get(ctx, client.ObjectKeyFromObject(agent), agent)).To(Succeed())
		resourceVersion := agent.ResourceVersion
		orqAPI.ResetRequests()

		time.Sleep(3*suiteSyncPeriod + suiteSyncPeriod/2)

		Expect(len(requests(http.MethodGet, "/v2/agents"))).To(BeNumerically(">=", 3), "a drift sweep lists the workspace every sync period")
		for _, r := range requests(http.MethodGet, "/v2/agents") {
			Expect(r.RawQuery).To(ContainSubstring("limit=200"), "full pages")
		}
		Expect(requests(http.MethodGet, "/v2/agents/steady")).To(BeEmpty(), "an unchanged agent is not read on its own")
		for _, method := range []string{http.MethodPost, http.MethodPatch, http.MethodDelete} {
			Expect(writesFor("steady", method)).To(BeZero(), "no %s to orq in steady state", method)
		}
		Expect(k8s.Get(ctx, client.ObjectKeyFromObject(agent), agent)).To(Succeed())
		Expect(agent.ResourceVersion).To(Equal(resourceVersion), "no write to the Agent (status included) in steady state")
	})

	It("puts back a change made outside Kubernetes at the next sync", func() {
		agent := sampleAgent(ns, "drifter")
		Expect(k8s.Create(ctx, agent)).To(Succeed())
		waitReady(ctx, agent)

		corrections := testutil.ToFloat64(metrics.DriftCorrections.WithLabelValues(metrics.DriftUpdated))
		Expect(orqAPI.MutateAgent("drifter", func(a map[string]any) { a["instructions"] = "edited in the studio" })).To(BeTrue())
		// Within one sync period (plus its 10% jitter and a little time for the round trip).
		within := suiteSyncPeriod + suiteSyncPeriod/10 + 500*time.Millisecond
		Eventually(func() any { a, _ := remoteAgent("drifter"); return a["instructions"] }, within, poll/2).
			Should(Equal("Help {{customer}} with their order."))
		Expect(testutil.ToFloat64(metrics.DriftCorrections.WithLabelValues(metrics.DriftUpdated))).To(BeNumerically(">", corrections))
		eventuallyEvent(ctx, agent, orqv1alpha1.ReasonDriftCorrected)
	})

	It("does not delete a different agent that took the key meanwhile", func() {
		agent := sampleAgent(ns, "replaced")
		agent.Annotations = map[string]string{orqv1alpha1.AnnotationSyncInterval: "1h"}
		Expect(k8s.Create(ctx, agent)).To(Succeed())
		waitReady(ctx, agent)
		// Deleted in the studio, and someone else made a new agent with the key.
		deleteRemote("replaced")
		createRemote(sampleAgent(ns, "replaced"), func(b map[string]any) { b["role"] = "Someone else's agent" })

		Expect(k8s.Delete(ctx, agent)).To(Succeed())
		waitGone(ctx, agent)
		remote, ok := remoteAgent("replaced")
		Expect(ok).To(BeTrue(), "the other agent is left alone")
		Expect(remote["role"]).To(Equal("Someone else's agent"))
		Expect(writesFor("replaced", http.MethodDelete)).To(Equal(1), "only the studio's own delete")
		eventuallyEvent(ctx, agent, orqv1alpha1.ReasonOrphaned)
	})

	It("deletes the remote agent and then releases the Agent", func() {
		agent := sampleAgent(ns, "short-lived")
		Expect(k8s.Create(ctx, agent)).To(Succeed())
		waitReady(ctx, agent)

		Expect(k8s.Delete(ctx, agent)).To(Succeed())
		Eventually(func() bool {
			return apierrors.IsNotFound(k8s.Get(ctx, client.ObjectKeyFromObject(agent), &orqv1alpha1.Agent{}))
		}, timeout, poll).Should(BeTrue(), "the finalizer is removed once the remote agent is gone")
		_, ok := remoteAgent("short-lived")
		Expect(ok).To(BeFalse())
		Expect(requests(http.MethodDelete, "/v2/agents/short-lived")).To(HaveLen(1))
	})

	It("releases the Agent when the remote agent is already gone", func() {
		agent := sampleAgent(ns, "gone-already")
		Expect(k8s.Create(ctx, agent)).To(Succeed())
		waitReady(ctx, agent)
		// Removed behind the operator's back, and the Agent deleted before the next sync could
		// create it again: there is nothing left to delete.
		deleteRemote("gone-already")
		Expect(k8s.Delete(ctx, agent)).To(Succeed())
		Eventually(func() bool {
			return apierrors.IsNotFound(k8s.Get(ctx, client.ObjectKeyFromObject(agent), &orqv1alpha1.Agent{}))
		}, timeout, poll).Should(BeTrue())
	})

	It("reports an API refusal as Stalled with the API's message, and does not retry until the spec changes", func() {
		const apiMessage = "model openai/gpt-4o-audio does not support tool calling"
		orqAPI.AddFault(orqmem.Fault{Method: http.MethodPost, Path: "/v2/agents", Status: http.StatusBadRequest, Message: apiMessage})
		DeferCleanup(orqAPI.ClearFaults)
		orqAPI.ResetRequests()

		agent := sampleAgent(ns, "refused")
		Expect(k8s.Create(ctx, agent)).To(Succeed())
		Expect(waitStalled(ctx, agent, orqv1alpha1.ReasonAPIRejected).Message).To(ContainSubstring(apiMessage))
		ready := meta.FindStatusCondition(agent.Status.Conditions, orqv1alpha1.ConditionReady)
		Expect(ready).NotTo(BeNil())
		Expect(ready.Status).To(Equal(metav1.ConditionFalse))
		Expect(agent.Status.ObservedGeneration).To(Equal(agent.Generation))
		Expect(agent.Status.Conditions).NotTo(ContainElement(HaveField("Message", ContainSubstring(suiteAPIKey))))

		Consistently(func() int { return len(creates("refused")) }, 3*suiteSyncPeriod, poll).
			Should(Equal(1), "a refused create is not retried while the spec is unchanged")

		orqAPI.ClearFaults()
		agent.Spec.Model.ID = "openai/gpt-4.1"
		Expect(k8s.Update(ctx, agent)).To(Succeed())
		waitReady(ctx, agent)
		Expect(meta.FindStatusCondition(agent.Status.Conditions, orqv1alpha1.ConditionStalled)).To(BeNil())
	})

	It("retries on its own after the API was unavailable", func() {
		orqAPI.AddFault(orqmem.Fault{Method: http.MethodPost, Path: "/v2/agents", Status: http.StatusServiceUnavailable, Times: 2})
		DeferCleanup(orqAPI.ClearFaults)
		agent := sampleAgent(ns, "flaky")
		Expect(k8s.Create(ctx, agent)).To(Succeed())
		waitReady(ctx, agent)
		_, ok := remoteAgent("flaky")
		Expect(ok).To(BeTrue())
	})

	DescribeTable("the apiserver rejects an invalid manifest, naming the field",
		func(mutate func(a *orqv1alpha1.Agent), field string) {
			agent := sampleAgent(ns, "invalid")
			mutate(agent)
			err := k8s.Create(ctx, agent)
			Expect(apierrors.IsInvalid(err)).To(BeTrue(), "got %v", err)
			Expect(err.Error()).To(ContainSubstring(field))
		},
		Entry("bad key pattern", func(a *orqv1alpha1.Agent) { a.Spec.Key = "1-starts-with-a-digit" }, "spec.key"),
		Entry("key with a double separator", func(a *orqv1alpha1.Agent) { a.Spec.Key = "a--b" }, "spec.key"),
		Entry("temperature above 2", func(a *orqv1alpha1.Agent) { a.Spec.Model.Parameters.Temperature = ptr.To(2.5) }, "spec.model.parameters.temperature"),
		Entry("unknown tool type", func(a *orqv1alpha1.Agent) { a.Spec.Settings.Tools = []orqv1alpha1.AgentTool{{Type: "teleport"}} }, "spec.settings.tools[0]"),
		Entry("maxIterations 0", func(a *orqv1alpha1.Agent) { a.Spec.Settings.MaxIterations = ptr.To[int64](0) }, "spec.settings.maxIterations"),
		Entry("missing model id", func(a *orqv1alpha1.Agent) { a.Spec.Model.ID = "" }, "spec.model.id"),
		Entry("mcp tool without toolId", func(a *orqv1alpha1.Agent) {
			a.Spec.Settings.Tools = []orqv1alpha1.AgentTool{{Type: "mcp", Key: "server"}}
		}, "toolId is required"),
		Entry("http tool with neither key, id nor toolRef", func(a *orqv1alpha1.Agent) { a.Spec.Settings.Tools = []orqv1alpha1.AgentTool{{Type: "http"}} }, "exactly one of key, id"),
		Entry("http tool with both key and toolRef", func(a *orqv1alpha1.Agent) {
			a.Spec.Settings.Tools = []orqv1alpha1.AgentTool{{Type: "http", Key: "k", ToolRef: &orqv1alpha1.ObjectReference{Name: "t"}}}
		}, "exactly one of key, id"),
		Entry("toolRef on a built-in tool", func(a *orqv1alpha1.Agent) {
			a.Spec.Settings.Tools = []orqv1alpha1.AgentTool{{Type: "current_date", ToolRef: &orqv1alpha1.ObjectReference{Name: "t"}}}
		}, "toolRef names a Tool object"),
		Entry("knowledge base with both knowledgeId and knowledgeBaseRef", func(a *orqv1alpha1.Agent) {
			a.Spec.KnowledgeBases = []orqv1alpha1.AgentKnowledgeBase{{KnowledgeID: "k", KnowledgeBaseRef: &orqv1alpha1.ObjectReference{Name: "kb"}}}
		}, "exactly one of knowledgeId"),
		Entry("evaluator sample rate above 100", func(a *orqv1alpha1.Agent) {
			a.Spec.Settings.Evaluators = []orqv1alpha1.Evaluator{{ID: "tone", ExecuteOn: "output", SampleRate: ptr.To(101.0)}}
		}, "spec.settings.evaluators[0].sampleRate"),
		Entry("built-in tool with a key", func(a *orqv1alpha1.Agent) {
			a.Spec.Settings.Tools = []orqv1alpha1.AgentTool{{Type: "google_search", Key: "mine"}}
		}, "built-in and file_system tools take neither key nor id"),
		Entry("a name that is no valid key, without spec.key", func(a *orqv1alpha1.Agent) { a.Name = "9lives" }, "set spec.key"),
		Entry("team member with both key and agentRef", func(a *orqv1alpha1.Agent) {
			a.Spec.TeamOfAgents = []orqv1alpha1.TeamMember{{Key: "writer", AgentRef: &orqv1alpha1.AgentReference{Name: "writer"}}}
		}, "set exactly one of key"),
		Entry("team member with neither key nor agentRef", func(a *orqv1alpha1.Agent) {
			a.Spec.TeamOfAgents = []orqv1alpha1.TeamMember{{Role: "lost"}}
		}, "set exactly one of key"),
		Entry("allowReferencesFrom with an invalid namespace", func(a *orqv1alpha1.Agent) { a.Spec.AllowReferencesFrom = []string{"Team_A"} }, "spec.allowReferencesFrom[0]"),
		Entry("apiKeySecretRef without a key", func(a *orqv1alpha1.Agent) {
			a.Spec.APIKeySecretRef = &orqv1alpha1.SecretKeyReference{Name: "orq-credentials"}
		}, "spec.apiKeySecretRef.key"),
	)

	It("refuses to change the key of an existing Agent", func() {
		agent := sampleAgent(ns, "fixed-key")
		Expect(k8s.Create(ctx, agent)).To(Succeed())
		patch := client.MergeFrom(agent.DeepCopy())
		agent.Spec.Key = "another-key"
		err := k8s.Patch(ctx, agent, patch)
		Expect(apierrors.IsInvalid(err)).To(BeTrue(), "got %v", err)
		Expect(err.Error()).To(ContainSubstring("spec.key is immutable"))
	})

	It("refuses to change spec.source, which the API cannot update", func() {
		agent := sampleAgent(ns, "sourced")
		agent.Spec.Source = "internal"
		Expect(k8s.Create(ctx, agent)).To(Succeed())
		for _, source := range []string{"external", ""} {
			patch := client.MergeFrom(agent.DeepCopy())
			changed := agent.DeepCopy()
			changed.Spec.Source = source
			err := k8s.Patch(ctx, changed, patch)
			Expect(apierrors.IsInvalid(err)).To(BeTrue(), "source %q: got %v", source, err)
			Expect(err.Error()).To(ContainSubstring("spec.source cannot change"))
		}
	})

	It("fills the API's defaults in at admission", func() {
		agent := sampleAgent(ns, "defaults")
		agent.Spec.Settings = orqv1alpha1.AgentSettings{}
		Expect(k8s.Create(ctx, agent)).To(Succeed())
		Expect(k8s.Get(ctx, client.ObjectKeyFromObject(agent), agent)).To(Succeed())
		Expect(agent.Spec.Settings.MaxIterations).To(HaveValue(BeEquivalentTo(100)))
		Expect(agent.Spec.Settings.MaxExecutionTime).To(HaveValue(BeEquivalentTo(600)))
		Expect(agent.Spec.Settings.ToolApprovalRequired).To(Equal("respect_tool"))
		Expect(agent.Spec.Engine).To(Equal("text"))
	})
})
