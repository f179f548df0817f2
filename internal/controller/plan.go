package controller

import (
	"context"

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
	return managed.Plan(ctx, Kinds(), objects, api, opts)
}
