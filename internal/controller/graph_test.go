package controller

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
	"github.com/orq-ai/orq-operator/internal/orqmem"
)

// The whole agent as code (#19): tools, knowledge bases and memory stores as objects of their own,
// named by the Agents that use them.
var _ = Describe("An agent's graph", func() {
	var ctx context.Context

	BeforeEach(func() { ctx = context.Background() })

	It("creates what an Agent names before the Agent, in any order, with no request refused", func() {
		ns := newNamespace(ctx, "graph-order-")
		orqAPI.ResetRequests()
		agent := sampleAgent(ns, "graph-agent")
		agent.Spec.Settings.Tools = []orqv1alpha1.AgentTool{{Type: "function", ToolRef: &orqv1alpha1.ObjectReference{Name: "graph-lookup"}}}
		agent.Spec.KnowledgeBases = []orqv1alpha1.AgentKnowledgeBase{{KnowledgeBaseRef: &orqv1alpha1.ObjectReference{Name: "graph-faq"}}}
		agent.Spec.MemoryStoreRefs = []orqv1alpha1.ObjectReference{{Name: "graph.prefs"}}
		Expect(k8s.Create(ctx, agent)).To(Succeed()) // first: it waits for the others
		waitCondition(ctx, agent, orqv1alpha1.ConditionResolvedRefs, metav1.ConditionFalse, orqv1alpha1.ReasonDependencyNotReady)

		tool, kb, store := functionTool(ns, "graph-lookup"), internalKB(ns, "graph-faq"), memoryStore(ns, "graph.prefs")
		for _, o := range []client.Object{store, kb, tool} {
			Expect(k8s.Create(ctx, o)).To(Succeed())
		}
		waitReady(ctx, agent)
		for _, o := range []client.Object{tool, kb, store} {
			waitObjectReady(ctx, o)
		}
		Expect(meta.IsStatusConditionTrue(agent.Status.Conditions, orqv1alpha1.ConditionResolvedRefs)).To(BeTrue())

		remote, _ := remoteAgent("graph-agent")
		tools := remote["settings"].(map[string]any)["tools"].([]any)
		Expect(tools).To(ContainElement(HaveKeyWithValue("key", "graph-lookup")))
		Expect(remote["knowledge_bases"]).To(ConsistOf(HaveKeyWithValue("knowledge_id", kb.Status.ID)))
		Expect(remote["memory_stores"]).To(ConsistOf("graph.prefs"))
		Expect(agent.Status.ToolKeys).To(ContainElement("graph-lookup"))
		Expect(refused()).To(BeEmpty(), "no request refused on the way")
		Expect(createsAt("/v2/tools", "graph-lookup")).To(Equal(1), "one call per object created")
		Expect(createsAt("/v2/knowledge", "graph-faq")).To(Equal(1))
		Expect(createsAt("/v2/memory-stores", "graph.prefs")).To(Equal(1))
	})

	It("sends a change of a Tool to the tool alone, and puts back a change made in the studio", func() {
		ns := newNamespace(ctx, "graph-edit-")
		tool := functionTool(ns, "graph-edited")
		agent := sampleAgent(ns, "graph-user")
		agent.Spec.Settings.Tools = []orqv1alpha1.AgentTool{{Type: "function", ToolRef: &orqv1alpha1.ObjectReference{Name: "graph-edited"}}}
		Expect(k8s.Create(ctx, tool)).To(Succeed())
		Expect(k8s.Create(ctx, agent)).To(Succeed())
		waitReady(ctx, agent)
		waitObjectReady(ctx, tool)
		orqAPI.ResetRequests()

		patch := client.MergeFrom(tool.DeepCopy())
		tool.Spec.Description = "Looks up an order, by its number"
		Expect(k8s.Patch(ctx, tool, patch)).To(Succeed())
		Eventually(func() any { t, _ := orqAPI.Tool(toolID(ctx, tool)); return t["description"] }, timeout, poll).
			Should(Equal("Looks up an order, by its number"))
		Consistently(func() int { return writesFor("graph-user", http.MethodPatch) }, suiteSyncPeriod, poll).Should(BeZero(),
			"editing a Tool patches the tool, not the agents using it")
		Expect(requests(http.MethodPatch, "/v2/tools/"+toolID(ctx, tool))).To(HaveLen(1))

		Expect(orqAPI.MutateTool(toolID(ctx, tool), func(t map[string]any) { t["description"] = "edited in the studio" })).To(BeTrue())
		Eventually(func() any { t, _ := orqAPI.Tool(toolID(ctx, tool)); return t["description"] }, timeout, poll).
			Should(Equal("Looks up an order, by its number"), "the drift sweep finds and puts back the change")
		eventuallyObjectEvent(ctx, tool, orqv1alpha1.ReasonDriftCorrected)
	})

	It("keeps a Tool an Agent names, InUse, and deletes a whole graph Agents first, with no request refused", func() {
		ns := newNamespace(ctx, "graph-delete-")
		tool, store := functionTool(ns, "graph-used"), memoryStore(ns, "graph.used")
		agent := sampleAgent(ns, "graph-holder")
		agent.Spec.Settings.Tools = []orqv1alpha1.AgentTool{{Type: "function", ToolRef: &orqv1alpha1.ObjectReference{Name: "graph-used"}}}
		agent.Spec.MemoryStoreRefs = []orqv1alpha1.ObjectReference{{Name: "graph.used"}}
		for _, o := range []client.Object{tool, store, agent} {
			Expect(k8s.Create(ctx, o)).To(Succeed())
		}
		waitReady(ctx, agent)
		id := toolID(ctx, tool)

		By("deleting the Tool alone")
		Expect(k8s.Delete(ctx, tool)).To(Succeed())
		c := waitObjectCondition(ctx, tool, orqv1alpha1.ConditionReady, metav1.ConditionFalse, orqv1alpha1.ReasonInUse)
		Expect(c.Message).To(ContainSubstring("Agent " + ns + "/graph-holder"))
		_, ok := orqAPI.Tool(id)
		Expect(ok).To(BeTrue(), "not deleted from orq while an Agent names it")

		By("deleting the rest at once")
		orqAPI.ResetRequests()
		Expect(k8s.Delete(ctx, agent)).To(Succeed())
		Expect(k8s.Delete(ctx, store)).To(Succeed())
		for _, o := range []client.Object{agent, tool, store} {
			waitObjectGone(ctx, o)
		}
		_, ok = orqAPI.Tool(id)
		Expect(ok).To(BeFalse())
		_, ok = orqAPI.MemoryStore("graph.used")
		Expect(ok).To(BeFalse())
		Expect(refused()).To(BeEmpty(), "the agent is deleted before what it names")
	})

	It("sends a header from a Secret encrypted, again when the Secret changes, and never shows it", func() {
		ns := newNamespace(ctx, "graph-secret-")
		Expect(k8s.Create(ctx, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "orders-api"},
			Data: map[string][]byte{"token": []byte("Bearer s3cret-first")}})).To(Succeed())
		tool := httpTool(ns, "graph-http", "orders-api")
		Expect(k8s.Create(ctx, tool)).To(Succeed())
		waitObjectReady(ctx, tool)
		remote, _ := orqAPI.Tool(toolID(ctx, tool))
		header := remote["http"].(map[string]any)["blueprint"].(map[string]any)["headers"].(map[string]any)["Authorization"]
		Expect(header).To(And(HaveKeyWithValue("encrypted", true), HaveKeyWithValue("value", "Bearer s3cret-first")))

		secret := &corev1.Secret{}
		Expect(k8s.Get(ctx, client.ObjectKey{Namespace: ns, Name: "orders-api"}, secret)).To(Succeed())
		secret.Data["token"] = []byte("Bearer s3cret-second")
		Expect(k8s.Update(ctx, secret)).To(Succeed())
		Eventually(func() any {
			remote, _ := orqAPI.Tool(toolID(ctx, tool))
			return remote["http"].(map[string]any)["blueprint"].(map[string]any)["headers"].(map[string]any)["Authorization"]
		}, timeout, poll).Should(HaveKeyWithValue("value", "Bearer s3cret-second"), "re-sent when the Secret changes")

		waitObjectReady(ctx, tool)
		Expect(k8s.Get(ctx, client.ObjectKeyFromObject(tool), tool)).To(Succeed())
		raw := strings.Join(objectStrings(tool), "\n") + strings.Join(eventNotes(ctx, tool), "\n")
		Expect(raw).NotTo(ContainSubstring("s3cret"), "in no status, event or annotation")
	})

	It("refuses a toolRef to a Tool of another type, naming both", func() {
		ns := newNamespace(ctx, "graph-mismatch-")
		tool := functionTool(ns, "graph-fn")
		agent := sampleAgent(ns, "graph-misfit")
		agent.Spec.Settings.Tools = []orqv1alpha1.AgentTool{{Type: "http", ToolRef: &orqv1alpha1.ObjectReference{Name: "graph-fn"}}}
		Expect(k8s.Create(ctx, tool)).To(Succeed())
		Expect(k8s.Create(ctx, agent)).To(Succeed())
		c := waitCondition(ctx, agent, orqv1alpha1.ConditionResolvedRefs, metav1.ConditionFalse, orqv1alpha1.ReasonRefMismatch)
		Expect(c.Message).To(And(ContainSubstring("graph-fn"), ContainSubstring("of type function"), ContainSubstring("of type http")))
		Expect(creates("graph-misfit")).To(BeEmpty())
	})

	It("never takes a tool made in the studio at a Tool's key, and takes it over with Adopt", func() {
		ns := newNamespace(ctx, "graph-foreign-")
		orqAPI.ResetRequests()
		_, err := orqAPI.SeedTool(`{"path":"Default","key":"graph-studio","description":"made in the studio","type":"function","function":{"name":"f"}}`)
		Expect(err).NotTo(HaveOccurred())
		// Creation times have a resolution of one second: applied in the next one, the Tool is
		// looked up in a listing that began after the studio's tool was made (see lookupMaxAge).
		time.Sleep(time.Until(time.Now().Truncate(time.Second).Add(time.Second)))
		tool := functionTool(ns, "graph-studio")
		Expect(k8s.Create(ctx, tool)).To(Succeed())
		waitObjectCondition(ctx, tool, orqv1alpha1.ConditionStalled, metav1.ConditionTrue, orqv1alpha1.ReasonAdoptionRequired)
		Expect(createsAt("/v2/tools", "graph-studio")).To(BeZero(), "the key was looked up first: no create")

		patch := client.MergeFrom(tool.DeepCopy())
		tool.Spec.AdoptionPolicy = orqv1alpha1.AdoptionPolicyAdopt
		Expect(k8s.Patch(ctx, tool, patch)).To(Succeed())
		waitObjectReady(ctx, tool)
		remote, _ := orqAPI.Tool(toolID(ctx, tool))
		Expect(remote["description"]).To(Equal("Looks up an order"), "corrected to the spec")
	})

	It("sends a memory store's path when it changes, though orq does not echo it", func() {
		ns := newNamespace(ctx, "graph-path-")
		store := memoryStore(ns, "graph.moved")
		Expect(k8s.Create(ctx, store)).To(Succeed())
		waitObjectReady(ctx, store)
		orqAPI.ResetRequests()
		patch := client.MergeFrom(store.DeepCopy())
		store.Spec.Path = "Default/memories"
		Expect(k8s.Patch(ctx, store, patch)).To(Succeed())
		Eventually(func() []string { return bodyKeys(requests(http.MethodPatch, "/v2/memory-stores/graph.moved")) }, timeout, poll).
			Should(Equal([]string{"path"}))
		waitObjectReady(ctx, store)
		Consistently(func() int { return len(requests(http.MethodPatch, "/v2/memory-stores/graph.moved")) }, suiteSyncPeriod, poll).
			Should(Equal(1), "sent once, not at every sync")
	})
})

func functionTool(ns, name string) *orqv1alpha1.Tool {
	return &orqv1alpha1.Tool{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}, Spec: orqv1alpha1.ToolSpec{
		Path: "Default/tools", Description: "Looks up an order", Type: "function",
		Function: &orqv1alpha1.FunctionToolSpec{Name: "lookup_order", Strict: ptr.To(false)},
	}}
}

func httpTool(ns, name, secret string) *orqv1alpha1.Tool {
	return &orqv1alpha1.Tool{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}, Spec: orqv1alpha1.ToolSpec{
		Path: "Default/tools", Description: "Calls the orders API", Type: "http",
		HTTP: &orqv1alpha1.HTTPToolSpec{Blueprint: orqv1alpha1.HTTPBlueprint{URL: "https://orders.example/{{id}}", Method: "GET",
			Headers: map[string]orqv1alpha1.HTTPHeader{
				"Authorization": {ValueFrom: &orqv1alpha1.HeaderValueSource{SecretKeyRef: orqv1alpha1.SecretKeyReference{Name: secret, Key: "token"}}},
				"Accept":        {Value: ptr.To("application/json")},
			}}},
	}}
}

func internalKB(ns, name string) *orqv1alpha1.KnowledgeBase {
	return &orqv1alpha1.KnowledgeBase{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}, Spec: orqv1alpha1.KnowledgeBaseSpec{
		Type: "internal", Path: "Default/knowledge", EmbeddingModel: "openai/text-embedding-3-small",
		RetrievalSettings: &orqv1alpha1.RetrievalSettings{TopK: ptr.To[int64](8)},
	}}
}

func memoryStore(ns, name string) *orqv1alpha1.MemoryStore {
	return &orqv1alpha1.MemoryStore{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}, Spec: orqv1alpha1.MemoryStoreSpec{
		Description: "What each customer prefers", Path: "Default",
		EmbeddingConfig: orqv1alpha1.MemoryStoreEmbeddingConfig{Model: "openai/text-embedding-3-small"},
	}}
}

// toolID is the id of a Tool's remote tool, once it recorded one.
func toolID(ctx context.Context, t *orqv1alpha1.Tool) string {
	GinkgoHelper()
	Eventually(func() string {
		_ = k8s.Get(ctx, client.ObjectKeyFromObject(t), t)
		return t.Status.ID
	}, timeout, poll).ShouldNot(BeEmpty())
	return t.Status.ID
}

// refused lists the recorded writes orq refused (4xx), as "METHOD path". (A read answered 404 is
// an answer, not a refusal.)
func refused() []string {
	var out []string
	for _, r := range orqAPI.Requests() {
		if r.Method != http.MethodGet && r.Status >= 400 && r.Status < 500 {
			out = append(out, r.Method+" "+r.Path)
		}
	}
	return out
}

// createsAt counts the recorded POSTs to a collection that create the object with this key.
func createsAt(path, key string) int {
	n := 0
	for _, r := range requests(http.MethodPost, path) {
		var body struct {
			Key string `json:"key"`
		}
		if json.Unmarshal(r.Body, &body) == nil && body.Key == key {
			n++
		}
	}
	return n
}

var _ = orqmem.Request{}
