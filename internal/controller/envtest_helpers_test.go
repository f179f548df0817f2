package controller

import (
	"context"
	"encoding/json"
	"net/http"
	"sort"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
	"github.com/orq-ai/orq-operator/internal/orqmem"
)

// sampleAgent is a complete Agent: model with parameters and a fallback, tools, a knowledge base.
func sampleAgent(ns, name string) *orqv1alpha1.Agent {
	return &orqv1alpha1.Agent{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: orqv1alpha1.AgentSpec{
			Role:         "Customer support",
			Description:  "Answers questions about orders",
			Instructions: "Help {{customer}} with their order.",
			Path:         "Default/support",
			Model: orqv1alpha1.ModelConfig{
				ID:         "openai/gpt-4o",
				Parameters: &orqv1alpha1.ModelParameters{Temperature: ptr.To(0.3), MaxCompletionTokens: ptr.To[int64](2048)},
				Retry:      &orqv1alpha1.Retry{OnCodes: []orqv1alpha1.HTTPStatusCode{429, 503}},
			},
			FallbackModels: []orqv1alpha1.ModelConfig{{ID: "anthropic/claude-haiku-4-5-20251001"}},
			Settings: orqv1alpha1.AgentSettings{
				MaxIterations: ptr.To[int64](10),
				Tools: []orqv1alpha1.AgentTool{
					{Type: "current_date"},
					{Type: "http", Key: seededToolKey, RequiresApproval: ptr.To(true)},
				},
				Evaluators: []orqv1alpha1.Evaluator{{ID: "tone", ExecuteOn: "output"}},
			},
			KnowledgeBases: []orqv1alpha1.AgentKnowledgeBase{{KnowledgeID: seededKnowledge}},
		},
	}
}

// Objects of the suite's workspace that agents name: orq refuses an agent naming a custom tool,
// knowledge base or memory store that does not exist.
const (
	seededToolKey     = "orders-api" // an http tool, named by sampleAgent
	seededFunctionKey = "lookup"     // a function tool, named by id
	seededKnowledge   = "faq"        // named by sampleAgent
	seededMemoryStore = "prefs"
)

// seededFunctionID is the id by which agents name the function tool seededFunctionKey.
var seededFunctionID string

// seedWorkspace creates, in project Default, what the suite's agents name.
func seedWorkspace(api *orqmem.Server) {
	GinkgoHelper()
	_, err := api.SeedTool(`{"path":"Default","key":"` + seededToolKey + `","description":"Orders","type":"http",
	  "http":{"blueprint":{"url":"https://orders.example/api","method":"GET"}}}`)
	Expect(err).NotTo(HaveOccurred())
	fn, err := api.SeedTool(`{"path":"Default","key":"` + seededFunctionKey + `","description":"Lookup","type":"function",
	  "function":{"name":"lookup"}}`)
	Expect(err).NotTo(HaveOccurred())
	seededFunctionID = strings.TrimPrefix(fn["_id"].(string), "tool_")
	_, err = api.SeedKnowledgeBase(`{"key":"` + seededKnowledge + `","embedding_model":"openai/text-embedding-3-small","path":"Default"}`)
	Expect(err).NotTo(HaveOccurred())
	_, err = api.SeedMemoryStore(`{"key":"` + seededMemoryStore + `","embedding_config":{"model":"openai/text-embedding-3-small"},
	  "description":"Preferences","path":"Default"}`)
	Expect(err).NotTo(HaveOccurred())
}

// waitReady waits until the Agent is Ready for its current generation, and refreshes it.
func waitReady(ctx context.Context, agent *orqv1alpha1.Agent) {
	GinkgoHelper()
	Eventually(func(g Gomega) {
		g.Expect(k8s.Get(ctx, client.ObjectKeyFromObject(agent), agent)).To(Succeed())
		ready := meta.FindStatusCondition(agent.Status.Conditions, orqv1alpha1.ConditionReady)
		g.Expect(ready).NotTo(BeNil())
		g.Expect(ready.Status).To(Equal(metav1.ConditionTrue), "Ready: %s: %s", ready.Reason, ready.Message)
		g.Expect(ready.ObservedGeneration).To(Equal(agent.Generation))
		g.Expect(agent.Status.ObservedGeneration).To(Equal(agent.Generation))
	}, timeout, poll).Should(Succeed())
}

// remoteAgent returns the agent stored in the in-memory API, decoded as a client would.
func remoteAgent(key string) (map[string]any, bool) {
	GinkgoHelper()
	a, ok := orqAPI.Agent(key)
	if !ok {
		return nil, false
	}
	raw, err := json.Marshal(a)
	Expect(err).NotTo(HaveOccurred())
	var out map[string]any
	Expect(json.Unmarshal(raw, &out)).To(Succeed())
	return out, true
}

// requests returns the recorded requests of one method and exact path.
func requests(method, path string) []orqmem.Request {
	var out []orqmem.Request
	for _, r := range orqAPI.Requests() {
		if r.Method == method && r.Path == path {
			out = append(out, r)
		}
	}
	return out
}

// creates returns the recorded POSTs that create the agent with this key.
func creates(key string) []orqmem.Request {
	var out []orqmem.Request
	for _, r := range requests(http.MethodPost, "/v2/agents") {
		var body struct {
			Key string `json:"key"`
		}
		if json.Unmarshal(r.Body, &body) == nil && body.Key == key {
			out = append(out, r)
		}
	}
	return out
}

// writesFor counts the recorded requests of one method about one key (by path, or by the key
// of a POST body). Counting per key keeps the tail of earlier specs out of the count.
func writesFor(key, method string) int {
	n := len(requests(method, "/v2/agents/"+key))
	if method == http.MethodPost {
		n += len(creates(key))
	}
	return n
}

// bodyKeys returns the sorted top-level keys of the bodies of reqs, if there is exactly one.
func bodyKeys(reqs []orqmem.Request) []string {
	if len(reqs) != 1 {
		return nil
	}
	var body map[string]any
	if json.Unmarshal(reqs[0].Body, &body) != nil {
		return nil
	}
	keys := make([]string, 0, len(body))
	for k := range body {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// deleteRemote deletes an agent in the in-memory API directly, as someone in the orq studio would.
func deleteRemote(key string) {
	GinkgoHelper()
	req := httptestRequest(http.MethodDelete, "/v2/agents/"+key)
	Expect(req).To(Equal(http.StatusNoContent))
}

func httptestRequest(method, path string) int {
	req, err := http.NewRequest(method, orqURL+path, strings.NewReader(""))
	Expect(err).NotTo(HaveOccurred())
	req.Header.Set("Authorization", "Bearer "+suiteAPIKey)
	resp, err := http.DefaultClient.Do(req)
	Expect(err).NotTo(HaveOccurred())
	_ = resp.Body.Close()
	return resp.StatusCode
}
