package metrics

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"k8s.io/apimachinery/pkg/api/meta"
	"sigs.k8s.io/controller-runtime/pkg/client"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
)

// objectsDesc describes the objects of every kind by condition.
var objectsDesc = prometheus.NewDesc("orq_operator_objects",
	"Objects of each kind (Agent, Tool, KnowledgeBase, MemoryStore, AgentSchedule) by condition type, status and reason.",
	[]string{"kind", "condition", "status", "reason"}, nil)

// ObjectCollector reports the objects of every kind by condition when scraped, from the manager's
// cache: what orq_operator_agents says of Agents, for each kind. With Elected set, only the leader
// reports.
type ObjectCollector struct {
	Reader  client.Reader
	Elected <-chan struct{}
	// Lists makes an empty list of the objects of each kind, by kind name.
	Lists map[string]func() client.ObjectList
}

var _ prometheus.Collector = (*ObjectCollector)(nil)

// Describe implements prometheus.Collector.
func (c *ObjectCollector) Describe(ch chan<- *prometheus.Desc) { ch <- objectsDesc }

// statusHolder is an object of a managed kind (api/v1alpha1/managed.go).
type statusHolder interface {
	ManagedStatus() *orqv1alpha1.ResourceStatus
}

// Collect implements prometheus.Collector. A kind whose list fails is left out of this scrape.
func (c *ObjectCollector) Collect(ch chan<- prometheus.Metric) {
	if !leading(c.Elected) {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for kind, newList := range c.Lists {
		list := newList()
		if err := c.Reader.List(ctx, list, client.UnsafeDisableDeepCopy); err != nil {
			continue
		}
		items, err := meta.ExtractList(list)
		if err != nil {
			continue
		}
		counts := map[ConditionKey]int{}
		for _, item := range items {
			if o, ok := item.(statusHolder); ok {
				countConditions(o.ManagedStatus().Conditions, counts)
			}
		}
		for key, n := range counts {
			ch <- prometheus.MustNewConstMetric(objectsDesc, prometheus.GaugeValue, float64(n), kind, key.Condition, key.Status, key.Reason)
		}
	}
}

// leading tells whether this replica reports: it is the leader, or no election is held.
func leading(elected <-chan struct{}) bool {
	if elected == nil {
		return true
	}
	select {
	case <-elected:
		return true
	default:
		return false
	}
}
