package cli

import (
	"context"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
	"github.com/orq-ai/orq-operator/internal/controller"
	"github.com/orq-ai/orq-operator/internal/kinds/tool"
	"github.com/orq-ai/orq-operator/internal/manifest"
	"github.com/orq-ai/orq-operator/internal/orqclient"
)

const lookupTool = `apiVersion: orq.ai/v1alpha1
kind: Tool
metadata: {name: lookup}
spec: {path: Default/plan, description: Looks up, type: function, function: {name: lookup}}
`

// A Tool is planned with its cluster state as an Agent is: its status.id proves the tool its own.
func TestLiveStateOfATool(t *testing.T) {
	planWorkspace(t)
	api, err := orqclient.New(orqclient.Options{BaseURL: baseURLFromEnv(t), APIKey: planKey, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	remote, err := api.Create(context.Background(), tool.Endpoint, "", orqclient.Body{"key": "lookup", "path": "Default/plan",
		"description": "Looks up", "type": "function", "function": orqclient.Body{"name": "lookup"}})
	if err != nil {
		t.Fatal(err)
	}
	planned := func(cluster ...client.Object) controller.AgentPlan {
		t.Helper()
		decoded, err := manifest.Decode(strings.NewReader(lookupTool), "test", "default") // a plan fills in its objects
		if err != nil {
			t.Fatal(err)
		}
		return planLive(t, api, decoded.Objects, cluster...)
	}
	inCluster := &orqv1alpha1.Tool{ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: "lookup", UID: "u-lookup",
		Finalizers: []string{orqv1alpha1.FinalizerTool}},
		Status: orqv1alpha1.ToolStatus{ResourceStatus: orqv1alpha1.ResourceStatus{ID: remote.ID, Key: "lookup"}}}
	if p := planned(inCluster); p.Verdict != controller.VerdictNoChange || p.Unverified != "" || p.Note != "" {
		t.Errorf("a Tool whose status records its tool: %+v, want no change", p)
	}
	if p := planned(); p.Verdict != controller.VerdictBlocked || p.Reason != orqv1alpha1.ReasonAdoptionRequired {
		t.Errorf("a Tool new to the cluster, its key taken: %+v, want blocked AdoptionRequired", p)
	}
}

// With --live, the ConfigMaps of prompts that the manifests do not hold are read from the
// cluster: a prompt kept there plans as it is, not as missing.
func TestLiveStateReadsReferencedConfigMaps(t *testing.T) {
	planWorkspace(t)
	const agent = `apiVersion: orq.ai/v1alpha1
kind: Agent
metadata: {name: prompted}
spec: {role: R, description: D, path: Default/plan, model: {id: openai/gpt-4o}, instructionsFrom: {configMapKeyRef: {name: prompts, key: p.md}}}
`
	decoded, err := manifest.Decode(strings.NewReader(agent), "test", "default")
	if err != nil || len(decoded.Refused) > 0 {
		t.Fatal(err, decoded.Refused)
	}
	cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: "prompts"}, Data: map[string]string{"p.md": "Be brief."}}
	api, err := orqclient.New(orqclient.Options{BaseURL: baseURLFromEnv(t), APIKey: planKey, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	for name, cluster := range map[string][]client.Object{"in the cluster": {cm}, "nowhere": nil} {
		want := controller.VerdictCreate
		if cluster == nil {
			want = controller.VerdictBlocked
		}
		if p := planLive(t, api, decoded.Objects, cluster...); p.Verdict != want {
			t.Errorf("the ConfigMap %s: %+v, want %s", name, p, want)
		}
	}
}

// planLive plans the one object of objects with --live, against a cluster holding cluster.
func planLive(t *testing.T, api *orqclient.Client, objects []client.Object, cluster ...client.Object) controller.AgentPlan {
	t.Helper()
	c := fake.NewClientBuilder().WithScheme(Scheme).WithObjects(cluster...).Build()
	others, err := withLiveState(context.Background(), c, controller.Kinds(), objects)
	if err != nil {
		t.Fatal(err)
	}
	plans, err := controller.Plan(context.Background(), objects, api, controller.PlanOptions{Live: true, Others: others})
	if err != nil || len(plans) != 1 {
		t.Fatalf("%v, %v", plans, err)
	}
	return plans[0]
}
