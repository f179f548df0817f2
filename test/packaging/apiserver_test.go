package packaging

import (
	"context"
	"testing"

	. "github.com/onsi/gomega"
	"github.com/orq-ai/orq-operator/internal/testenv"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

const restrictedLabel = "pod-security.kubernetes.io/enforce"

// config/default is accepted by a real kube-apiserver, in its own restricted namespace.
func TestKustomizeAcceptedByAPIServer(t *testing.T) {
	objs := renderKustomize(t)
	k8s := apiServer(t)
	ns := find(t, objs, "Namespace")
	NewWithT(t).Expect(ns.GetLabels()).To(HaveKeyWithValue(restrictedLabel, "restricted"),
		"config/default's Namespace must enforce the restricted Pod Security Standard")
	// Created for real: the namespaced objects' dry runs need it to exist.
	createNamespace(t, k8s, ns.DeepCopy())
	acceptedByAPIServer(t, k8s, withoutKind(objs, "Namespace"), ns.GetName())
}

// The chart, with its default values and with every value set, is accepted by a real
// kube-apiserver in a restricted namespace.
func TestChartAcceptedByAPIServer(t *testing.T) {
	helmBinary(t) // skip before starting the control plane
	k8s := apiServer(t)
	renderings := map[string][]string{
		"defaults": nil,
		"every value": {
			"--set", "baseURL=https://orq.example,syncPeriod=5m,requestTimeout=10s,maxConcurrentReconciles=8",
			"--set", "qps=2.5,burst=40,defaultDeletionPolicy=Orphan,leaderElection=true,replicaCount=2",
			"--set", "image.repository=registry.example/orq-operator,image.tag=v1.2.3,image.pullPolicy=Always",
			"--set", "apiKeySecret.name=creds,apiKeySecret.key=token,extraArgs={--zap-log-level=debug}",
			"--set-json", `imagePullSecrets=[{"name":"pull"}]`,
			"--set-json", `resources={"requests":{"cpu":"100m","memory":"128Mi"},"limits":{"cpu":"1","memory":"512Mi"}}`,
			"--set-json", `nodeSelector={"kubernetes.io/os":"linux"}`,
			"--set-json", `tolerations=[{"key":"dedicated","operator":"Equal","value":"operators","effect":"NoSchedule"}]`,
			"--set-json", `affinity={"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":{"nodeSelectorTerms":[{"matchExpressions":[{"key":"kubernetes.io/arch","operator":"In","values":["amd64","arm64"]}]}]}}}`,
			"--set-json", `podAnnotations={"prometheus.io/scrape":"true"}`,
			"--set", "policies.requireOrphan.enabled=true,policies.requireAdoptionApproval.enabled=true,policies.requireFallbackModels.enabled=true",
			"--set", "policies.forbidInlineSecrets.enabled=true,policies.agentLimits.enabled=true,policies.agentLimits.maxCost=2.5",
			"--set-json", `policies.forbidInlineSecrets.validationActions=["Warn","Audit"]`,
			"--set", "tracing.otlpEndpoint=http://otel-collector.observability:4318",
			"--set-json", `tracing.env=[{"name":"OTEL_EXPORTER_OTLP_HEADERS","valueFrom":{"secretKeyRef":{"name":"otel","key":"headers"}}}]`,
		},
	}
	namespaces := map[string]string{"defaults": "helm-defaults", "every value": "helm-every-value"}
	for name, extra := range renderings {
		t.Run(name, func(t *testing.T) {
			ns := namespaces[name]
			createNamespace(t, k8s, &unstructured.Unstructured{Object: map[string]any{
				"apiVersion": "v1",
				"kind":       "Namespace",
				"metadata":   map[string]any{"name": ns, "labels": map[string]any{restrictedLabel: "restricted"}},
			}})
			acceptedByAPIServer(t, k8s, renderChart(t, ns, extra...), ns)
		})
	}
}

// acceptedByAPIServer checks that the apiserver accepts a server-side dry-run create of every
// object, with strict field validation (an unknown or misspelt field fails), and that the pods
// of the Deployment pass the restricted Pod Security Standard of namespace ns, whose check is
// shown to be live by a pod without securityContext being rejected.
func acceptedByAPIServer(t *testing.T, k8s client.Client, objs []*unstructured.Unstructured, ns string) {
	t.Helper()
	ctx := context.Background()
	for _, o := range objs {
		t.Run("dry run "+o.GetKind()+" "+o.GetName(), func(t *testing.T) {
			g := NewWithT(t)
			if o.GetNamespace() != "" {
				g.Expect(o.GetNamespace()).To(Equal(ns), "namespaced objects go to the release namespace")
			}
			err := k8s.Create(ctx, o.DeepCopy(), client.DryRunAll, client.FieldValidation(metav1.FieldValidationStrict))
			if o.GetKind() == "CustomResourceDefinition" && apierrors.IsAlreadyExists(err) {
				// envtest installed config/crd/bases; the existence check comes after validation.
				return
			}
			g.Expect(err).NotTo(HaveOccurred())
		})
	}

	deploy := testenv.As[appsv1.Deployment](t, find(t, objs, "Deployment"))
	// The ServiceAccount admission plugin is off in envtest, so the pod need not find its account.
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{
			Name:        "manager-pod",
			Namespace:   ns,
			Labels:      deploy.Spec.Template.Labels,
			Annotations: deploy.Spec.Template.Annotations,
		},
		Spec: deploy.Spec.Template.Spec,
	}
	t.Run("the manager's pod passes the restricted Pod Security Standard", func(t *testing.T) {
		NewWithT(t).Expect(k8s.Create(ctx, pod.DeepCopy(), client.DryRunAll, client.FieldValidation(metav1.FieldValidationStrict))).
			To(Succeed())
	})
	t.Run("the same pod without securityContext is rejected", func(t *testing.T) {
		g := NewWithT(t)
		bare := pod.DeepCopy()
		bare.Spec.SecurityContext = nil
		for i := range bare.Spec.Containers {
			bare.Spec.Containers[i].SecurityContext = nil
		}
		err := k8s.Create(ctx, bare, client.DryRunAll)
		g.Expect(apierrors.IsForbidden(err)).To(BeTrue(), "want Forbidden by PodSecurity admission, got %v", err)
		g.Expect(err.Error()).To(ContainSubstring(`violates PodSecurity "restricted:`))
	})
}

func createNamespace(t *testing.T, k8s client.Client, ns *unstructured.Unstructured) {
	t.Helper()
	ctx := context.Background()
	NewWithT(t).Expect(k8s.Create(ctx, ns)).To(Succeed())
	t.Cleanup(func() { _ = k8s.Delete(ctx, ns) })
}
