package controller

import (
	"context"
	"net/http"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/orq-ai/orq-operator/internal/manifest"
	"github.com/orq-ai/orq-operator/internal/orqclient"
)

// planGraph is an Agent naming a Tool, and the Agent's schedule, in an order that names each
// before it exists (keys unique to this spec).
const planGraph = `
apiVersion: orq.ai/v1alpha1
kind: AgentSchedule
metadata: {name: plan-graph-nightly}
spec: {agentRef: {name: plan-graph-agent}, expression: "0 0 9 * * *", payload: {input: Summarise.}}
---
apiVersion: orq.ai/v1alpha1
kind: Agent
metadata: {name: plan-graph-agent}
spec:
  role: Helper
  description: Looks up orders
  instructions: Look it up.
  path: Default/plan
  model: {id: openai/gpt-4o}
  settings: {tools: [{type: function, toolRef: {name: plan-graph-tool}}]}
---
apiVersion: orq.ai/v1alpha1
kind: Tool
metadata: {name: plan-graph-tool}
spec: {path: Default/plan, description: Looks up an order, type: function, function: {name: lookup_order}}
`

var _ = Describe("manager plan of a graph", func() {
	It("plans each kind in the order the operator then creates them, one create each, and then no change", func() {
		ctx := context.Background()
		ns := newNamespace(ctx, "plan-graph-")
		decoded, err := manifest.Decode(strings.NewReader(planGraph), "planGraph", ns)
		Expect(err).NotTo(HaveOccurred())
		Expect(decoded.Refused).To(BeEmpty())
		api, err := orqclient.New(orqclient.Options{BaseURL: orqURL, APIKey: suiteAPIKey, Timeout: 5 * time.Second})
		Expect(err).NotTo(HaveOccurred())

		before := len(orqAPI.Requests())
		plans, err := Plan(ctx, decoded.Objects, api, PlanOptions{Live: true})
		Expect(err).NotTo(HaveOccurred())
		var order []string
		for _, p := range plans {
			order = append(order, p.Kind+"="+string(p.Verdict))
		}
		Expect(order).To(Equal([]string{"Tool=create", "Agent=create", "AgentSchedule=create"}))
		for _, r := range orqAPI.Requests()[before:] {
			Expect(r.Method).To(Equal(http.MethodGet), "a plan sent %s %s", r.Method, r.Path)
		}

		By("applying the manifests in their own order")
		applied := len(orqAPI.Requests())
		for _, o := range decoded.Objects {
			o := o.DeepCopyObject().(client.Object)
			o.SetUID("")
			Expect(k8s.Create(ctx, o)).To(Succeed())
		}
		cluster := make([]client.Object, 0, len(decoded.Objects))
		for _, o := range decoded.Objects {
			live := o.DeepCopyObject().(client.Object)
			waitObjectReady(ctx, live)
			cluster = append(cluster, live)
		}
		var posts []string
		for _, r := range orqAPI.Requests()[applied:] {
			Expect(r.Method).NotTo(Equal(http.MethodDelete), "%s", r.Path)
			if r.Method == http.MethodPost {
				posts = append(posts, r.Path)
			}
		}
		Expect(posts).To(ConsistOf("/v2/tools", "/v2/agents", "/v3/agents/plan-graph-agent/schedules"), "one create of each, no request refused")

		By("planning again with the cluster's state: nothing to do")
		again, err := Plan(ctx, cluster, api, PlanOptions{Live: true})
		Expect(err).NotTo(HaveOccurred())
		for _, p := range again {
			Expect(p.Verdict).To(Equal(VerdictNoChange), "%s %s: %s %v %s", p.Kind, p.Name, p.Reason, p.Changed, p.Message)
			Expect(p.Unverified).To(BeEmpty())
		}
	})
})
