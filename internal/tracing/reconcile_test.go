package tracing

import (
	"strings"
	"testing"

	"go.opentelemetry.io/otel/attribute"
)

// Where an object came from is read from the marks its tools put on it, and only those.
func TestOriginAttributes(t *testing.T) {
	long := strings.Repeat("é", maxOriginLength) // two bytes a rune: cut in the middle of one
	cases := []struct {
		name                string
		annotations, labels map[string]string
		want                map[string]string
	}{
		{name: "nothing", want: map[string]string{}},
		{
			name:        "Argo CD with a revision",
			annotations: map[string]string{"orq.ai/revision": "9f3c2ab", "argocd.argoproj.io/tracking-id": "agents:orq.ai/Agent:shop/concierge"},
			want:        map[string]string{AttrRevision: "9f3c2ab", AttrArgoCDTrackingID: "agents:orq.ai/Agent:shop/concierge"},
		},
		{
			name:   "a Flux Kustomization",
			labels: map[string]string{"kustomize.toolkit.fluxcd.io/name": "agents", "kustomize.toolkit.fluxcd.io/namespace": "flux-system"},
			want:   map[string]string{AttrFluxKustomization: "flux-system/agents"},
		},
		{
			name:        "a Flux HelmRelease, which Helm installs",
			labels:      map[string]string{"helm.toolkit.fluxcd.io/name": "agents", "helm.toolkit.fluxcd.io/namespace": "shop", "app.kubernetes.io/instance": "agents"},
			annotations: map[string]string{"meta.helm.sh/release-name": "agents", "meta.helm.sh/release-namespace": "shop"},
			want:        map[string]string{AttrFluxHelmRelease: "shop/agents", AttrHelmRelease: "shop/agents", AttrAppInstance: "agents"},
		},
		{
			name:   "a name without its namespace",
			labels: map[string]string{"kustomize.toolkit.fluxcd.io/name": "agents"},
			want:   map[string]string{AttrFluxKustomization: "agents"},
		},
		{
			name:        "a label is not an annotation",
			labels:      map[string]string{"orq.ai/revision": "9f3c2ab"},
			annotations: map[string]string{"kustomize.toolkit.fluxcd.io/name": "agents", "description": "anything else"},
			want:        map[string]string{},
		},
		{
			name:        "a long value is cut",
			annotations: map[string]string{"orq.ai/revision": long},
			want:        map[string]string{AttrRevision: strings.Repeat("é", maxOriginLength/2)},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := map[string]string{}
			for _, kv := range originAttributes(tc.annotations, tc.labels) {
				if kv.Value.Type() != attribute.STRING {
					t.Errorf("%s is a %v", kv.Key, kv.Value.Type())
				}
				got[string(kv.Key)] = kv.Value.AsString()
			}
			if len(got) != len(tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
			for k, v := range tc.want {
				if got[k] != v {
					t.Errorf("%s = %q, want %q", k, got[k], v)
				}
			}
		})
	}
}
