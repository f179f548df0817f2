package managed

import (
	"context"
	"fmt"
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

// PlanOptions are what a plan knows of the cluster and of its workspace.
type PlanOptions struct {
	// Live tells that the objects carry the cluster's state (plan --live): an object without a
	// status is then new to the cluster, and a remote object at its key is not its own. Without
	// it, a plan cannot prove ownership either way: an object whose manifest carries no status is
	// planned as if it held the remote object at its key, and its plan says so (Unverified).
	Live bool
	// Others are the objects of the cluster that the manifests do not hold (plan --live): they
	// are not planned, but hold their keys and answer references as they are.
	Others []client.Object
	// KeyHash identifies the workspace planned (orqclient.KeyHash of the plan's API key), as the
	// operator's own key: objects without spec.apiKeySecretRef are in it.
	KeyHash string
}

// Plan tells, for each object of a managed kind among objects, what the operator would do to its
// remote object in the workspace of api if objects were applied: it runs the reconciler's own
// steps, in dry-run.
//
// The reconcilers get a fake Kubernetes client that holds objects (of the managed kinds, and the
// ConfigMaps and Secrets they read; other kinds are ignored), with their field indexes, so that
// key holders, references and the finalizer and marker patches work as in a cluster, in memory;
// and an API that reads from api and records its writes without sending them (dryRunAPI).
// Nothing is written to orq. A value read from a Secret the manifests do not hold is planned as a
// placeholder: orq does not echo such values, so they change no verdict.
//
// Objects are planned, and their plans returned, after those they reference (see PlanOrder),
// else in the order given: a target's pass writes its status in the fake client (as the operator
// would, once it created or found its remote object), so a target that would be created counts as
// ready for what names it, and one that would be blocked keeps its referrers waiting, as in the
// cluster.
func Plan(ctx context.Context, kinds *Registry, objects []client.Object, api API, opts PlanOptions) ([]ObjectPlan, error) {
	c, planned, err := planClient(kinds, PlanOrder(kinds, objects), opts.Others)
	if err != nil {
		return nil, err
	}
	dry := newDryRunAPI(api)
	values := &Values{Cache: c, placeholders: true}
	ws := &Workspaces{API: dry, DefaultKeyHash: opts.KeyHash, Values: values, For: otherWorkspace}
	reconcilers := map[string]*Reconciler{}
	for _, k := range kinds.All() {
		reconcilers[k.Name()] = &Reconciler{Client: c, Kind: k, Kinds: kinds, Workspaces: ws, Values: values}
	}
	ctx = logf.IntoContext(ctx, logf.Log.WithSink(logf.NullLogSink{})) // the steps' logs would tell of writes not made
	plans := map[string]ObjectPlan{}
	for _, o := range planned {
		r := reconcilers[kindName(kinds, o)]
		obj := r.Kind.New()
		if err := c.Get(ctx, client.ObjectKeyFromObject(o), obj); err != nil {
			return nil, err
		}
		id := r.Kind.Name() + "/" + client.ObjectKeyFromObject(obj).String()
		if holder, err := r.credentialHolder(ctx, obj); err == nil && holder.CredentialsRef() != nil {
			plans[id] = skipped(r, obj)
			continue
		}
		p, op := r.planPass(ctx, dry, obj)
		if !opts.Live && unproven(p) {
			if op, err = r.planAsOwn(ctx, dry, p); err != nil {
				return nil, err
			}
		}
		plans[id] = op
	}
	out := make([]ObjectPlan, 0, len(planned))
	for _, o := range planned {
		out = append(out, plans[kindName(kinds, o)+"/"+client.ObjectKeyFromObject(o).String()])
	}
	return out, nil
}

// planPass runs one dry-run pass of an object and reads its verdict.
func (r *Reconciler) planPass(ctx context.Context, dry *dryRunAPI, o Object) (*pass, ObjectPlan) {
	start := len(dry.writes)
	p := r.start(o, false)
	r.run(ctx, p, r.stepsFor(o))
	_, _ = r.finish(ctx, p) // its error is p.err, reported in the verdict; it writes the status referrers need
	return p, r.verdictOf(p, dry, dry.writes[start:])
}

// unproven tells whether a pass stalled only because the object could not prove the remote object
// at its key its own, and carried no state of the cluster that would prove it is not (a status).
func unproven(p *pass) bool {
	return p.end == endFailed && p.view != nil && p.status().ID == "" && len(p.status().Conditions) == 0 &&
		classify(p.err).reason == orqv1alpha1.ReasonAdoptionRequired
}

// planAsOwn plans again an object of a plan without cluster state whose pass was unproven: as it
// would be if its status recorded the remote object at its key, as the status of an object the
// operator created does. The plan says it did not check that (Unverified). The second pass reads
// what the first one read, not the API again.
func (r *Reconciler) planAsOwn(ctx context.Context, dry *dryRunAPI, first *pass) (ObjectPlan, error) {
	obj := r.Kind.New()
	if err := r.Get(ctx, client.ObjectKeyFromObject(first.obj), obj); err != nil {
		return ObjectPlan{}, err
	}
	*obj.ManagedStatus() = orqv1alpha1.ResourceStatus{ID: first.view.remote.ID}
	if err := r.Status().Update(ctx, obj); err != nil {
		return ObjectPlan{}, err
	}
	dry.replay(placeKey(r.Kind.Endpoint(), first.desired.Parent, r.address(obj, first.view.remote.ID)))
	_, op := r.planPass(ctx, dry, obj)
	op.Unverified = noClusterState
	return op, nil
}

// otherWorkspace refuses spec.apiKeySecretRef: a plan reads one workspace (Plan skips those
// objects).
func otherWorkspace(string, string) (API, error) {
	return nil, fmt.Errorf("a plan reads only the workspace of its own API key")
}

// planClient returns a fake client holding the objects of managed kinds, ConfigMaps and Secrets of
// objects and the objects of others, with the reconcilers' indexes, and the objects of managed
// kinds of objects in the order given.
func planClient(kinds *Registry, objects, others []client.Object) (client.Client, []Object, error) {
	var planned []Object
	var kept []client.Object
	seen := map[string]bool{}
	now := metav1.NewTime(time.Now().Truncate(time.Second)) // the apiserver's resolution
	for _, o := range objects {
		kind := kindName(kinds, o)
		if kind == "" {
			continue
		}
		o = o.DeepCopyObject().(client.Object)
		id := fmt.Sprintf("%s %s/%s", kind, o.GetNamespace(), o.GetName())
		if seen[id] {
			return nil, nil, fmt.Errorf("%s is given twice", id)
		}
		seen[id] = true
		o.SetResourceVersion("") // the fake client versions objects itself
		if m, ok := o.(Object); ok {
			asApplied(m, now)
			planned = append(planned, m)
		}
		kept = append(kept, o)
	}
	for _, o := range others {
		kind := kindName(kinds, o)
		if kind == "" || seen[fmt.Sprintf("%s %s/%s", kind, o.GetNamespace(), o.GetName())] {
			continue
		}
		o = o.DeepCopyObject().(client.Object)
		o.SetResourceVersion("")
		kept = append(kept, o)
	}
	c, err := InMemoryClient(kinds, kept...)
	return c, planned, err
}

// kindName is the name of an object's kind: a managed kind's, "ConfigMap" or "Secret"; "" for
// any other.
func kindName(kinds *Registry, o client.Object) string {
	switch o.(type) {
	case *corev1.ConfigMap:
		return "ConfigMap"
	case *corev1.Secret:
		return "Secret"
	}
	if k, ok := kinds.KindOf(o); ok {
		return k.Name()
	}
	return ""
}

// InMemoryClient is a fake Kubernetes client holding objs (of managed kinds, ConfigMaps,
// Secrets), with every kind's field indexes and status subresource: a plan's cluster, and the
// unit tests'.
func InMemoryClient(kinds *Registry, objs ...client.Object) (client.Client, error) {
	s := runtime.NewScheme()
	if err := orqv1alpha1.AddToScheme(s); err != nil {
		return nil, err
	}
	if err := corev1.AddToScheme(s); err != nil {
		return nil, err
	}
	b := fake.NewClientBuilder().WithScheme(s).WithObjects(objs...)
	for _, k := range kinds.All() {
		b = b.WithStatusSubresource(k.New())
		for field, values := range Indexes(k) {
			b = b.WithIndex(k.New(), field, values)
		}
	}
	return b.Build(), nil
}

// asApplied gives an object new to the cluster what the apiserver would: a UID (the create marker
// and the key holder tell objects apart by it) and a creation time, after the objects already
// there.
func asApplied(o Object, now metav1.Time) {
	if o.GetUID() == "" {
		o.SetUID(types.UID("plan." + o.GetNamespace() + "." + o.GetName())) // no "/": the create marker separates its parts by it
	}
	if created := o.GetCreationTimestamp(); created.IsZero() {
		o.SetCreationTimestamp(now)
	}
}

// PlanOrder orders objects so that each comes after the objects it references (a Tool before the
// Agent naming it, an Agent before its schedules), keeping the given order otherwise. A cycle is
// cut where it closes: the plan reports it (ReferenceCycle). An object given twice leaves the
// order as it is, for Plan to refuse.
func PlanOrder(kinds *Registry, objects []client.Object) []client.Object {
	key := func(o client.Object) string {
		return Reference{Kind: kindName(kinds, o), Namespace: o.GetNamespace(), Name: o.GetName()}.Key()
	}
	byRef := map[string]client.Object{}
	for _, o := range objects {
		if byRef[key(o)] != nil {
			return objects
		}
		byRef[key(o)] = o
	}
	out := make([]client.Object, 0, len(objects))
	done := map[string]bool{}
	var visit func(key string)
	visit = func(k string) {
		o, ok := byRef[k]
		if !ok || done[k] {
			return
		}
		done[k] = true // before its references: a cycle back to it stops here
		if m, ok := o.(Object); ok {
			if kind, ok := kinds.Get(kindName(kinds, o)); ok {
				for _, ref := range kind.References(m) {
					visit(ref.Key())
				}
			}
		}
		out = append(out, o)
	}
	for _, o := range objects {
		visit(key(o))
	}
	return out
}
