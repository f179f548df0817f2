package managed

import (
	"context"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/events"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
	"github.com/orq-ai/orq-operator/internal/metrics"
	"github.com/orq-ai/orq-operator/internal/orqclient"
)

// S4 (review 2): an Agent whose Secret now holds the key of another workspace creates its agent
// there, and leaves the one of its former workspace as it is (docs/teams-and-credentials.md). It
// reported that as drift: the event "Re-created ..., deleted outside Kubernetes" and a count in
// orq_operator_drift_corrections_total{kind="recreate"}, while nothing was deleted anywhere and
// the former agent lives on, now unmanaged. The event says what happened, and no drift is counted.
func TestS4ACreateInANewWorkspaceIsNoRecreateOfAnAgentDeletedOutside(t *testing.T) {
	a := sampleAgent("ns", "bot")
	a.Finalizers = []string{orqv1alpha1.FinalizerName}
	a.Spec.APIKeySecretRef = &orqv1alpha1.SecretKeyReference{Name: "creds", Key: "apiKey"}
	a.Status.ID, a.Status.APIKeyHash = "01OLD", orqclient.KeyHash("old-workspace-key")
	secret := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "creds"}, Data: map[string][]byte{"apiKey": []byte("new-workspace-key")}}
	created := foreignCopy(remoteFor(t, a), "01NEW")
	api := &fakeAPI{t: t,
		GetFn: func(context.Context, string) (*orqclient.Agent, error) {
			return nil, apiError(orqclient.KindNotFound, 404)
		},
		CreateFn: func(context.Context, orqclient.Body) (*orqclient.Agent, error) { return created, nil },
	}
	rec := events.NewFakeRecorder(10)
	r := newTestReconciler(reconcilerFields{Client: newFakeClient(t, a, secret), Recorder: rec,
		APIFor: func(string, string) (API, error) { return api, nil }})
	before := testutil.ToFloat64(metrics.DriftCorrections.WithLabelValues(metrics.DriftRecreated))
	stored, _, err := reconcileOnce(t, r, a)
	if err != nil || stored.Status.ID != "01NEW" {
		t.Fatalf("status.id %q, err %v: want the agent created in the new workspace", stored.Status.ID, err)
	}
	var notes []string
	for len(rec.Events) > 0 {
		notes = append(notes, <-rec.Events)
	}
	all := strings.Join(notes, "\n")
	if strings.Contains(all, "deleted outside Kubernetes") || !strings.Contains(all, "01OLD") {
		t.Errorf("events %q: want no claim of a deletion outside Kubernetes, and the former agent (01OLD) named as left", notes)
	}
	if after := testutil.ToFloat64(metrics.DriftCorrections.WithLabelValues(metrics.DriftRecreated)); after != before {
		t.Errorf("drift corrections (recreated) went from %v to %v: a new workspace is no drift", before, after)
	}
}
