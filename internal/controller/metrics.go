package controller

import (
	"github.com/prometheus/client_golang/prometheus"
	"sigs.k8s.io/controller-runtime/pkg/metrics"
)

// Kinds of drift correction.
const (
	driftUpdated   = "update"
	driftRecreated = "recreate"
)

// driftCorrections counts the remote agents put back after a change made outside Kubernetes.
var driftCorrections = prometheus.NewCounterVec(prometheus.CounterOpts{
	Name: "orq_operator_drift_corrections_total",
	Help: "Remote agents put back to their spec after a change made outside Kubernetes, by kind (update, recreate).",
}, []string{"kind"})

func init() {
	metrics.Registry.MustRegister(driftCorrections)
}
