package controller

import (
	"bytes"
	"context"
	"net/http"
	"os/exec"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/utils/ptr"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
	"github.com/orq-ai/orq-operator/internal/export"
	"github.com/orq-ai/orq-operator/internal/orqclient"
)

var _ = Describe("Export", func() {
	It("writes manifests that, applied, adopt every agent with zero writes to orq", func() {
		ctx := context.Background()
		// A workspace made outside Kubernetes, with agents of several shapes.
		keys := []string{"Export_Plain", "export.full", "export-minimal"}
		plain := sampleAgent("", keys[0])
		full := sampleAgent("", keys[1])
		full.Spec.DisplayName = "Full"
		full.Spec.SystemPrompt = ptr.To("You are helpful.")
		full.Spec.Model.Parameters.ToolChoice = &orqv1alpha1.ToolChoice{Type: "auto"}
		full.Spec.Model.Parameters.Stop = []string{"END"}
		full.Spec.TeamOfAgents = []orqv1alpha1.TeamMember{{Key: keys[0], Role: "helper"}}
		full.Spec.MemoryStores = []string{seededMemoryStore}
		full.Spec.Settings.Tools = append(full.Spec.Settings.Tools,
			orqv1alpha1.AgentTool{Type: "mcp", Key: "github", ToolID: "01KXYZ123456789"},
			orqv1alpha1.AgentTool{Type: "function", ID: seededFunctionID})
		minimal := &orqv1alpha1.Agent{ObjectMeta: metav1.ObjectMeta{Name: keys[2]}, Spec: orqv1alpha1.AgentSpec{
			Role: "r", Description: "d", Instructions: "i", Path: "Default", Model: orqv1alpha1.ModelConfig{ID: "openai/gpt-4o"},
		}}
		for _, a := range []*orqv1alpha1.Agent{plain, full, minimal} {
			createRemote(a, nil)
		}

		ns := newNamespace(ctx, "exported-")
		api, err := orqclient.New(orqclient.Options{BaseURL: orqURL, APIKey: suiteAPIKey})
		Expect(err).NotTo(HaveOccurred())
		exported, err := export.Manifests(ctx, api, ns)
		Expect(err).NotTo(HaveOccurred())
		var out bytes.Buffer
		Expect(export.Write(&out, exported)).To(Succeed())
		GinkgoWriter.Printf("exported manifests:\n%s\n", out.String())
		Expect(out.String()).NotTo(ContainSubstring("status:"))
		Expect(out.String()).NotTo(ContainSubstring("maxIterations: 100"), "defaults are omitted")

		orqAPI.ResetRequests()
		decoder := yaml.NewYAMLOrJSONDecoder(&out, 4096)
		var applied []*orqv1alpha1.Agent
		for {
			a := &orqv1alpha1.Agent{}
			if err := decoder.Decode(a); err != nil {
				break
			}
			if !strings.HasPrefix(strings.ToLower(a.Spec.Key), "export") {
				continue // agents of other tests
			}
			Expect(a.Spec.AdoptionPolicy).To(Equal(orqv1alpha1.AdoptionPolicyAdopt))
			Expect(k8s.Create(ctx, a)).To(Succeed())
			applied = append(applied, a)
		}
		Expect(applied).To(HaveLen(len(keys)))
		for _, a := range applied {
			waitReady(ctx, a)
			Expect(a.Status.PendingChanges).To(BeEmpty())
			if a.Spec.Key == keys[1] {
				Expect(a.Spec.TeamOfAgents).To(Equal([]orqv1alpha1.TeamMember{{AgentRef: &orqv1alpha1.AgentReference{Name: "export-plain"}, Role: "helper"}}),
					"a member exported too is an agentRef to its Agent")
			}
		}
		time.Sleep(suiteSyncPeriod + suiteSyncPeriod/2)
		for _, key := range keys {
			for _, method := range []string{http.MethodPost, http.MethodPatch, http.MethodDelete} {
				Expect(writesFor(key, method)).To(BeZero(), "no %s for %s", method, key)
			}
		}
	})

	It("writes prompts as files that, applied with kustomize, adopt the agent with zero writes", func() {
		kubectl, err := exec.LookPath("kubectl")
		if err != nil {
			Skip("kubectl is not installed: it renders the kustomization (kubectl kustomize)")
		}
		ctx := context.Background()
		const key = "export-prompted"
		a := sampleAgent("", key)
		a.Spec.Instructions = "Help {{customer}} with their order.\n\n- Be brief.\n- Never guess a price.\n"
		a.Spec.SystemPrompt = ptr.To("You are a careful assistant of the shop.")
		createRemote(a, nil)

		ns := newNamespace(ctx, "exported-")
		api, err := orqclient.New(orqclient.Options{BaseURL: orqURL, APIKey: suiteAPIKey})
		Expect(err).NotTo(HaveOccurred())
		exported, err := export.Manifests(ctx, api, ns)
		Expect(err).NotTo(HaveOccurred())
		dir := GinkgoT().TempDir()
		Expect(export.WriteDir(dir, exported, export.DirOptions{PromptsAsFiles: true, PromptMinLength: 40})).To(Succeed())
		rendered, err := exec.Command(kubectl, "kustomize", dir).Output()
		Expect(err).NotTo(HaveOccurred())

		orqAPI.ResetRequests()
		agent := applyRendered(ctx, rendered, key)
		Expect(agent.Spec.InstructionsFrom).NotTo(BeNil())
		Expect(agent.Spec.SystemPromptFrom).NotTo(BeNil())
		waitReady(ctx, agent)
		Expect(agent.Status.PendingChanges).To(BeEmpty())
		time.Sleep(suiteSyncPeriod)
		for _, method := range []string{http.MethodPost, http.MethodPatch, http.MethodDelete} {
			Expect(writesFor(key, method)).To(BeZero(), "no %s", method)
		}
	})
})

// applyRendered creates, of kustomize's output, the Agent with this key and its prompts'
// ConfigMap, and returns the Agent.
func applyRendered(ctx context.Context, rendered []byte, key string) *orqv1alpha1.Agent {
	GinkgoHelper()
	var agent *orqv1alpha1.Agent
	configMaps := map[string]*corev1.ConfigMap{}
	decoder := yaml.NewYAMLOrJSONDecoder(bytes.NewReader(rendered), 4096)
	for {
		var obj unstructured.Unstructured
		if err := decoder.Decode(&obj.Object); err != nil {
			break
		}
		switch obj.GetKind() {
		case "ConfigMap":
			cm := &corev1.ConfigMap{}
			Expect(runtime.DefaultUnstructuredConverter.FromUnstructured(obj.Object, cm)).To(Succeed())
			configMaps[cm.Name] = cm
		case "Agent":
			a := &orqv1alpha1.Agent{}
			Expect(runtime.DefaultUnstructuredConverter.FromUnstructured(obj.Object, a)).To(Succeed())
			if a.Spec.Key == key {
				agent = a
			}
		}
	}
	Expect(agent).NotTo(BeNil(), "the export has the agent %s", key)
	name := agent.Spec.InstructionsFrom.ConfigMapKeyRef.Name
	Expect(configMaps).To(HaveKey(name), "the kustomization makes the ConfigMap the Agent names")
	Expect(k8s.Create(ctx, configMaps[name])).To(Succeed())
	Expect(k8s.Create(ctx, agent)).To(Succeed())
	return agent
}
