package monitoring

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"testing"

	. "github.com/onsi/gomega"
	"github.com/orq-ai/orq-operator/internal/testenv"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	"sigs.k8s.io/yaml"
)

// monitoringKinds are the kinds of the objects only the monitoring values render.
var monitoringKinds = []string{"ServiceMonitor", "PrometheusRule", "ConfigMap"}

func names(objs []*unstructured.Unstructured) []string {
	var out []string
	for _, o := range objs {
		out = append(out, o.GetKind()+"/"+o.GetName())
	}
	slices.Sort(out)
	return out
}

// With the default values nothing of the monitoring is rendered, and each flag renders its own
// objects only; the rest of the chart is the same whatever the flags.
func TestMonitoringOffByDefault(t *testing.T) {
	g := NewWithT(t)
	defaults := renderChart(t)
	for _, kind := range monitoringKinds {
		g.Expect(ofKind(defaults, kind)).To(BeEmpty(), "the default values render a %s", kind)
	}
	// A binding asked for without the ServiceMonitor is not rendered either.
	g.Expect(names(renderChart(t, "--set", "monitoring.serviceMonitor.metricsReaderBinding.serviceAccount.name=prometheus,monitoring.serviceMonitor.metricsReaderBinding.serviceAccount.namespace=monitoring"))).
		To(Equal(names(defaults)))

	base := names(defaults)
	for flag, want := range map[string][]string{
		"serviceMonitor": {"ServiceMonitor/orq-operator-controller-manager-metrics-monitor"},
		"prometheusRule": {"PrometheusRule/orq-operator-alerts"},
		"dashboard":      {"ConfigMap/orq-operator-dashboard"},
		"stateMetrics":   {"ClusterRole/orq-operator-state-metrics-reader", "ConfigMap/orq-operator-state-metrics"},
	} {
		got := names(renderChart(t, "--set", "monitoring."+flag+".enabled=true"))
		added := slices.DeleteFunc(slices.Clone(got), func(n string) bool { return slices.Contains(base, n) })
		g.Expect(added).To(Equal(want), "monitoring.%s.enabled=true", flag)
		g.Expect(len(got)).To(Equal(len(base)+len(want)), "monitoring.%s.enabled=true changes other objects", flag)
	}
}

// helm lint --strict with every monitoring value set: the templates and the values schema.
func TestChartLintsWithMonitoring(t *testing.T) {
	cmd := exec.Command(helmBinary(t), append([]string{"lint", "--strict", chartDir}, append(allOn,
		"--set", "monitoring.serviceMonitor.metricsReaderBinding.serviceAccount.name=p,monitoring.serviceMonitor.metricsReaderBinding.serviceAccount.namespace=m",
		"--set", "monitoring.serviceMonitor.scrapeTimeout=10s,monitoring.prometheusRule.apiErrorRatio=0.1,monitoring.prometheusRule.alertLabels.team=platform",
		"--set", "monitoring.dashboard.annotations.grafana_folder=Operators",
		"--set", "monitoring.stateMetrics.enabled=true,monitoring.stateMetrics.serviceAccount.name=ksm,monitoring.stateMetrics.serviceAccount.namespace=monitoring")...)...)
	cmd.Env = renderCmd(t).Env
	testenv.Run(t, cmd)

	// The schema refuses what would render broken rules.
	for _, bad := range []string{"monitoring.prometheusRule.stalledFor=15 minutes", "monitoring.stateMetrics.notReadyFor=half an hour", "monitoring.prometheusRule.apiErrorRatio=5", "monitoring.dashboard.labelKey="} {
		cmd := renderCmd(t, "--set", "monitoring.prometheusRule.enabled=true,monitoring.dashboard.enabled=true", "--set", bad)
		out, err := cmd.CombinedOutput()
		if err == nil {
			t.Errorf("--set %s: rendered, want an error", bad)
		} else if !strings.Contains(string(out), "schema") {
			t.Errorf("--set %s: %s, want a values schema error", bad, out)
		}
	}
}

// The ServiceMonitor scrapes the chart's metrics Service on its HTTPS port, with Prometheus's
// ServiceAccount token, as controller-runtime's secure metrics endpoint expects.
func TestServiceMonitor(t *testing.T) {
	g := NewWithT(t)
	objs := renderChart(t, "--set", "monitoring.serviceMonitor.enabled=true",
		"--set", "monitoring.serviceMonitor.labels.release=kube-prometheus-stack,monitoring.serviceMonitor.interval=1m")
	sm := only(t, objs, "ServiceMonitor")
	svc := testenv.As[corev1.Service](t, only(t, objs, "Service"))

	g.Expect(sm.GetAPIVersion()).To(Equal("monitoring.coreos.com/v1"))
	g.Expect(sm.GetNamespace()).To(Equal(namespace))
	g.Expect(sm.GetLabels()).To(HaveKeyWithValue("release", "kube-prometheus-stack"), "monitoring.serviceMonitor.labels")

	var spec struct {
		Endpoints []struct {
			Port, Path, Scheme, Interval, BearerTokenFile string
			TLSConfig                                     map[string]any `json:"tlsConfig"`
		} `json:"endpoints"`
		NamespaceSelector struct {
			MatchNames []string `json:"matchNames"`
		} `json:"namespaceSelector"`
		Selector metav1.LabelSelector `json:"selector"`
	}
	decodeSpec(t, sm, &spec)
	g.Expect(spec.Endpoints).To(HaveLen(1))
	ep := spec.Endpoints[0]
	var https *corev1.ServicePort
	for i := range svc.Spec.Ports {
		if svc.Spec.Ports[i].Name == ep.Port {
			https = &svc.Spec.Ports[i]
		}
	}
	g.Expect(https).NotTo(BeNil(), "the ServiceMonitor's port %q is not a port of the metrics Service", ep.Port)
	g.Expect(https.Port).To(BeEquivalentTo(8443))
	g.Expect(ep.Scheme).To(Equal("https"), "the metrics endpoint is served over HTTPS (--metrics-secure)")
	g.Expect(ep.Path).To(Equal("/metrics"))
	g.Expect(ep.Interval).To(Equal("1m"))
	g.Expect(ep.BearerTokenFile).To(Equal("/var/run/secrets/kubernetes.io/serviceaccount/token"),
		"Prometheus authenticates with its ServiceAccount token (TokenReview by the manager)")
	g.Expect(ep.TLSConfig).To(Equal(map[string]any{"insecureSkipVerify": true}),
		"the manager serves a self-signed certificate, which cannot be verified")
	g.Expect(spec.NamespaceSelector.MatchNames).To(Equal([]string{namespace}))
	g.Expect(spec.Selector.MatchExpressions).To(BeEmpty())
	g.Expect(spec.Selector.MatchLabels).NotTo(BeEmpty())
	for k, v := range spec.Selector.MatchLabels {
		g.Expect(svc.Labels).To(HaveKeyWithValue(k, v), "the ServiceMonitor does not select the metrics Service")
	}

	t.Run("tokenSecret", func(t *testing.T) {
		g := NewWithT(t)
		sm := only(t, renderChart(t, "--set", "monitoring.serviceMonitor.enabled=true,monitoring.serviceMonitor.tokenSecret.name=metrics-token,monitoring.serviceMonitor.tokenSecret.key=token"), "ServiceMonitor")
		var spec struct {
			Endpoints []map[string]any `json:"endpoints"`
		}
		decodeSpec(t, sm, &spec)
		g.Expect(spec.Endpoints).To(HaveLen(1))
		g.Expect(spec.Endpoints[0]).NotTo(HaveKey("bearerTokenFile"), "one token, not two")
		g.Expect(spec.Endpoints[0]).To(HaveKeyWithValue("authorization", map[string]any{
			"type": "Bearer", "credentials": map[string]any{"name": "metrics-token", "key": "token"},
		}))
		g.Expect(spec.Endpoints[0]).To(HaveKeyWithValue("scheme", "https"))
	})

	// The alerts read the series of this ServiceMonitor: Prometheus Operator's job label is the
	// Service's name.
	rules := string(renderRules(t))
	g.Expect(rules).To(ContainSubstring(fmt.Sprintf(`job="%s",namespace="%s"`, svc.Name, namespace)))
}

// The binding of the metrics-reader ClusterRole to Prometheus's ServiceAccount, when asked for.
func TestMetricsReaderBinding(t *testing.T) {
	g := NewWithT(t)
	objs := renderChart(t, "--set", "monitoring.serviceMonitor.enabled=true",
		"--set", "monitoring.serviceMonitor.metricsReaderBinding.serviceAccount.name=prometheus-k8s,monitoring.serviceMonitor.metricsReaderBinding.serviceAccount.namespace=monitoring")
	var reader *rbacv1.ClusterRole
	for _, o := range ofKind(objs, "ClusterRole") {
		if strings.HasSuffix(o.GetName(), "-metrics-reader") {
			reader = testenv.As[rbacv1.ClusterRole](t, o)
		}
	}
	g.Expect(reader).NotTo(BeNil())
	g.Expect(reader.Rules).To(ConsistOf(rbacv1.PolicyRule{NonResourceURLs: []string{"/metrics"}, Verbs: []string{"get"}}))
	var binding *rbacv1.ClusterRoleBinding
	for _, o := range ofKind(objs, "ClusterRoleBinding") {
		if b := testenv.As[rbacv1.ClusterRoleBinding](t, o); b.RoleRef.Name == reader.Name {
			g.Expect(binding).To(BeNil(), "two bindings of %s", reader.Name)
			binding = b
		}
	}
	g.Expect(binding).NotTo(BeNil(), "no ClusterRoleBinding of %s", reader.Name)
	g.Expect(binding.RoleRef.Kind).To(Equal("ClusterRole"))
	g.Expect(binding.Subjects).To(Equal([]rbacv1.Subject{{Kind: "ServiceAccount", Name: "prometheus-k8s", Namespace: "monitoring"}}))

	// A name without a namespace is refused.
	cmd := renderCmd(t, "--set", "monitoring.serviceMonitor.enabled=true,monitoring.serviceMonitor.metricsReaderBinding.serviceAccount.name=prometheus-k8s")
	out, err := cmd.CombinedOutput()
	g.Expect(err).To(HaveOccurred())
	g.Expect(string(out)).To(ContainSubstring("metricsReaderBinding.serviceAccount.namespace is required"))
}

// The PrometheusRule is well formed, takes its values, and each alert's runbook is a section of
// docs/monitoring.md.
func TestPrometheusRule(t *testing.T) {
	g := NewWithT(t)
	objs := renderChart(t, "--set", "monitoring.prometheusRule.enabled=true",
		"--set", "monitoring.prometheusRule.labels.release=kube-prometheus-stack,monitoring.prometheusRule.alertLabels.team=platform")
	rule := only(t, objs, "PrometheusRule")
	g.Expect(rule.GetAPIVersion()).To(Equal("monitoring.coreos.com/v1"))
	g.Expect(rule.GetNamespace()).To(Equal(namespace))
	g.Expect(rule.GetLabels()).To(HaveKeyWithValue("release", "kube-prometheus-stack"))

	doc, err := os.ReadFile(repoRoot + "/docs/monitoring.md")
	g.Expect(err).NotTo(HaveOccurred())
	var spec struct {
		Groups []struct {
			Name  string      `json:"name"`
			Rules []alertRule `json:"rules"`
		} `json:"groups"`
	}
	decodeSpec(t, rule, &spec)
	g.Expect(spec.Groups).To(HaveLen(1))
	var alerts []string
	for _, r := range spec.Groups[0].Rules {
		alerts = append(alerts, r.Alert)
		g.Expect(r.Expr).NotTo(BeEmpty(), r.Alert)
		g.Expect(r.Labels).To(HaveKey("severity"), r.Alert)
		g.Expect(r.Labels).To(HaveKeyWithValue("team", "platform"), "%s: monitoring.prometheusRule.alertLabels", r.Alert)
		g.Expect(r.Annotations).To(HaveKey("summary"), r.Alert)
		g.Expect(r.Annotations).To(HaveKey("description"), r.Alert)
		anchor := strings.ToLower(r.Alert)
		g.Expect(r.Annotations).To(HaveKeyWithValue("runbook_url", "https://github.com/orq-ai/orq-operator/blob/main/docs/monitoring.md#"+anchor), r.Alert)
		g.Expect(regexp.MustCompile(`(?m)^### `+r.Alert+`$`).Match(doc)).To(BeTrue(),
			"docs/monitoring.md has no section ### %s (the alert's runbook_url)", r.Alert)
	}
	g.Expect(alerts).To(ConsistOf("OrqOperatorDown", "OrqOperatorNoLeader", "OrqOperatorAgentsStalled",
		"OrqOperatorDriftBurst", "OrqOperatorRateLimited", "OrqOperatorAPIErrors"))

	t.Run("with the state metrics, per object", func(t *testing.T) {
		g := NewWithT(t)
		objs := renderChart(t, "--set", "monitoring.prometheusRule.enabled=true,monitoring.stateMetrics.enabled=true",
			"--set", "monitoring.prometheusRule.alertLabels.team=platform", "--set", `monitoring.stateMetrics.selector=job="ksm"`)
		var spec struct {
			Groups []struct {
				Name  string      `json:"name"`
				Rules []alertRule `json:"rules"`
			} `json:"groups"`
		}
		decodeSpec(t, only(t, objs, "PrometheusRule"), &spec)
		g.Expect(spec.Groups).To(HaveLen(2))
		g.Expect(spec.Groups[1].Name).To(Equal("orq-objects"))
		var alerts []string
		for _, r := range spec.Groups[1].Rules {
			alerts = append(alerts, r.Alert)
			g.Expect(r.Labels).To(HaveKeyWithValue("severity", "warning"), r.Alert)
			g.Expect(r.Labels).To(HaveKeyWithValue("team", "platform"), r.Alert)
			g.Expect(r.Expr).To(ContainSubstring(`kube_customresource_orq_condition{job="ksm",customresource_group="orq.ai",`), r.Alert)
			g.Expect(r.Annotations).To(HaveKeyWithValue("runbook_url", "https://github.com/orq-ai/orq-operator/blob/main/docs/monitoring.md#"+strings.ToLower(r.Alert)), r.Alert)
			g.Expect(regexp.MustCompile(`(?m)^### `+r.Alert+`$`).Match(doc)).To(BeTrue(), "docs/monitoring.md has no section ### %s", r.Alert)
		}
		g.Expect(alerts).To(ConsistOf("OrqObjectStalled", "OrqObjectNotReady"))
	})
	t.Run("without leader election there is no leader to miss", func(t *testing.T) {
		alerts := renderedAlerts(t, "--set", "leaderElection=false")
		NewWithT(t).Expect(alerts).NotTo(HaveKey("OrqOperatorNoLeader"))
		NewWithT(t).Expect(alerts).To(HaveKey("OrqOperatorDown"))
	})
	t.Run("selector", func(t *testing.T) {
		g := NewWithT(t)
		alerts := renderedAlerts(t, "--set", `monitoring.prometheusRule.selector=job="orq"`)
		g.Expect(alerts["OrqOperatorDown"].Expr).To(Equal(`absent(up{job="orq"} == 1)`))
		g.Expect(alerts["OrqOperatorAgentsStalled"].Expr).To(ContainSubstring(`orq_operator_agents{job="orq",condition="Stalled",status="True"}`))
		for name, a := range alerts {
			g.Expect(a.Expr).NotTo(ContainSubstring("metrics-service"), name)
		}
	})
	t.Run("thresholds", func(t *testing.T) {
		g := NewWithT(t)
		alerts := renderedAlerts(t, "--set", "monitoring.prometheusRule.driftCorrections=25,monitoring.prometheusRule.driftWindow=1h,monitoring.prometheusRule.apiErrorRatio=0.2,monitoring.prometheusRule.stalledFor=1h,monitoring.prometheusRule.rateLimitedFor=30m,monitoring.prometheusRule.apiErrorsFor=20m,monitoring.prometheusRule.downFor=2m")
		g.Expect(alerts["OrqOperatorDriftBurst"].Expr).To(MatchRegexp(`orq_operator_drift_corrections_total\{[^}]*\}\[1h\]\)\) > 25$`))
		g.Expect(alerts["OrqOperatorAPIErrors"].Expr).To(MatchRegexp(`\s> 0.2$`))
		g.Expect(alerts["OrqOperatorAPIErrors"].Annotations["description"]).To(ContainSubstring("More than 20% of the requests"))
		for name, want := range map[string]string{"OrqOperatorAgentsStalled": "1h", "OrqOperatorRateLimited": "30m", "OrqOperatorAPIErrors": "20m", "OrqOperatorDown": "2m", "OrqOperatorNoLeader": "2m"} {
			g.Expect(alerts[name].For).To(Equal(want), name)
		}
	})
}

// alertRule is a rule of the PrometheusRule.
type alertRule struct {
	Alert       string            `json:"alert"`
	Expr        string            `json:"expr"`
	For         string            `json:"for"`
	Labels      map[string]string `json:"labels"`
	Annotations map[string]string `json:"annotations"`
}

// renderedAlerts returns the alerts of the PrometheusRule the chart renders, by name.
func renderedAlerts(t *testing.T, extra ...string) map[string]alertRule {
	t.Helper()
	var rules struct {
		Groups []struct {
			Rules []alertRule `json:"rules"`
		} `json:"groups"`
	}
	if err := yaml.Unmarshal(renderRules(t, extra...), &rules); err != nil {
		t.Fatal(err)
	}
	out := map[string]alertRule{}
	for _, g := range rules.Groups {
		for _, r := range g.Rules {
			out[r.Alert] = r
		}
	}
	return out
}

// The dashboard's ConfigMap holds dashboards/orq-operator.json, valid JSON, under the label the
// Grafana sidecar looks for.
func TestDashboardConfigMap(t *testing.T) {
	file, err := os.ReadFile(dashboardFile)
	if err != nil {
		t.Fatal(err)
	}
	var want map[string]any
	if err := json.Unmarshal(file, &want); err != nil {
		t.Fatalf("%s is not valid JSON: %v", dashboardFile, err)
	}
	for name, c := range map[string]struct {
		args           []string
		key, value, ns string
	}{
		"defaults":               {args: nil, key: "grafana_dashboard", value: "1", ns: namespace},
		"with the state metrics": {args: stateMetricsOn, key: "grafana_dashboard", value: "1", ns: namespace},
		"custom label and namespace": {
			args: []string{"--set", "monitoring.dashboard.labelKey=grafana.example/dashboard,monitoring.dashboard.labelValue=orq,monitoring.dashboard.namespace=monitoring,monitoring.dashboard.annotations.grafana_folder=Operators"},
			key:  "grafana.example/dashboard", value: "orq", ns: "monitoring",
		},
	} {
		t.Run(name, func(t *testing.T) {
			g := NewWithT(t)
			objs := renderChart(t, append([]string{"--set", "monitoring.dashboard.enabled=true"}, c.args...)...)
			cm := testenv.As[corev1.ConfigMap](t, named(t, objs, "ConfigMap", "orq-operator-dashboard"))
			g.Expect(cm.Labels).To(HaveKeyWithValue(c.key, c.value))
			g.Expect(cm.Namespace).To(Equal(c.ns))
			if c.ns != namespace {
				g.Expect(cm.Annotations).To(HaveKeyWithValue("grafana_folder", "Operators"))
			}
			if slices.Equal(c.args, stateMetricsOn) {
				objects, err := os.ReadFile(objectsDashboardFile)
				g.Expect(err).NotTo(HaveOccurred())
				g.Expect(cm.Data).To(HaveLen(2))
				g.Expect(cm.Data).To(HaveKeyWithValue("orq-objects.json", string(bytes.TrimRight(objects, "\n"))),
					"the ConfigMap's objects dashboard is not dashboards/orq-objects.json byte for byte")
			} else {
				g.Expect(cm.Data).To(HaveLen(1))
			}
			g.Expect(cm.Data).To(HaveKey("orq-operator.json"))
			data := cm.Data["orq-operator.json"]
			var got map[string]any
			g.Expect(json.Unmarshal([]byte(data), &got)).To(Succeed(), "the ConfigMap's dashboard is not valid JSON")
			g.Expect(got).To(Equal(want), "the ConfigMap's dashboard is not dashboards/orq-operator.json")
			g.Expect(data).To(Equal(string(bytes.TrimRight(file, "\n"))), "the ConfigMap's dashboard is not dashboards/orq-operator.json byte for byte")
		})
	}
}

// The dashboards' JSON is one Grafana imports: an uid and title, unique panel ids, every panel
// placed and reading the dashboard's Prometheus data source variable.
func TestDashboardJSON(t *testing.T) {
	t.Run("orq-operator", func(t *testing.T) {
		checkDashboard(t, dashboardFile, "orq-operator", "Agents by condition", "orq API requests by operation and code",
			"orq API latency by operation", "429s and requests held back", "Drift corrections by kind", "Reconcile duration")
	})
	t.Run("orq-objects", func(t *testing.T) {
		checkDashboard(t, objectsDashboardFile, "orq-objects", "Objects by kind and Ready", "Stalled objects",
			"Objects not Ready", "Objects not Synced", "Objects and their keys in orq")
	})
}

func checkDashboard(t *testing.T, file, uid string, wantTitles ...string) {
	g := NewWithT(t)
	data, err := os.ReadFile(file)
	g.Expect(err).NotTo(HaveOccurred())
	var d struct {
		UID        string `json:"uid"`
		Title      string `json:"title"`
		Templating struct {
			List []struct {
				Name, Type string
				Query      any
			} `json:"list"`
		} `json:"templating"`
		Panels []struct {
			ID         int            `json:"id"`
			Type       string         `json:"type"`
			Title      string         `json:"title"`
			Datasource map[string]any `json:"datasource"`
			GridPos    *struct{ X, Y, W, H int }
			Targets    []map[string]any `json:"targets"`
		} `json:"panels"`
	}
	g.Expect(json.Unmarshal(data, &d)).To(Succeed())
	g.Expect(d.UID).To(Equal(uid))
	g.Expect(d.Title).NotTo(BeEmpty())
	g.Expect(d.Templating.List).To(ContainElement(HaveField("Name", "datasource")))
	ids := map[int]bool{}
	var titles []string
	for _, p := range d.Panels {
		g.Expect(ids).NotTo(HaveKey(p.ID), "panel id %d twice", p.ID)
		ids[p.ID] = true
		g.Expect(p.GridPos).NotTo(BeNil(), "panel %q has no gridPos", p.Title)
		g.Expect(p.GridPos.X+p.GridPos.W).To(BeNumerically("<=", 24), "panel %q is wider than the dashboard", p.Title)
		if p.Type == "row" {
			continue
		}
		titles = append(titles, p.Title)
		g.Expect(p.Datasource).To(HaveKeyWithValue("uid", "${datasource}"), "panel %q", p.Title)
		g.Expect(p.Targets).NotTo(BeEmpty(), "panel %q has no query", p.Title)
	}
	g.Expect(titles).To(ContainElements(wantTitles))
}

// The ConfigMap and the ClusterRoleBinding are accepted by a real kube-apiserver (a server-side
// dry run with strict field validation). The ServiceMonitor and PrometheusRule are not tried:
// their CRDs, the Prometheus Operator's, are not installed there.
func TestMonitoringAcceptedByAPIServer(t *testing.T) {
	objs := renderChart(t, append(allOn, "--set",
		"monitoring.serviceMonitor.metricsReaderBinding.serviceAccount.name=prometheus-k8s,monitoring.serviceMonitor.metricsReaderBinding.serviceAccount.namespace=monitoring")...)
	if os.Getenv("KUBEBUILDER_ASSETS") == "" {
		missing(t, "KUBEBUILDER_ASSETS is not set: run `make test`, or KUBEBUILDER_ASSETS=$(hack/envtest-assets.sh)")
	}
	env := &envtest.Environment{}
	cfg, err := env.Start()
	if err != nil {
		t.Fatalf("starting envtest: %v", err)
	}
	t.Cleanup(func() {
		if err := env.Stop(); err != nil {
			t.Errorf("stopping envtest: %v", err)
		}
	})
	k8s, err := client.New(cfg, client.Options{Scheme: scheme.Scheme})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: namespace}}
	NewWithT(t).Expect(k8s.Create(ctx, ns)).To(Succeed())

	cm := only(t, objs, "ConfigMap")
	var binding *unstructured.Unstructured
	for _, o := range ofKind(objs, "ClusterRoleBinding") {
		if strings.HasSuffix(o.GetName(), "-metrics-reader-rolebinding") {
			binding = o
		}
	}
	if binding == nil {
		t.Fatal("no metrics-reader ClusterRoleBinding rendered")
	}
	for _, o := range []*unstructured.Unstructured{cm, binding} {
		t.Run("dry run "+o.GetKind(), func(t *testing.T) {
			NewWithT(t).Expect(k8s.Create(ctx, o.DeepCopy(), client.DryRunAll, client.FieldValidation(metav1.FieldValidationStrict))).To(Succeed())
		})
	}
	state := renderChart(t, append(stateMetricsOn, "--set",
		"monitoring.stateMetrics.namespace=monitoring,monitoring.stateMetrics.serviceAccount.name=kube-state-metrics,monitoring.stateMetrics.serviceAccount.namespace=monitoring")...)
	NewWithT(t).Expect(k8s.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "monitoring"}})).To(Succeed())
	for _, o := range []*unstructured.Unstructured{
		named(t, state, "ConfigMap", "orq-operator-state-metrics"),
		named(t, state, "ClusterRole", "orq-operator-state-metrics-reader"),
		named(t, state, "ClusterRoleBinding", "orq-operator-state-metrics-reader"),
	} {
		t.Run("dry run state metrics "+o.GetKind(), func(t *testing.T) {
			NewWithT(t).Expect(k8s.Create(ctx, o.DeepCopy(), client.DryRunAll, client.FieldValidation(metav1.FieldValidationStrict))).To(Succeed())
		})
	}
	t.Run("a dashboard too large for a ConfigMap is refused", func(t *testing.T) {
		// The dry run is no formality: it refuses what a cluster would.
		big := cm.DeepCopy()
		_ = unstructured.SetNestedField(big.Object, strings.Repeat("x", 1<<20+1), "data", "orq-operator.json")
		NewWithT(t).Expect(k8s.Create(ctx, big, client.DryRunAll)).NotTo(Succeed())
	})
}

// decodeSpec converts the spec of a custom resource to out.
func decodeSpec(t *testing.T, u *unstructured.Unstructured, out any) {
	t.Helper()
	data, err := json.Marshal(u.Object["spec"])
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(out); err != nil {
		t.Fatalf("%s %s: spec: %v", u.GetKind(), u.GetName(), err)
	}
}
