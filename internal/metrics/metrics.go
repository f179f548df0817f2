// Package metrics holds the operator's Prometheus metrics, registered with controller-runtime's
// registry (served on --metrics-bind-address beside controller-runtime's own).
package metrics

import (
	"context"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	ctrlmetrics "sigs.k8s.io/controller-runtime/pkg/metrics"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
)

// Kinds of drift correction.
const (
	DriftUpdated   = "update"
	DriftRecreated = "recreate"
)

var (
	// APIRequests counts requests to the orq API by operation and HTTP status code ("error" when
	// no answer came back, "limited" when the client held the request back after a 429).
	APIRequests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "orq_operator_api_requests_total",
		Help: "Requests to the orq API by operation and status code.",
	}, []string{"operation", "code"})

	// APILatency is the time the orq API took to answer, by operation.
	APILatency = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "orq_operator_api_request_duration_seconds",
		Help:    "Time the orq API took to answer, by operation.",
		Buckets: []float64{0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30},
	}, []string{"operation"})

	// RateLimitWaits is the time requests waited for the client-side rate limit.
	RateLimitWaits = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name:    "orq_operator_rate_limit_wait_seconds",
		Help:    "Time requests waited for the client-side rate limit of the orq API.",
		Buckets: []float64{0.001, 0.01, 0.05, 0.1, 0.5, 1, 5, 30},
	})

	// DriftCorrections counts the remote agents put back after a change made outside Kubernetes.
	DriftCorrections = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "orq_operator_drift_corrections_total",
		Help: "Remote agents put back to their spec after a change made outside Kubernetes, by kind (update, recreate).",
	}, []string{"kind"})

	// SweepWakeups counts the objects a drift sweep found changed in orq (updated, replaced or
	// gone) and woke to be read and corrected.
	SweepWakeups = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "orq_operator_sweep_wakeups_total",
		Help: "Objects a drift sweep (a listing of their collection) found changed in orq and woke, by resource (Agent, Tool, ...).",
	}, []string{"resource"})

	// SweepFailingWorkspaces is the number of collections whose listing keeps failing: their
	// objects are read one by one, once per sync period, until it works again.
	SweepFailingWorkspaces = prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "orq_operator_sweep_failing_workspaces",
		Help: "Collections (a workspace's, or an agent's schedules) whose listing keeps failing, by resource: their objects are read one by one each sync period instead.",
	}, []string{"resource"})

	// EventsDropped counts the events not written: the recorder's queue was full, or the
	// apiserver refused them or stayed unavailable.
	EventsDropped = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "orq_operator_events_dropped_total",
		Help: "Events not written, by reason (queue_full, write_failed).",
	}, []string{"reason"})
)

// Reasons of EventsDropped.
const (
	EventDroppedQueueFull   = "queue_full"
	EventDroppedWriteFailed = "write_failed"
)

func init() {
	ctrlmetrics.Registry.MustRegister(APIRequests, APILatency, RateLimitWaits, DriftCorrections, SweepWakeups, SweepFailingWorkspaces, EventsDropped)
}

// ObserveRequest records one request to the orq API: status 0 means no answer, -1 held back.
func ObserveRequest(operation string, status int, elapsed time.Duration) {
	code := strconv.Itoa(status)
	switch status {
	case 0:
		code = "error"
	case -1:
		APIRequests.WithLabelValues(operation, "limited").Inc()
		return
	}
	APIRequests.WithLabelValues(operation, code).Inc()
	APILatency.WithLabelValues(operation).Observe(elapsed.Seconds())
}

// ObserveRateLimitWait records a wait for the client-side rate limit.
func ObserveRateLimitWait(d time.Duration) { RateLimitWaits.Observe(d.Seconds()) }

// agentsDesc describes the Agents by condition gauge.
var agentsDesc = prometheus.NewDesc("orq_operator_agents",
	"Agents by condition type, status and reason.", []string{"condition", "status", "reason"}, nil)

// AgentCollector reports the Agents by condition when scraped, from the manager's cache. With
// Elected set, only the leader reports, so that a sum over replicas counts each Agent once.
type AgentCollector struct {
	Reader  client.Reader
	Elected <-chan struct{}
}

var _ prometheus.Collector = (*AgentCollector)(nil)

// Describe implements prometheus.Collector.
func (c *AgentCollector) Describe(ch chan<- *prometheus.Desc) { ch <- agentsDesc }

// Collect implements prometheus.Collector.
func (c *AgentCollector) Collect(ch chan<- prometheus.Metric) {
	if !leading(c.Elected) {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var list orqv1alpha1.AgentList
	// Read only: no copy of every Agent at each scrape.
	if err := c.Reader.List(ctx, &list, client.UnsafeDisableDeepCopy); err != nil {
		return
	}
	for key, n := range CountByCondition(list.Items) {
		ch <- prometheus.MustNewConstMetric(agentsDesc, prometheus.GaugeValue, float64(n), key.Condition, key.Status, key.Reason)
	}
}

// ConditionKey groups Agents by a condition.
type ConditionKey struct{ Condition, Status, Reason string }

// CountByCondition counts the Agents by Ready, Synced and Stalled condition; an Agent without a
// Ready condition yet counts as Ready Unknown.
func CountByCondition(agents []orqv1alpha1.Agent) map[ConditionKey]int {
	out := map[ConditionKey]int{}
	for i := range agents {
		countConditions(agents[i].Status.Conditions, out)
	}
	return out
}

// countConditions adds an object's Ready, Synced and Stalled conditions to out; an object without
// a Ready condition yet counts as Ready Unknown.
func countConditions(conditions []metav1.Condition, out map[ConditionKey]int) {
	for _, typ := range []string{orqv1alpha1.ConditionReady, orqv1alpha1.ConditionSynced, orqv1alpha1.ConditionStalled} {
		c := meta.FindStatusCondition(conditions, typ)
		switch {
		case c != nil:
			out[ConditionKey{typ, string(c.Status), c.Reason}]++
		case typ == orqv1alpha1.ConditionReady:
			out[ConditionKey{typ, string(metav1.ConditionUnknown), ""}]++
		}
	}
}
