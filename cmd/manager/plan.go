package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/orq-ai/orq-operator/internal/controller"
	"github.com/orq-ai/orq-operator/internal/manifest"
	"github.com/orq-ai/orq-operator/internal/orqclient"
	"github.com/orq-ai/orq-operator/internal/planreport"
)

// planFlags are the flags of manager plan of its own.
type planFlags struct {
	file, output, namespace string
	live                    bool
}

func (pf *planFlags) bind(fs *flag.FlagSet) {
	fs.StringVar(&pf.file, "f", "", "Manifests to plan: a `path` (a file, or a directory of *.yaml, *.yml, *.json files), or - for standard input, such as the output of kustomize build piped in.")
	fs.StringVar(&pf.output, "output", "text", "Output format: text, markdown (a pull-request comment) or json.")
	fs.StringVar(&pf.namespace, "default-namespace", "default", "Namespace of the objects that set none, as kubectl apply would give them.")
	fs.BoolVar(&pf.live, "live", false, "Read the state of the objects already in the cluster of the kubeconfig (read only; Secrets are not read), so that what the operator holds in orq plans as its own.")
}

// runPlan compares the objects of manifests (every kind of the operator) with their remote objects
// in the workspace of ORQ_API_KEY, as the operator would, and prints what it would do; it never
// writes to orq. Exit codes: see planreport (0 no change, 2 changes, 1 error or an object
// blocked).
func runPlan(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	var pf planFlags
	o, err := parseFlags("manager plan", args, pf.bind)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return planreport.ExitError
	}
	if err := pf.check(o); err != nil {
		fmt.Fprintln(stderr, "plan:", err)
		return planreport.ExitError
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	plans, err := makePlan(ctx, pf, o, stdin)
	if err != nil {
		fmt.Fprintln(stderr, "plan:", err)
		return planreport.ExitError
	}
	if err := planreport.Write(stdout, pf.output, plans); err != nil {
		fmt.Fprintln(stderr, "plan:", err)
		return planreport.ExitError
	}
	code := planreport.ExitCode(plans)
	if code == planreport.ExitError {
		fmt.Fprintln(stderr, "plan: some objects are blocked: the operator would not converge")
	}
	return code
}

// makePlan reads the manifests (and, with --live, the cluster's state of their objects) and plans
// them against the workspace.
func makePlan(ctx context.Context, pf planFlags, o *options, stdin io.Reader) ([]controller.AgentPlan, error) {
	m, err := manifest.Read(pf.file, stdin, pf.namespace)
	if err != nil {
		return nil, err
	}
	objects := m.Objects
	var others []client.Object
	if pf.live {
		if others, err = readLive(ctx, objects); err != nil {
			return nil, fmt.Errorf("--live: %w", err)
		}
	}
	api, err := orqclient.New(orqclient.Options{BaseURL: o.baseURL, APIKey: o.apiKey, Timeout: o.requestTimeout, UserAgent: "orq-operator-plan/" + version})
	if err != nil {
		return nil, err
	}
	// The plan's key is the workspace of the objects that do not name one (review R8).
	plans, err := controller.Plan(ctx, objects, api, controller.PlanOptions{Live: pf.live, Others: others, KeyHash: orqclient.KeyHash(o.apiKey)})
	if err != nil {
		return nil, err
	}
	return append(refusedPlans(m.Refused), plans...), nil
}

// refusedPlans are the plans of the manifests the apiserver would refuse: kubectl apply fails on
// them, so the merge does not converge. They are not planned further: the operator never sees
// them (with --live, the cluster keeps the Agent it holds, if any).
func refusedPlans(refused []manifest.Refusal) []controller.AgentPlan {
	var out []controller.AgentPlan
	for _, r := range refused {
		out = append(out, controller.AgentPlan{Kind: r.Kind, Namespace: r.Namespace, Name: r.Name, Verdict: controller.VerdictBlocked,
			Reason: string(apierrors.ReasonForError(r.Err)), Message: r.Err.Error() + " (" + r.Source + ")"})
	}
	return out
}

// check refuses what cannot make a plan, before anything is read.
func (pf planFlags) check(o *options) error {
	switch {
	case pf.file == "":
		return errors.New("-f is required: a file, a directory, or - for standard input")
	case !slices.Contains(planreport.Formats, pf.output):
		return fmt.Errorf("--output must be one of %s, not %q", strings.Join(planreport.Formats, ", "), pf.output)
	case o.apiKey == "":
		return errors.New(envAPIKey + " is not set: a plan reads the workspace of that API key")
	}
	return nil
}

// readLive sets in objects their state in the cluster, and returns the cluster's other objects
// (see withLiveState).
func readLive(ctx context.Context, objects []client.Object) ([]client.Object, error) {
	c, err := liveReader()
	if err != nil {
		return nil, err
	}
	return withLiveState(ctx, c, controller.Kinds(), objects)
}
