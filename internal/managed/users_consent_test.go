package managed

import (
	"context"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
	"github.com/orq-ai/orq-operator/internal/orqclient"
)

// refAnnotation names, in the tests of referringKind, the Agent an Agent references.
const refAnnotation = "test.orq.ai/ref"

// referringKind is testKind whose objects reference, by spec, the Agent "namespace/name" their
// annotation names, as an Agent names a Tool: not droppable.
type referringKind struct{ testKind }

func (referringKind) References(o Object) []Reference {
	ns, name, ok := strings.Cut(o.GetAnnotations()[refAnnotation], "/")
	if !ok {
		return nil
	}
	return []Reference{{Kind: "Agent", Namespace: ns, Name: name, Field: "spec.ref"}}
}

// S6 (review 2): an object referenced from a namespace it does not allow (no
// spec.allowReferencesFrom) was kept from deletion by that reference as by any other: anyone who
// may create an Agent in any namespace could hold another team's Tool, KnowledgeBase or
// MemoryStore (and the namespace being deleted) for ever, InUse, while the reference itself is
// refused (RefNotPermitted) and so never reached orq. Only references the target allows, and
// remote objects that hold it, keep it.
func TestS6AReferenceTheTargetDoesNotAllowDoesNotKeepItFromDeletion(t *testing.T) {
	target := deletingAgent(t, func(a *orqv1alpha1.Agent) { a.Status.ID, a.Status.APIKeyHash = "01ID", "ws" })
	intruder := sampleAgent("elsewhere", "intruder")
	intruder.Annotations = map[string]string{refAnnotation: target.Namespace + "/" + target.Name}
	deleted := 0
	api := &fakeAPI{t: t,
		GetFn: func(context.Context, string) (*orqclient.Agent, error) {
			return foreignCopy(remoteFor(t, target), "01ID"), nil
		},
		DeleteFn: func(context.Context, string) error { deleted++; return nil },
	}
	c, err := InMemoryClient(NewRegistry(referringKind{}), target, intruder)
	if err != nil {
		t.Fatal(err)
	}
	r := newTestReconciler(reconcilerFields{Client: c, API: api})
	r.Kind, r.Kinds = referringKind{}, NewRegistry(referringKind{})
	stored, _, _ := reconcileOnce(t, r, target)
	if deleted != 1 || stored != nil {
		var conds []metav1.Condition
		if stored != nil {
			conds = stored.Status.Conditions
		}
		t.Errorf("deletes %d, kept %v: a reference from a namespace the target does not allow held it (%v)", deleted, stored != nil, conds)
	}

	// The same reference, allowed, keeps it.
	allowed := deletingAgent(t, func(a *orqv1alpha1.Agent) {
		a.Status.ID, a.Status.APIKeyHash = "01ID", "ws"
		a.Spec.AllowReferencesFrom = []string{"elsewhere"}
	})
	c, err = InMemoryClient(NewRegistry(referringKind{}), allowed, intruder)
	if err != nil {
		t.Fatal(err)
	}
	r.Client = c
	stored, _, _ = reconcileOnce(t, r, allowed)
	if stored == nil || !inUseBy(stored.Status.Conditions, "Agent elsewhere/intruder") {
		t.Errorf("an allowed reference did not keep its target InUse: %v", stored)
	}
}

// inUseBy tells whether Ready is False InUse, naming user.
func inUseBy(conds []metav1.Condition, user string) bool {
	for _, c := range conds {
		if c.Type == orqv1alpha1.ConditionReady && c.Status == metav1.ConditionFalse && c.Reason == orqv1alpha1.ReasonInUse && strings.Contains(c.Message, user) {
			return true
		}
	}
	return false
}
