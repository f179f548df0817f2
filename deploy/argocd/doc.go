// Package argocd holds the Argo CD integration of the orq operator: one custom health check for
// every kind (health.lua), its copies in Argo CD's resource_customizations layout
// (resource_customizations/orq.ai/<Kind>: health.lua, health_test.yaml and testdata/), and the
// tests that run each kind's cases as Argo CD does.
//
// Argo CD ships the health checks under resource_customizations/<group>/<kind>/ in its own
// repository; for a cluster, the same script goes into the argocd-cm ConfigMap under
// resource.customizations.health.orq.ai_<Kind>, one key per kind (see
// examples/argocd/argocd-cm.yaml). hack/argocd-health writes both kinds of copies, from Kinds and
// Files, and `make manifests` runs it; the tests fail when a copy differs from health.lua or a
// kind of the CRDs has no directory.
package argocd
