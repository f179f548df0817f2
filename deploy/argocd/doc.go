// Package argocd holds the Argo CD integration of the orq operator: the custom health check of
// Agents in Argo CD's resource_customizations layout (resource_customizations/orq.ai/Agent:
// health.lua, health_test.yaml and testdata/), and the tests that run it as Argo CD does.
//
// Argo CD ships the health checks under resource_customizations/<group>/<kind>/ in its own
// repository; for a cluster, the same script goes into the argocd-cm ConfigMap under
// resource.customizations.health.orq.ai_Agent (see examples/argocd/argocd-cm.yaml, which the
// tests keep identical to health.lua).
package argocd
