package agent

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
	"github.com/orq-ai/orq-operator/internal/agentdiff"
	"github.com/orq-ai/orq-operator/internal/managed"
	"github.com/orq-ai/orq-operator/internal/orqclient"
)

// maxReleases bounds status.releases (the CRD's maxItems).
const maxReleases = 10

// Patch is the PATCH body of the changed fields, with the version fields of the spec. A version
// published from a known revision (orq.ai/revision, or the revision GitOps tools put on applied
// objects) that the spec gives no description says so in its description.
func (Kind) Patch(o managed.Object, desired managed.Desired, changed []string) orqclient.Body {
	a := o.(*orqv1alpha1.Agent)
	if rev := Revision(a); a.Spec.VersionIncrement != "" && a.Spec.VersionDescription == "" && rev != "" {
		a = a.DeepCopy()
		a.Spec.VersionDescription = truncate("revision "+rev, 300)
	}
	return agentdiff.UpdateRequest(a, desired.Body, changed)
}

// recordRelease adds to status.releases a version this pass published: it wrote the agent, the
// spec asks to publish versions, and orq answered with a version other than the one recorded.
func recordRelease(a *orqv1alpha1.Agent, version string, wrote bool) {
	st := &a.Status
	if !wrote || a.Spec.VersionIncrement == "" || version == "" || version == st.Version {
		return
	}
	release := orqv1alpha1.Release{Version: version, Generation: a.Generation, Time: metav1.Now(), Revision: Revision(a)}
	st.Releases = append([]orqv1alpha1.Release{release}, st.Releases...)
	if len(st.Releases) > maxReleases {
		st.Releases = st.Releases[:maxReleases]
	}
}

// Revision is the revision an Agent was applied from: orq.ai/revision when set (by CI), else the
// one Flux or Argo CD put on the applied object; "" when none is known.
func Revision(a *orqv1alpha1.Agent) string {
	for _, k := range orqv1alpha1.RevisionAnnotations {
		if v := a.Annotations[k]; v != "" {
			return v
		}
	}
	return ""
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
