package controller

import (
	"context"
	"fmt"

	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/orq-ai/orq-operator/internal/managed"
)

// The plan of the command line (manager plan), on every kind: see managed.Plan.
type (
	AgentPlan   = managed.ObjectPlan
	Verdict     = managed.Verdict
	TextChange  = managed.TextChange
	PlanOptions = managed.PlanOptions
)

// The verdicts of a plan.
const (
	VerdictCreate   = managed.VerdictCreate
	VerdictUpdate   = managed.VerdictUpdate
	VerdictNoChange = managed.VerdictNoChange
	VerdictBlocked  = managed.VerdictBlocked
	VerdictSkipped  = managed.VerdictSkipped
)

// Plan tells what the operator would do to the workspace of api for each object of a managed
// kind among objects. The plans come in the order the operator would act: an object after those
// of objects it references (a Tool before the Agent naming it, an Agent before its schedules),
// else in the order given.
func Plan(ctx context.Context, objects []client.Object, api managed.API, opts PlanOptions) ([]AgentPlan, error) {
	plans, err := managed.Plan(ctx, Kinds(), inOrder(Kinds(), objects), api, opts)
	for i := range plans {
		explainUnseen(&plans[i])
	}
	return plans, err
}

// unseenNote explains an update that lists no field: what differs is what a plan cannot compare.
const unseenNote = "may send what a plan cannot compare: fields orq does not echo (sent again when the spec " +
	"changed since it was last applied)"

// explainUnseen notes why an update lists no field.
func explainUnseen(p *AgentPlan) {
	if p.Verdict != VerdictUpdate || len(p.Changed) > 0 {
		return
	}
	if p.Note != "" {
		p.Note += "; "
	}
	p.Note += unseenNote
}

// inOrder orders objects so that each comes after the objects it references, keeping the given
// order otherwise. A cycle is cut where it closes: the plan reports it (ReferenceCycle). An object
// given twice leaves the order as it is, for managed.Plan to refuse.
func inOrder(kinds *managed.Registry, objects []client.Object) []client.Object {
	byRef := map[string]client.Object{}
	for _, o := range objects {
		key := refKey(kinds, o)
		if byRef[key] != nil {
			return objects
		}
		byRef[key] = o
	}
	out := make([]client.Object, 0, len(objects))
	done := map[string]bool{}
	var visit func(key string)
	visit = func(key string) {
		o, ok := byRef[key]
		if !ok || done[key] {
			return
		}
		done[key] = true // before its references: a cycle back to it stops here
		if m, ok := o.(managed.Object); ok {
			if k, ok := kinds.Get(kindOf(kinds, o)); ok {
				for _, ref := range k.References(m) {
					visit(ref.Key())
				}
			}
		}
		out = append(out, o)
	}
	for _, o := range objects {
		visit(refKey(kinds, o))
	}
	return out
}

// refKey is the Reference.Key an object is named by.
func refKey(kinds *managed.Registry, o client.Object) string {
	return managed.Reference{Kind: kindOf(kinds, o), Namespace: o.GetNamespace(), Name: o.GetName()}.Key()
}

// kindOf is the name of a managed kind whose objects have o's Go type; else o's type, which no
// reference names.
func kindOf(kinds *managed.Registry, o client.Object) string {
	for _, k := range kinds.All() {
		if fmt.Sprintf("%T", k.New()) == fmt.Sprintf("%T", o) {
			return k.Name()
		}
	}
	return fmt.Sprintf("%T", o)
}
