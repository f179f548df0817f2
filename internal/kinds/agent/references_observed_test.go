package agent

import (
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
	"github.com/orq-ai/orq-operator/internal/orqclient"
)

// S5 (review 2): a knowledgeBaseRef resolves to the id the KnowledgeBase records, but a
// KnowledgeBase under managementPolicy Observe records none (Observe never claims), while it is
// Ready: the Agent sent knowledge_id "" in its create (or replaced its knowledge bases with it in
// an update). It names nothing until the KnowledgeBase records an id, and says so.
func TestS5AKnowledgeBaseThatOnlyObservesIsNotNamedByAnEmptyID(t *testing.T) {
	_, _, docs, _ := targets()
	docs.Spec.ManagementPolicy = orqv1alpha1.ManagementPolicyObserve
	docs.Status.ID = "" // observed: Ready, no id recorded
	a := newAgent("team", "lead")
	a.Spec.KnowledgeBases = []orqv1alpha1.AgentKnowledgeBase{{KnowledgeBaseRef: objectRef("docs")}}
	var sent orqclient.Body
	api := &fakeAPI{t: t, CreateFn: func(body orqclient.Body) (*orqclient.Remote, error) {
		sent = body
		return remoteOf("01LEAD", body), nil
	}}
	r := newReconciler(t, api, a, docs)
	stored, _, _ := reconcile(t, r, a)
	if sent != nil {
		t.Errorf("sent knowledge_bases %v: an Observe KnowledgeBase records no id to name", sent["knowledge_bases"])
	}
	refs := condition(stored, orqv1alpha1.ConditionResolvedRefs)
	if refs.Status != metav1.ConditionFalse || !strings.Contains(refs.Message, "KnowledgeBase team/docs") {
		t.Errorf("ResolvedRefs = %s %s %q; want False naming KnowledgeBase team/docs", refs.Status, refs.Reason, refs.Message)
	}
}
