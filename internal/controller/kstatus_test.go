package controller

import (
	"context"
	"net/http"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"
	"sigs.k8s.io/controller-runtime/pkg/client"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
	"github.com/orq-ai/orq-operator/internal/orqmem"
)

// The status that Flux (wait: true), Argo CD and kubectl read through kstatus.
var _ = Describe("kstatus", func() {
	var (
		ctx context.Context
		ns  string
	)

	BeforeEach(func() {
		ctx = context.Background()
		ns = newNamespace(ctx, "kstatus-")
	})

	// kstatusOf reads the Agent as Flux and Argo CD do, unstructured, and computes its status.
	kstatusOf := func(g Gomega, agent *orqv1alpha1.Agent) status.Status {
		u := &unstructured.Unstructured{}
		u.SetAPIVersion(orqv1alpha1.GroupVersion.String())
		u.SetKind("Agent")
		g.Expect(k8s.Get(ctx, client.ObjectKeyFromObject(agent), u)).To(Succeed())
		g.Expect(runtime.DefaultUnstructuredConverter.FromUnstructured(u.Object, agent)).To(Succeed())
		res, err := status.Compute(u)
		g.Expect(err).NotTo(HaveOccurred())
		return res.Status
	}

	It("is Current when the Agent is Ready", func() {
		agent := sampleAgent(ns, "kstatus-ready")
		Expect(k8s.Create(ctx, agent)).To(Succeed())
		Eventually(func(g Gomega) status.Status { return kstatusOf(g, agent) }, timeout, poll).Should(Equal(status.CurrentStatus))
		Expect(agent.Status.Conditions).To(ContainElement(HaveField("Type", orqv1alpha1.ConditionReady)))
	})

	It("is InProgress while the operator waits for the API, and Current afterwards", func() {
		orqAPI.AddFault(orqmem.Fault{Method: http.MethodPost, Path: "/v2/agents", Status: http.StatusTooManyRequests, RetryAfter: 3 * time.Second, Times: 1})
		DeferCleanup(orqAPI.ClearFaults)
		agent := sampleAgent(ns, "kstatus-waiting")
		Expect(k8s.Create(ctx, agent)).To(Succeed())
		Eventually(func(g Gomega) status.Status { return kstatusOf(g, agent) }, timeout, poll/2).Should(Equal(status.InProgressStatus))
		Eventually(func(g Gomega) status.Status { return kstatusOf(g, agent) }, timeout, poll).Should(Equal(status.CurrentStatus))
	})

	It("is Failed when the Agent is Stalled", func() {
		orqAPI.AddFault(orqmem.Fault{Method: http.MethodPost, Path: "/v2/agents", Status: http.StatusBadRequest, Message: "no such model"})
		DeferCleanup(orqAPI.ClearFaults)
		agent := sampleAgent(ns, "kstatus-stalled")
		Expect(k8s.Create(ctx, agent)).To(Succeed())
		Eventually(func(g Gomega) status.Status { return kstatusOf(g, agent) }, timeout, poll).Should(Equal(status.FailedStatus))
	})
})
