package agent

import (
	"testing"

	"github.com/orq-ai/orq-operator/internal/kinds/agentschedule"
	"github.com/orq-ai/orq-operator/internal/kinds/knowledgebase"
	"github.com/orq-ai/orq-operator/internal/kinds/memorystore"
	"github.com/orq-ai/orq-operator/internal/kinds/tool"
	"github.com/orq-ai/orq-operator/internal/managed"
)

// An agent holds by id only objects of kinds indexed by id (managed.HeldByID): for another kind
// the core could not find the held object by its id, and a target being deleted would not be woken
// when the agent lets it go.
func TestHoldsByIDOnlyKindsHeldByID(t *testing.T) {
	a := newAgent("team", "lead")
	a.Status.TeamKeys = []string{"writer"}
	a.Status.ToolKeys = []string{"orders-api"}
	a.Status.KnowledgeBaseIDs = []string{"01KB"}
	a.Status.MemoryStores = []string{"support-memory"}
	kinds := managed.NewRegistry(Kind{}, tool.Kind{}, knowledgebase.Kind{}, memorystore.Kind{}, agentschedule.Kind{})

	byID := map[string]bool{}
	for _, held := range (Kind{}).Holds(a) {
		k, ok := kinds.Get(held.Kind)
		if !ok {
			t.Fatalf("held kind %q is not registered", held.Kind)
		}
		if _, heldByID := k.(managed.HeldByID); held.ID != "" && !heldByID {
			t.Errorf("%s %q is held by id, but its kind is no managed.HeldByID (it has no id index)", held.Kind, held.ID)
		}
		if held.ID != "" {
			byID[held.Kind] = true
		}
	}
	for _, k := range kinds.All() {
		if _, heldByID := k.(managed.HeldByID); heldByID && !byID[k.Name()] {
			t.Errorf("%s is a managed.HeldByID, but an agent holds none by id: its id index costs memory for nothing", k.Name())
		}
	}
}
