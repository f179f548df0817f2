package controller

import (
	"bytes"
	"context"
	"os/exec"
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
	"github.com/orq-ai/orq-operator/internal/managed"
	"github.com/orq-ai/orq-operator/internal/orqclient"
)

var _ = Describe("Export", func() {
	It("writes manifests of every kind that, applied, adopt the workspace with zero writes to orq", func() {
		ctx := context.Background()
		// A workspace made outside Kubernetes: a memory store, knowledge bases (one external, its
		// API key a secret), tools (one sending a header orq keeps encrypted), and agents of
		// several shapes, one of them using a tool, a knowledge base and a memory store.
		w := seedExportWorkspace()
		plain := sampleAgent("", "Export_Plain")
		plain.Spec.Settings.Tools = []orqv1alpha1.AgentTool{{Type: "current_date"}, {Type: "http", Key: "export-orders", RequiresApproval: ptr.To(true)}}
		plain.Spec.KnowledgeBases = []orqv1alpha1.AgentKnowledgeBase{{KnowledgeID: "export-faq"}} // by key
		full := sampleAgent("", "export.full")
		full.Spec.DisplayName = "Full"
		full.Spec.SystemPrompt = ptr.To("You are helpful.")
		full.Spec.Model.Parameters.ToolChoice = &orqv1alpha1.ToolChoice{Type: "auto"}
		full.Spec.Model.Parameters.Stop = []string{"END"}
		full.Spec.TeamOfAgents = []orqv1alpha1.TeamMember{{Key: "Export_Plain", Role: "helper"}}
		full.Spec.MemoryStores = []string{"export_prefs"}
		full.Spec.KnowledgeBases = []orqv1alpha1.AgentKnowledgeBase{{KnowledgeID: w.faqID}, {KnowledgeID: w.searchID}}
		full.Spec.Settings.Tools = []orqv1alpha1.AgentTool{
			{Type: "mcp", Key: "github", ToolID: "01KXYZ123456789"},
			{Type: "function", ID: w.lookupID}, // by id: orq adds its key
			{Type: "http", Key: "export-orders"},
		}
		minimal := &orqv1alpha1.Agent{ObjectMeta: metav1.ObjectMeta{Name: "export-minimal"}, Spec: orqv1alpha1.AgentSpec{
			Role: "r", Description: "d", Instructions: "i", Path: "Default", Model: orqv1alpha1.ModelConfig{ID: "openai/gpt-4o"},
		}}
		for _, a := range []*orqv1alpha1.Agent{plain, full, minimal} {
			createRemote(a, nil)
		}
		// Schedules made in the studio: one with plain variables, one with a secret variable.
		weekly := seedOrFail(orqAPI.SeedSchedule("export.full", `{"type":"cron","expression":"0 0 9 * * 1","display_name":"Weekly digest",
		  "payload":{"input":"Summarise the week.","variables":{"region":"EMEA"},"metadata":{"team":"support"}}}`))
		nightly := seedOrFail(orqAPI.SeedSchedule("Export_Plain", `{"type":"cron","expression":"0 0 2 * * *","display_name":"nightly",
		  "payload":{"input":"Check the orders.","variables":{"token":{"secret":true,"value":"s3cret-variable"}}}}`))

		ns := newNamespace(ctx, "exported-")
		api, err := orqclient.New(orqclient.Options{BaseURL: orqURL, APIKey: suiteAPIKey})
		Expect(err).NotTo(HaveOccurred())
		res, err := export.Manifests(ctx, api, export.Options{Namespace: ns})
		Expect(err).NotTo(HaveOccurred())
		var out bytes.Buffer
		Expect(export.Write(&out, res.Manifests)).To(Succeed())
		GinkgoWriter.Printf("exported manifests:\n%s\n", out.String())
		Expect(out.String()).NotTo(ContainSubstring("status:"))
		Expect(out.String()).NotTo(ContainSubstring("maxIterations: 100"), "defaults are omitted")
		Expect(out.String()).NotTo(ContainSubstring("s3cret"), "no value orq keeps secret")

		keys := append(w.keys, "Export_Plain", "export.full", "export-minimal", weekly, nightly) // a schedule's key is its id
		objects := exportedObjects(out.Bytes(), keys)
		Expect(objects).To(HaveLen(len(keys)), "one object per remote object of the workspace")
		orqAPI.ResetRequests()
		createExportedSecrets(ctx, ns, objects, map[string]string{"authorization": "Bearer s3cret-header", "apiKey": "s3cret-kb-key", "token": "s3cret-variable"})
		for _, o := range objects {
			Expect(o.ManagedPolicies().AdoptionPolicy).To(Equal(orqv1alpha1.AdoptionPolicyAdopt))
			Expect(k8s.Create(ctx, o)).To(Succeed())
		}
		for _, o := range objects {
			waitObjectReady(ctx, o)
			Expect(o.ManagedStatus().PendingChanges).To(BeEmpty(), "%T %s", o, o.GetName())
		}

		By("naming by reference what is exported with the agent")
		agent := exportedAgent(objects, "export.full")
		Expect(agent.Spec.TeamOfAgents).To(Equal([]orqv1alpha1.TeamMember{{AgentRef: &orqv1alpha1.AgentReference{Name: "export-plain"}, Role: "helper"}}),
			"a member exported too is an agentRef to its Agent")
		Expect(agent.Spec.Settings.Tools).To(Equal([]orqv1alpha1.AgentTool{
			{Type: "mcp", Key: "github", ToolID: "01KXYZ123456789"},
			{Type: "function", ToolRef: &orqv1alpha1.ObjectReference{Name: "export-lookup"}},
			{Type: "http", ToolRef: &orqv1alpha1.ObjectReference{Name: "export-orders"}},
		}))
		Expect(agent.Spec.KnowledgeBases).To(Equal([]orqv1alpha1.AgentKnowledgeBase{
			{KnowledgeBaseRef: &orqv1alpha1.ObjectReference{Name: "export-faq"}},
			{KnowledgeID: w.searchID}, // its KnowledgeBase only observes: no id to resolve to
		}))
		Expect(agent.Spec.MemoryStoreRefs).To(Equal([]orqv1alpha1.ObjectReference{{Name: "export-prefs"}}))
		Expect(agent.Spec.MemoryStores).To(BeEmpty())
		Expect(exportedAgent(objects, "Export_Plain").Spec.KnowledgeBases).To(Equal([]orqv1alpha1.AgentKnowledgeBase{{KnowledgeID: "export-faq"}}),
			"named by key, the knowledge base stays a knowledgeId: a reference sends its id")

		By("adopting the schedules by id, under the exported Agents")
		schedule := exportedSchedule(objects, weekly)
		Expect(schedule.Spec.AgentRef).To(Equal(orqv1alpha1.LocalAgentReference{Name: "export.full"}))
		Expect(schedule.Spec.ManagementPolicy).To(Equal(orqv1alpha1.ManagementPolicyManage), "nothing it cannot compare: managed at once")
		Expect(schedule.Status.ID).To(Equal(weekly))
		Expect(schedule.Status.AgentKey).To(Equal("export.full"))
		secretOne := exportedSchedule(objects, nightly)
		Expect(secretOne.Spec.Payload.VariablesFrom).To(Equal([]orqv1alpha1.ScheduleVariableSource{{Name: "token",
			SecretKeyRef: orqv1alpha1.SecretKeyReference{Name: "export-plain-nightly-variables", Key: "token"}}}))
		Expect(secretOne.Spec.ManagementPolicy).To(Equal(orqv1alpha1.ManagementPolicyObserve))

		time.Sleep(suiteSyncPeriod + suiteSyncPeriod/2)
		Expect(writesAbout(keys, w.ids)).To(BeEmpty(), "no POST, PATCH or DELETE about the exported objects")
	})

	It("writes prompts as files that, applied with kustomize, adopt the agent with zero writes", func() {
		kubectl, err := exec.LookPath("kubectl")
		if err != nil {
			Skip("kubectl is not installed: it renders the kustomization (kubectl kustomize)")
		}
		ctx := context.Background()
		const key = "export-prompted"
		a := sampleAgent("", key)
		a.Spec.Settings.Tools = []orqv1alpha1.AgentTool{{Type: "current_date"}} // no Tool to apply with it
		a.Spec.Instructions = "Help {{customer}} with their order.\n\n- Be brief.\n- Never guess a price.\n"
		a.Spec.SystemPrompt = ptr.To("You are a careful assistant of the shop.")
		createRemote(a, nil)

		ns := newNamespace(ctx, "exported-")
		api, err := orqclient.New(orqclient.Options{BaseURL: orqURL, APIKey: suiteAPIKey})
		Expect(err).NotTo(HaveOccurred())
		res, err := export.Manifests(ctx, api, export.Options{Namespace: ns})
		Expect(err).NotTo(HaveOccurred())
		dir := GinkgoT().TempDir()
		Expect(export.WriteDir(dir, res.Manifests, export.DirOptions{PromptsAsFiles: true, PromptMinLength: 40})).To(Succeed())
		rendered, err := exec.Command(kubectl, "kustomize", dir).Output()
		Expect(err).NotTo(HaveOccurred())

		orqAPI.ResetRequests()
		agent := applyRendered(ctx, rendered, key)
		Expect(agent.Spec.InstructionsFrom).NotTo(BeNil())
		Expect(agent.Spec.SystemPromptFrom).NotTo(BeNil())
		waitReady(ctx, agent)
		Expect(agent.Status.PendingChanges).To(BeEmpty())
		time.Sleep(suiteSyncPeriod)
		Expect(writesAbout([]string{key}, nil)).To(BeEmpty())
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

// exportedSchedule is the AgentSchedule of the objects that adopts the schedule of this id.
func exportedSchedule(objects []managed.Object, id string) *orqv1alpha1.AgentSchedule {
	GinkgoHelper()
	for _, o := range objects {
		if s, ok := o.(*orqv1alpha1.AgentSchedule); ok && s.Spec.ScheduleID == id {
			return s
		}
	}
	Fail("no AgentSchedule of id " + id)
	return nil
}

// exportedAgent is the Agent of the objects whose agent has this key.
func exportedAgent(objects []managed.Object, key string) *orqv1alpha1.Agent {
	GinkgoHelper()
	for _, o := range objects {
		if a, ok := o.(*orqv1alpha1.Agent); ok && a.Spec.Key == key {
			return a
		}
	}
	Fail("no Agent of key " + key)
	return nil
}
