package controller

import (
	"context"
	"net/http"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/utils/ptr"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
)

// The fields orq added since the OpenAPI file (issue #14) go from the manifest through the CRD,
// the request and the in-memory API's echo, and back to no difference.
var _ = Describe("Fields of today's create request", func() {
	It("reach orq with one POST and no PATCH after it", func() {
		ctx := context.Background()
		ns := newNamespace(ctx, "new-fields-")
		agent := sampleAgent(ns, "file-worker")
		agent.Spec.Model.Parameters.ReasoningEffort = "max"
		agent.Spec.Settings.Tools = append(agent.Spec.Settings.Tools, orqv1alpha1.AgentTool{
			Type: "file_system", RequiresApproval: ptr.To(true),
			FileSystem: &orqv1alpha1.FileSystemToolConfig{FileSystemKey: "shared-docs"},
		})
		agent.Spec.Settings.Evaluators[0].Options = &apiextensionsv1.JSON{Raw: []byte(`{"threshold":0.8}`)}
		Expect(k8s.Create(ctx, agent)).To(Succeed())
		waitReady(ctx, agent)
		Expect(meta.IsStatusConditionTrue(agent.Status.Conditions, orqv1alpha1.ConditionSynced)).To(BeTrue())
		Expect(agent.Spec.Settings.Tools[2].FileSystem.AccessMode).To(Equal("read_only"), "the CRD's default")
		Consistently(func() int { return writesFor("file-worker", http.MethodPatch) }, 2*suiteSyncPeriod, poll).Should(BeZero())

		remote, _ := remoteAgent("file-worker")
		tools := remote["settings"].(map[string]any)["tools"].([]any)
		Expect(tools[2]).To(HaveKeyWithValue("configuration", HaveKeyWithValue("file_system_key", "shared-docs")))
	})
})
