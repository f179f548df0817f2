package packaging

import (
	"bytes"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	. "github.com/onsi/gomega"
	"github.com/orq-ai/orq-operator/internal/testenv"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// The chart's CRDs are copies of the generated ones, byte for byte: helm installs crds/ as is.
func TestChartCRDsAreTheGeneratedOnes(t *testing.T) {
	g := NewWithT(t)
	generated := yamlFiles(t, crdBasesDir)
	chart := yamlFiles(t, filepath.Join(chartDir, "crds"))
	g.Expect(chart).To(Equal(generated),
		"charts/orq-operator/crds must hold the files of config/crd/bases: cp config/crd/bases/*.yaml charts/orq-operator/crds/")
	for _, name := range generated {
		want, err := os.ReadFile(filepath.Join(crdBasesDir, name))
		g.Expect(err).NotTo(HaveOccurred())
		got, err := os.ReadFile(filepath.Join(chartDir, "crds", name))
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(bytes.Equal(got, want)).To(BeTrue(),
			"charts/orq-operator/crds/%s differs from config/crd/bases/%s (stale after `make manifests`?): copy it over", name, name)
	}
}

// helm lint --strict: the chart's metadata, values schema and templates.
func TestChartLints(t *testing.T) {
	cmd := exec.Command(helmBinary(t), "lint", "--strict", chartDir)
	cmd.Env = isolatedHelmEnv(t)
	testenv.Run(t, cmd)
}

// With release name orq-operator the chart renders the objects kustomize renders, with the same
// names, and the same RBAC rules; only the Namespace is left to the user (helm -n).
func TestChartMatchesKustomize(t *testing.T) {
	g := NewWithT(t)
	kust := renderKustomize(t)
	chart := renderChart(t, kustomizeNamespace)

	g.Expect(identities(chart)).To(Equal(identities(withoutKind(kust, "Namespace"))),
		"the chart and config/default render different objects")

	t.Run("ClusterRole", func(t *testing.T) {
		k, c := testenv.As[rbacv1.ClusterRole](t, findNamed(t, kust, "ClusterRole", "-manager-role")), testenv.As[rbacv1.ClusterRole](t, findNamed(t, chart, "ClusterRole", "-manager-role"))
		NewWithT(t).Expect(c.Rules).To(Equal(k.Rules),
			"the chart's ClusterRole must have the rules of config/rbac/role.yaml (generated from the +kubebuilder:rbac markers)")
		var core []rbacv1.PolicyRule
		for _, rule := range c.Rules {
			if slices.Contains(rule.APIGroups, "") {
				core = append(core, rule)
			}
		}
		NewWithT(t).Expect(core).To(BeEmpty(),
			"nothing of the core group in the manager role: Secrets and ConfigMaps have read-only roles of their own")
	})
	t.Run("metrics reader ClusterRole", func(t *testing.T) {
		k, c := testenv.As[rbacv1.ClusterRole](t, findNamed(t, kust, "ClusterRole", "-metrics-reader")), testenv.As[rbacv1.ClusterRole](t, findNamed(t, chart, "ClusterRole", "-metrics-reader"))
		NewWithT(t).Expect(c.Rules).To(Equal(k.Rules))
	})
	t.Run("metrics Service", func(t *testing.T) {
		k, c := testenv.As[corev1.Service](t, find(t, kust, "Service")), testenv.As[corev1.Service](t, find(t, chart, "Service"))
		NewWithT(t).Expect(c.Spec.Ports).To(Equal(k.Spec.Ports))
	})
	for _, reader := range []struct{ suffix, resource string }{{"-secret-reader", "secrets"}, {"-configmap-reader", "configmaps"}} {
		t.Run(reader.suffix+" ClusterRole", func(t *testing.T) {
			k, c := testenv.As[rbacv1.ClusterRole](t, findNamed(t, kust, "ClusterRole", reader.suffix)), testenv.As[rbacv1.ClusterRole](t, findNamed(t, chart, "ClusterRole", reader.suffix))
			NewWithT(t).Expect(c.Rules).To(Equal(k.Rules))
			NewWithT(t).Expect(c.Rules).To(ConsistOf(rbacv1.PolicyRule{APIGroups: []string{""}, Resources: []string{reader.resource}, Verbs: []string{"get", "list", "watch"}}),
				"read, never written")
		})
	}
	for _, suffix := range []string{"-manager-rolebinding", "-secret-reader-rolebinding", "-configmap-reader-rolebinding"} {
		t.Run("ClusterRoleBinding "+suffix, func(t *testing.T) {
			k, c := testenv.As[rbacv1.ClusterRoleBinding](t, findNamed(t, kust, "ClusterRoleBinding", suffix)), testenv.As[rbacv1.ClusterRoleBinding](t, findNamed(t, chart, "ClusterRoleBinding", suffix))
			g := NewWithT(t)
			g.Expect(c.RoleRef).To(Equal(k.RoleRef))
			g.Expect(c.Subjects).To(Equal(k.Subjects))
		})
	}
	t.Run("leader election Role", func(t *testing.T) {
		k, c := testenv.As[rbacv1.Role](t, find(t, kust, "Role")), testenv.As[rbacv1.Role](t, find(t, chart, "Role"))
		NewWithT(t).Expect(c.Rules).To(Equal(k.Rules))
	})
	t.Run("leader election RoleBinding", func(t *testing.T) {
		k, c := testenv.As[rbacv1.RoleBinding](t, find(t, kust, "RoleBinding")), testenv.As[rbacv1.RoleBinding](t, find(t, chart, "RoleBinding"))
		g := NewWithT(t)
		g.Expect(c.RoleRef).To(Equal(k.RoleRef))
		g.Expect(c.Subjects).To(Equal(k.Subjects))
	})
	t.Run("CRDs", func(t *testing.T) {
		k, c := byName(ofKind(kust, "CustomResourceDefinition")), byName(ofKind(chart, "CustomResourceDefinition"))
		g := NewWithT(t)
		g.Expect(sortedKeys(c)).To(Equal(sortedKeys(k)), "the chart and config/default install different CRDs")
		for name, kc := range k {
			// The byte-for-byte check above says what differs; this one only that the rendering agrees.
			g.Expect(c).To(HaveKey(name))
			g.Expect(reflect.DeepEqual(c[name].Object, kc.Object)).To(BeTrue(),
				"the chart renders the CRD %s other than config/default's: copy config/crd/bases to charts/orq-operator/crds", name)
		}
	})

	t.Run("Deployment", func(t *testing.T) {
		g := NewWithT(t)
		kd, cd := testenv.As[appsv1.Deployment](t, find(t, kust, "Deployment")), testenv.As[appsv1.Deployment](t, find(t, chart, "Deployment"))
		kp, cp := kd.Spec.Template.Spec, cd.Spec.Template.Spec
		g.Expect(cd.Spec.Replicas).To(Equal(kd.Spec.Replicas), "replicas")
		g.Expect(cp.SecurityContext).To(Equal(kp.SecurityContext), "pod securityContext")
		g.Expect(cp.ServiceAccountName).To(Equal(kp.ServiceAccountName), "serviceAccountName")
		g.Expect(cp.TerminationGracePeriodSeconds).To(Equal(kp.TerminationGracePeriodSeconds), "terminationGracePeriodSeconds")
		g.Expect(containerNames(cp.Containers)).To(Equal(containerNames(kp.Containers)), "containers")
		g.Expect(cp.InitContainers).To(BeEmpty())
		g.Expect(kp.InitContainers).To(BeEmpty())
		for i := range kp.Containers {
			k, c := kp.Containers[i], cp.Containers[i]
			g.Expect(c.SecurityContext).To(Equal(k.SecurityContext), "container %s: securityContext", k.Name)
			g.Expect(envNames(c.Env)).To(Equal(envNames(k.Env)), "container %s: env var names", k.Name)
			g.Expect(c.Env).To(Equal(k.Env), "container %s: env (the API key Secret)", k.Name)
			g.Expect(c.EnvFrom).To(Equal(k.EnvFrom), "container %s: envFrom", k.Name)
			g.Expect(probePath(c.LivenessProbe)).To(Equal(probePath(k.LivenessProbe)), "container %s: liveness probe path", k.Name)
			g.Expect(probePath(c.ReadinessProbe)).To(Equal(probePath(k.ReadinessProbe)), "container %s: readiness probe path", k.Name)
			g.Expect(c.LivenessProbe).To(Equal(k.LivenessProbe), "container %s: liveness probe", k.Name)
			g.Expect(c.ReadinessProbe).To(Equal(k.ReadinessProbe), "container %s: readiness probe", k.Name)
			g.Expect(c.StartupProbe).To(Equal(k.StartupProbe), "container %s: startup probe", k.Name)
			g.Expect(c.Ports).To(Equal(k.Ports), "container %s: ports", k.Name)
			g.Expect(c.Args).To(Equal(k.Args), "container %s: args with the chart's default values", k.Name)
			g.Expect(c.Command).To(Equal(k.Command), "container %s: command", k.Name)
			g.Expect(c.Resources).To(Equal(k.Resources), "container %s: resources", k.Name)
		}
	})
}

// Every value that is a manager flag renders as a flag the manager has, with the value given,
// and only when it is set: the chart's defaults are the binary's.
func TestChartValuesRenderManagerFlags(t *testing.T) {
	helmBinary(t)
	flags := managerFlags(t)
	cases := []struct {
		name string
		set  []string
		want []string // the args after the fixed ones
	}{
		{name: "defaults", want: nil},
		{
			name: "every flag",
			set: []string{
				"baseURL=https://orq.example", "syncPeriod=5m", "requestTimeout=10s",
				"maxConcurrentReconciles=8", "qps=2.5", "burst=1000000", "defaultDeletionPolicy=Orphan",
				"tracing.otlpEndpoint=http://otel-collector.observability:4318",
			},
			want: []string{
				"--orq-base-url=https://orq.example", "--sync-period=5m", "--orq-request-timeout=10s",
				"--max-concurrent-reconciles=8", "--orq-qps=2.5", "--orq-burst=1000000", "--default-deletion-policy=Orphan",
				"--otlp-endpoint=http://otel-collector.observability:4318",
			},
		},
		{name: "zero is a value", set: []string{"qps=0", "burst=0"}, want: []string{"--orq-qps=0", "--orq-burst=0"}},
		{name: "extra args", set: []string{"extraArgs={--zap-log-level=debug}"}, want: []string{"--zap-log-level=debug"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			var extra []string
			for _, s := range tc.set {
				extra = append(extra, "--set", s)
			}
			args := managerArgs(t, renderChart(t, "default", extra...))
			fixed := []string{"--leader-elect", "--metrics-bind-address=:8443", "--health-probe-bind-address=:8081"}
			g.Expect(args).To(Equal(append(fixed, tc.want...)))
			for _, a := range args {
				if strings.HasPrefix(a, "--zap-") {
					continue // the logger's flags, bound by zap.Options
				}
				name, _, _ := strings.Cut(strings.TrimPrefix(a, "--"), "=")
				g.Expect(flags).To(ContainElement(name), "the manager has no flag --%s", name)
			}
		})
	}

	t.Run("leader election off", func(t *testing.T) {
		g := NewWithT(t)
		objs := renderChart(t, "default", "--set", "leaderElection=false")
		g.Expect(managerArgs(t, objs)).NotTo(ContainElement(HavePrefix("--leader-elect")))
		g.Expect(withoutKind(withoutKind(objs, "Role"), "RoleBinding")).To(HaveLen(len(objs)), "no leader election Role without leader election")
	})
	t.Run("Secrets and ConfigMaps of chosen namespaces only", func(t *testing.T) {
		g := NewWithT(t)
		objs := renderChart(t, "default", "--set", "watchNamespaces={team-a,team-b},secretNamespaces={team-a,team-b},configMapNamespaces={team-a}")
		g.Expect(managerArgs(t, objs)).To(ContainElement("--watch-namespaces=team-a,team-b"))
		bound := map[string][]string{}
		for _, o := range objs {
			for _, reader := range []string{"-secret-reader", "-configmap-reader"} {
				if o.GetKind() == "RoleBinding" && strings.HasSuffix(o.GetName(), reader) {
					rb := testenv.As[rbacv1.RoleBinding](t, o)
					g.Expect(rb.RoleRef.Name).To(HaveSuffix(reader))
					bound[reader] = append(bound[reader], rb.Namespace)
				}
				if o.GetKind() == "ClusterRoleBinding" {
					g.Expect(o.GetName()).NotTo(HaveSuffix(reader+"-rolebinding"), "no cluster-wide access")
				}
			}
		}
		g.Expect(bound["-secret-reader"]).To(ConsistOf("team-a", "team-b"))
		g.Expect(bound["-configmap-reader"]).To(ConsistOf("team-a"))
	})
	t.Run("tracing settings", func(t *testing.T) {
		objs := renderChart(t, "default", "--set", "apiKeySecret.name=creds,apiKeySecret.key=token",
			"--set-json", `tracing.env=[{"name":"OTEL_EXPORTER_OTLP_PROTOCOL","value":"grpc"},{"name":"OTEL_EXPORTER_OTLP_HEADERS","valueFrom":{"secretKeyRef":{"name":"otel","key":"headers"}}}]`)
		env := testenv.As[appsv1.Deployment](t, find(t, objs, "Deployment")).Spec.Template.Spec.Containers[0].Env
		g := NewWithT(t)
		g.Expect(env).To(ContainElement(corev1.EnvVar{Name: "OTEL_EXPORTER_OTLP_PROTOCOL", Value: "grpc"}))
		g.Expect(env).To(ContainElement(corev1.EnvVar{Name: "OTEL_EXPORTER_OTLP_HEADERS", ValueFrom: &corev1.EnvVarSource{
			SecretKeyRef: &corev1.SecretKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: "otel"}, Key: "headers"},
		}}))
	})
	t.Run("API key Secret", func(t *testing.T) {
		objs := renderChart(t, "default", "--set", "apiKeySecret.name=creds,apiKeySecret.key=token")
		env := testenv.As[appsv1.Deployment](t, find(t, objs, "Deployment")).Spec.Template.Spec.Containers[0].Env
		NewWithT(t).Expect(env).To(ContainElement(corev1.EnvVar{Name: "ORQ_API_KEY", ValueFrom: &corev1.EnvVarSource{
			SecretKeyRef: &corev1.SecretKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: "creds"}, Key: "token"},
		}}))
	})
}

// managerArgs returns the args of the manager container of the rendering's Deployment.
func managerArgs(t *testing.T, objs []*unstructured.Unstructured) []string {
	t.Helper()
	d := testenv.As[appsv1.Deployment](t, find(t, objs, "Deployment"))
	for _, c := range d.Spec.Template.Spec.Containers {
		if c.Name == "manager" {
			return c.Args
		}
	}
	t.Fatal("the Deployment has no container manager")
	return nil
}

// managerFlags returns the names of the flags the manager binds in (*options).bind of
// cmd/manager/main.go: fs.StringVar(&o.x, "name", ...) and the like.
func managerFlags(t *testing.T) []string {
	t.Helper()
	file, err := parser.ParseFile(token.NewFileSet(), filepath.Join(repoRoot, "cmd", "manager", "main.go"), nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, decl := range file.Decls {
		fn, ok := decl.(*ast.FuncDecl)
		if !ok || fn.Name.Name != "bind" || fn.Recv == nil {
			continue
		}
		ast.Inspect(fn.Body, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) < 2 {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok || !strings.HasSuffix(sel.Sel.Name, "Var") {
				return true
			}
			if lit, ok := call.Args[1].(*ast.BasicLit); ok && lit.Kind == token.STRING {
				if name, err := strconv.Unquote(lit.Value); err == nil {
					names = append(names, name)
				}
			}
			return true
		})
	}
	if len(names) < 5 {
		t.Fatalf("found only the flags %v in cmd/manager/main.go's bind: has it changed shape?", names)
	}
	return names
}

func yamlFiles(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		if !e.IsDir() && (strings.HasSuffix(e.Name(), ".yaml") || strings.HasSuffix(e.Name(), ".yml")) {
			names = append(names, e.Name())
		}
	}
	if len(names) == 0 {
		t.Fatalf("no YAML files in %s", dir)
	}
	return names
}

// identities returns kind/namespace/name of each object, sorted.
func identities(objs []*unstructured.Unstructured) []string {
	var ids []string
	for _, o := range objs {
		ids = append(ids, o.GetKind()+"/"+o.GetNamespace()+"/"+o.GetName())
	}
	sort.Strings(ids)
	return ids
}

func withoutKind(objs []*unstructured.Unstructured, kind string) []*unstructured.Unstructured {
	var out []*unstructured.Unstructured
	for _, o := range objs {
		if o.GetKind() != kind {
			out = append(out, o)
		}
	}
	return out
}

func containerNames(cs []corev1.Container) []string {
	var names []string
	for _, c := range cs {
		names = append(names, c.Name)
	}
	return names
}

func envNames(env []corev1.EnvVar) []string {
	var names []string
	for _, e := range env {
		names = append(names, e.Name)
	}
	return names
}

func probePath(p *corev1.Probe) string {
	if p == nil || p.HTTPGet == nil {
		return ""
	}
	return p.HTTPGet.Path
}
