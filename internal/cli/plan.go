package cli

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/orq-ai/orq-operator/internal/controller"
	"github.com/orq-ai/orq-operator/internal/manifest"
	"github.com/orq-ai/orq-operator/internal/orqclient"
	"github.com/orq-ai/orq-operator/internal/planreport"
)

// PlanOptions are the flags of plan.
type PlanOptions struct {
	File, Output, DefaultNamespace string
	Live                           bool
}

// Bind registers the flags of plan: f is the plugin's -f/--filename.
func (p *PlanOptions) Bind(fs Flags) {
	fs.StringVar(&p.File, "f", "", "Manifests to plan: a `path` (a file, or a directory of *.yaml, *.yml, *.json files), or - for standard input, such as the output of kustomize build piped in.")
	fs.StringVar(&p.Output, "output", "text", "Output format: text, markdown (a pull-request comment) or json.")
	fs.StringVar(&p.DefaultNamespace, "default-namespace", "default", "Namespace of the objects that set none, as kubectl apply would give them.")
	fs.BoolVar(&p.Live, "live", false, "Read the state of the objects already in the cluster of the kubeconfig (read only; Secrets are not read), so that what the operator holds in orq plans as its own.")
}

// Plan compares the objects of manifests (every kind of the operator) with their remote objects
// in the workspace of orq's key, as the operator would, and prints what it would do; it never
// writes to orq. Exit codes: see planreport (0 no change, 2 changes, 1 error or an object
// blocked).
func Plan(ctx context.Context, opts PlanOptions, orq Orq, cluster Cluster, s Streams) int {
	if err := opts.check(orq); err != nil {
		fmt.Fprintln(s.Err, "plan:", err)
		return planreport.ExitError
	}
	plans, err := makePlan(ctx, opts, orq, cluster, s)
	if err != nil {
		fmt.Fprintln(s.Err, "plan:", err)
		return planreport.ExitError
	}
	if err := planreport.Write(s.Out, opts.Output, plans); err != nil {
		fmt.Fprintln(s.Err, "plan:", err)
		return planreport.ExitError
	}
	code := planreport.ExitCode(plans)
	if code == planreport.ExitError {
		fmt.Fprintln(s.Err, "plan: some objects are blocked: the operator would not converge")
	}
	return code
}

// check refuses what cannot make a plan, before anything is read.
func (p PlanOptions) check(orq Orq) error {
	switch {
	case p.File == "":
		return errors.New("-f is required: a file, a directory, or - for standard input")
	case !slices.Contains(planreport.Formats, p.Output):
		return fmt.Errorf("--output must be one of %s, not %q", strings.Join(planreport.Formats, ", "), p.Output)
	case orq.APIKey == "":
		return errors.New(EnvAPIKey + " is not set: a plan reads the workspace of that API key")
	}
	return nil
}

// makePlan reads the manifests (and, with --live, the cluster's state of their objects) and plans
// them against the workspace.
func makePlan(ctx context.Context, opts PlanOptions, orq Orq, cluster Cluster, s Streams) ([]controller.AgentPlan, error) {
	m, err := manifest.Read(opts.File, s.In, opts.DefaultNamespace)
	if err != nil {
		return nil, err
	}
	objects := m.Objects
	var others []client.Object
	if opts.Live {
		c, err := cluster.Reader()
		if err == nil {
			others, err = withLiveState(ctx, c, controller.Kinds(), objects)
		}
		if err != nil {
			return nil, fmt.Errorf("--live: %w", err)
		}
	}
	api, err := orq.Client(orq.APIKey)
	if err != nil {
		return nil, err
	}
	// The plan's key is the workspace of the objects that do not name one (review R8).
	plans, err := controller.Plan(ctx, objects, api, controller.PlanOptions{Live: opts.Live, Others: others, KeyHash: orqclient.KeyHash(orq.APIKey)})
	if err != nil {
		return nil, err
	}
	return append(refusedPlans(m.Refused), plans...), nil
}

// refusedPlans are the plans of the manifests the apiserver would refuse: kubectl apply fails on
// them, so the merge does not converge. They are not planned further: the operator never sees
// them (with --live, the cluster keeps the object it holds, if any).
func refusedPlans(refused []manifest.Refusal) []controller.AgentPlan {
	var out []controller.AgentPlan
	for _, r := range refused {
		out = append(out, controller.AgentPlan{Kind: r.Kind, Namespace: r.Namespace, Name: r.Name, Verdict: controller.VerdictBlocked,
			Reason: string(apierrors.ReasonForError(r.Err)), Message: r.Err.Error() + " (" + r.Source + ")"})
	}
	return out
}
