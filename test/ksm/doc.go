// Package ksm checks the chart's kube-state-metrics CustomResourceState configuration
// (charts/orq-operator, values monitoring.stateMetrics) with kube-state-metrics' own code: the
// configuration decodes strictly into its configuration types and compiles into its metric
// families; every path in it exists in the CRDs of config/crd/bases; the families make the series
// the alerts, their unit tests and the objects dashboard read.
//
// It is a module of its own so that kube-state-metrics, which pins other Kubernetes versions
// (k8s.io/* v0.36 for v2.20.0) and many dependencies, stays out of the operator's go.mod. `make
// test` runs it (cd test/ksm && go test ./...). It needs helm (env HELM, set by `make test`);
// without it the tests skip, except under CI=true, where they fail.
package ksm
