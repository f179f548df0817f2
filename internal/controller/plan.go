package controller

import (
	"context"
	"fmt"
	"slices"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
	logf "sigs.k8s.io/controller-runtime/pkg/log"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
)

// PlanOptions are what a plan knows of the cluster.
type PlanOptions struct {
	// Live tells that the Agents of the objects carry the cluster's state (plan --live): an Agent
	// without a status is then new to the cluster, and an agent at its key is not its own.
	// Without it, a plan cannot prove ownership either way: an Agent whose manifest carries no
	// status is planned as if it held the agent at its key, and its plan says so (Unverified).
	Live bool
	// Others are the Agents of the cluster that the objects do not hold (plan --live): they are
	// not planned, but hold their keys and answer agentRefs as they are.
	Others []client.Object
}

// Plan tells, for each Agent of objects, what the operator would do to its orq agent in the
// workspace of api if objects were applied: it runs the reconciler's own steps, in dry-run.
//
// The reconciler gets a fake Kubernetes client that holds objects (Agents and the ConfigMaps they
// read; other kinds are ignored), with its field indexes, so that key owners, agentRefs and the
// finalizer and marker patches work as in a cluster, in memory; and an AgentAPI that reads from
// api and records its writes without sending them (dryRunAPI). Nothing is written to orq.
//
// Agents are planned members first: a member's pass writes its status in the fake client (as the
// operator would, once it created or found its agent), so a member that would be created counts
// as resolvable for the team that names it, and one that would be blocked keeps its team waiting,
// as in the cluster. The status an Agent carries (as `kubectl get -o yaml` prints it) is taken as
// what the cluster holds; for an Agent without one, see PlanOptions.Live.
func Plan(ctx context.Context, objects []client.Object, api AgentAPI, opts PlanOptions) ([]AgentPlan, error) {
	c, agents, err := planClient(objects, opts.Others)
	if err != nil {
		return nil, err
	}
	dry := newDryRunAPI(api)
	r := &AgentReconciler{Client: c, API: dry, APIFor: otherWorkspace}
	ctx = logf.IntoContext(ctx, logf.Log.WithSink(logf.NullLogSink{})) // the steps' logs would tell of writes not made
	plans := map[types.NamespacedName]AgentPlan{}
	for _, name := range planOrder(agents) {
		agent := &orqv1alpha1.Agent{}
		if err := c.Get(ctx, name, agent); err != nil {
			return nil, err
		}
		if agent.Spec.APIKeySecretRef != nil {
			plans[name] = skipped(agent)
			continue
		}
		p, ap := r.planPass(ctx, dry, agent)
		if !opts.Live && unproven(p) {
			if ap, err = r.planAsOwn(ctx, dry, p); err != nil {
				return nil, err
			}
		}
		plans[name] = ap
	}
	out := make([]AgentPlan, 0, len(agents))
	for _, a := range agents {
		out = append(out, plans[client.ObjectKeyFromObject(a)])
	}
	return out, nil
}

// planPass runs one dry-run pass of agent and reads its verdict.
func (r *AgentReconciler) planPass(ctx context.Context, dry *dryRunAPI, agent *orqv1alpha1.Agent) (*pass, AgentPlan) {
	start := len(dry.writes)
	p := newPass(agent, false)
	r.run(ctx, p, stepsFor(agent))
	_, _ = r.finish(ctx, p) // its error is p.err, reported in the verdict; it writes the status members need
	return p, verdictOf(p, dry, dry.writes[start:])
}

// unproven tells whether a pass stalled only because the Agent could not prove the agent at its
// key its own, and carried no state of the cluster that would prove it is not (a status).
func unproven(p *pass) bool {
	return p.end == endFailed && p.remote != nil && p.stored.ID == "" && len(p.stored.Conditions) == 0 &&
		classify(p.err).reason == orqv1alpha1.ReasonAdoptionRequired
}

// planAsOwn plans again an Agent of a plan without cluster state whose pass was unproven: as it
// would be if its status recorded the agent at its key, as the status of an Agent the operator
// created does. The plan says it did not check that (Unverified). The second pass reads what
// the first one read, not the API again.
func (r *AgentReconciler) planAsOwn(ctx context.Context, dry *dryRunAPI, first *pass) (AgentPlan, error) {
	agent := &orqv1alpha1.Agent{}
	if err := r.Get(ctx, client.ObjectKeyFromObject(first.agent), agent); err != nil {
		return AgentPlan{}, err
	}
	agent.Status = orqv1alpha1.AgentStatus{ResourceStatus: orqv1alpha1.ResourceStatus{ID: first.remote.id}}
	if err := r.Status().Update(ctx, agent); err != nil {
		return AgentPlan{}, err
	}
	dry.replay(agent.RemoteKey())
	_, ap := r.planPass(ctx, dry, agent)
	ap.Unverified = noClusterState
	return ap, nil
}

// otherWorkspace refuses spec.apiKeySecretRef: a plan reads one workspace (Plan skips those Agents).
func otherWorkspace(string, string) (AgentAPI, error) {
	return nil, fmt.Errorf("a plan reads only the workspace of its own API key")
}

// planClient returns a fake client holding the Agents and ConfigMaps of objects and the Agents
// of others, with the reconciler's indexes, and the Agents of objects in the order given.
func planClient(objects, others []client.Object) (client.Client, []*orqv1alpha1.Agent, error) {
	var agents []*orqv1alpha1.Agent
	var kept []client.Object
	seen := map[string]bool{}
	now := metav1.NewTime(time.Now().Truncate(time.Second)) // the apiserver's resolution
	for _, o := range objects {
		var kind string
		switch o.(type) {
		case *orqv1alpha1.Agent:
			kind = "Agent"
		case *corev1.ConfigMap:
			kind = "ConfigMap"
		default:
			continue
		}
		o = o.DeepCopyObject().(client.Object)
		id := fmt.Sprintf("%s %s/%s", kind, o.GetNamespace(), o.GetName())
		if seen[id] {
			return nil, nil, fmt.Errorf("%s is given twice", id)
		}
		seen[id] = true
		o.SetResourceVersion("") // the fake client versions objects itself
		if a, ok := o.(*orqv1alpha1.Agent); ok {
			asApplied(a, now)
			agents = append(agents, a)
		}
		kept = append(kept, o)
	}
	for _, o := range others {
		a, ok := o.(*orqv1alpha1.Agent)
		if !ok || seen["Agent "+a.Namespace+"/"+a.Name] {
			continue
		}
		a = a.DeepCopy()
		a.ResourceVersion = ""
		kept = append(kept, a)
	}
	c, err := inMemoryClient(kept...)
	return c, agents, err
}

// inMemoryClient is a fake Kubernetes client holding objs (Agents, ConfigMaps, Secrets), with the
// reconciler's field indexes and the Agent status subresource: a plan's cluster, and the unit
// tests'.
func inMemoryClient(objs ...client.Object) (client.Client, error) {
	s := runtime.NewScheme()
	if err := orqv1alpha1.AddToScheme(s); err != nil {
		return nil, err
	}
	if err := corev1.AddToScheme(s); err != nil {
		return nil, err
	}
	b := fake.NewClientBuilder().WithScheme(s).WithStatusSubresource(&orqv1alpha1.Agent{}).WithObjects(objs...)
	for field, values := range agentIndexes {
		b = b.WithIndex(&orqv1alpha1.Agent{}, field, values)
	}
	return b.Build(), nil
}

// asApplied gives an Agent new to the cluster what the apiserver would: a UID (the create marker
// and the key owner tell Agents apart by it) and a creation time, after the Agents already there.
func asApplied(a *orqv1alpha1.Agent, now metav1.Time) {
	if a.UID == "" {
		a.UID = types.UID("plan." + a.Namespace + "." + a.Name) // no "/": the create marker separates its parts by it
	}
	if a.CreationTimestamp.IsZero() {
		a.CreationTimestamp = now
	}
}

// planOrder orders the Agents so that the members a team references within them come before
// it. A cycle is cut anywhere: resolveTeam reports it (ReferenceCycle).
func planOrder(agents []*orqv1alpha1.Agent) []types.NamespacedName {
	byName := map[types.NamespacedName]*orqv1alpha1.Agent{}
	for _, a := range agents {
		byName[client.ObjectKeyFromObject(a)] = a
	}
	var out []types.NamespacedName
	var visit func(n types.NamespacedName)
	visit = func(n types.NamespacedName) {
		a, ok := byName[n]
		if !ok || slices.Contains(out, n) {
			return
		}
		delete(byName, n) // visiting: a cycle back to it stops here
		for _, t := range refTargets(a) {
			visit(t)
		}
		out = append(out, n)
	}
	for _, a := range agents {
		visit(client.ObjectKeyFromObject(a))
	}
	return out
}
