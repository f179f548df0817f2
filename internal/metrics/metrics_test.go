package metrics

import (
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
)

func agentWith(conds ...metav1.Condition) orqv1alpha1.Agent {
	return orqv1alpha1.Agent{Status: orqv1alpha1.AgentStatus{ResourceStatus: orqv1alpha1.ResourceStatus{Conditions: conds}}}
}

func TestCountByCondition(t *testing.T) {
	ready := metav1.Condition{Type: "Ready", Status: metav1.ConditionTrue, Reason: "Synced"}
	synced := metav1.Condition{Type: "Synced", Status: metav1.ConditionTrue, Reason: "Synced"}
	rejected := metav1.Condition{Type: "Ready", Status: metav1.ConditionFalse, Reason: "APIRejected"}
	stalled := metav1.Condition{Type: "Stalled", Status: metav1.ConditionTrue, Reason: "APIRejected"}
	got := CountByCondition([]orqv1alpha1.Agent{agentWith(ready, synced), agentWith(ready, synced), agentWith(rejected, stalled), agentWith()})
	want := map[ConditionKey]int{
		{"Ready", "True", "Synced"}:        2,
		{"Synced", "True", "Synced"}:       2,
		{"Ready", "False", "APIRejected"}:  1,
		{"Stalled", "True", "APIRejected"}: 1,
		{"Ready", "Unknown", ""}:           1,
	}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for k, n := range want {
		if got[k] != n {
			t.Errorf("%v = %d, want %d", k, got[k], n)
		}
	}
}

func TestObserveRequest(t *testing.T) {
	before := testutil.ToFloat64(APIRequests.WithLabelValues("get agent", "404"))
	ObserveRequest("get agent", 404, 30*time.Millisecond)
	ObserveRequest("get agent", 0, time.Second)
	ObserveRequest("get agent", -1, 0)
	if got := testutil.ToFloat64(APIRequests.WithLabelValues("get agent", "404")); got != before+1 {
		t.Errorf("404 count %v", got)
	}
	for _, code := range []string{"error", "limited"} {
		if testutil.ToFloat64(APIRequests.WithLabelValues("get agent", code)) < 1 {
			t.Errorf("no %s request counted", code)
		}
	}
	if n := testutil.CollectAndCount(APILatency); n == 0 {
		t.Error("no latency observed")
	}
	expected := `
# HELP orq_operator_rate_limit_wait_seconds Time requests waited for the client-side rate limit of the orq API.
# TYPE orq_operator_rate_limit_wait_seconds histogram
`
	ObserveRateLimitWait(20 * time.Millisecond)
	if err := testutil.CollectAndCompare(RateLimitWaits, strings.NewReader(expected+histogramLines()), "orq_operator_rate_limit_wait_seconds"); err != nil {
		t.Error(err)
	}
}

// histogramLines is the rate-limit histogram after one wait of 20ms.
func histogramLines() string {
	return `orq_operator_rate_limit_wait_seconds_bucket{le="0.001"} 0
orq_operator_rate_limit_wait_seconds_bucket{le="0.01"} 0
orq_operator_rate_limit_wait_seconds_bucket{le="0.05"} 1
orq_operator_rate_limit_wait_seconds_bucket{le="0.1"} 1
orq_operator_rate_limit_wait_seconds_bucket{le="0.5"} 1
orq_operator_rate_limit_wait_seconds_bucket{le="1"} 1
orq_operator_rate_limit_wait_seconds_bucket{le="5"} 1
orq_operator_rate_limit_wait_seconds_bucket{le="30"} 1
orq_operator_rate_limit_wait_seconds_bucket{le="+Inf"} 1
orq_operator_rate_limit_wait_seconds_sum 0.02
orq_operator_rate_limit_wait_seconds_count 1
`
}

func TestAgentCollectorReportsOnlyOnTheLeader(t *testing.T) {
	s := runtime.NewScheme()
	if err := orqv1alpha1.AddToScheme(s); err != nil {
		t.Fatal(err)
	}
	a := agentWith(metav1.Condition{Type: "Ready", Status: metav1.ConditionTrue, Reason: "Synced", LastTransitionTime: metav1.Now()})
	a.Name, a.Namespace = "a", "ns"
	reader := fake.NewClientBuilder().WithScheme(s).WithObjects(&a).Build()
	elected := make(chan struct{})
	c := &AgentCollector{Reader: reader, Elected: elected}
	if n := testutil.CollectAndCount(c); n != 0 {
		t.Errorf("a replica that is not the leader reported %d series", n)
	}
	close(elected)
	if n := testutil.CollectAndCount(c); n != 1 {
		t.Errorf("the leader reported %d series, want 1 (Ready True Synced)", n)
	}
}

// Every kind is counted under its own label, from the cache, by the leader only.
func TestObjectCollectorCountsEveryKind(t *testing.T) {
	s := runtime.NewScheme()
	if err := orqv1alpha1.AddToScheme(s); err != nil {
		t.Fatal(err)
	}
	a := agentWith(metav1.Condition{Type: "Ready", Status: metav1.ConditionTrue, Reason: "Synced", LastTransitionTime: metav1.Now()})
	a.Name, a.Namespace = "a", "ns"
	tool := &orqv1alpha1.Tool{}
	tool.Name, tool.Namespace = "t", "ns"
	tool.Status.Conditions = []metav1.Condition{{Type: "Ready", Status: metav1.ConditionFalse, Reason: "InUse", LastTransitionTime: metav1.Now()},
		{Type: "Stalled", Status: metav1.ConditionTrue, Reason: "AdoptionRequired", LastTransitionTime: metav1.Now()}}
	reader := fake.NewClientBuilder().WithScheme(s).WithObjects(&a, tool).Build()
	elected := make(chan struct{})
	c := &ObjectCollector{Reader: reader, Elected: elected, Lists: map[string]func() client.ObjectList{
		"Agent": func() client.ObjectList { return &orqv1alpha1.AgentList{} },
		"Tool":  func() client.ObjectList { return &orqv1alpha1.ToolList{} },
	}}
	if n := testutil.CollectAndCount(c); n != 0 {
		t.Errorf("a replica that is not the leader reported %d series", n)
	}
	close(elected)
	want := `# HELP orq_operator_objects Objects of each kind (Agent, Tool, KnowledgeBase, MemoryStore, AgentSchedule) by condition type, status and reason.
# TYPE orq_operator_objects gauge
orq_operator_objects{condition="Ready",kind="Agent",reason="Synced",status="True"} 1
orq_operator_objects{condition="Ready",kind="Tool",reason="InUse",status="False"} 1
orq_operator_objects{condition="Stalled",kind="Tool",reason="AdoptionRequired",status="True"} 1
`
	if err := testutil.CollectAndCompare(c, strings.NewReader(want)); err != nil {
		t.Error(err)
	}
}
