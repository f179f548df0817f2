package managed

import (
	"context"
	"errors"
	"time"

	"k8s.io/client-go/tools/events"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	logf "sigs.k8s.io/controller-runtime/pkg/log"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
)

// Reconciler makes the remote objects of one kind match their objects' specs. Every kind runs the
// same Reconciler; only Kind differs.
type Reconciler struct {
	client.Client
	// Kind is the kind reconciled; Kinds every kind, to follow references.
	Kind  Kind
	Kinds *Registry
	// Workspaces gives the API client of an object's credentials; Values reads the Secrets and
	// ConfigMaps specs reference. Both are shared by every kind.
	Workspaces *Workspaces
	Values     *Values
	Recorder   events.EventRecorder
	// SyncPeriod is how often each workspace is swept for drift; DefaultSyncPeriod when zero.
	SyncPeriod time.Duration
	// DefaultDeletionPolicy applies to objects that do not set spec.deletionPolicy; Delete when
	// empty.
	DefaultDeletionPolicy orqv1alpha1.DeletionPolicy
	// MaxConcurrentReconciles bounds the workers; 1 when zero.
	MaxConcurrentReconciles int
	// Now returns the current time; time.Now when nil.
	Now func() time.Time
	// Trace, when set, wraps each reconcile (see tracing): it starts a span and returns the
	// context to use and a function that ends it with how the pass ended.
	Trace func(ctx context.Context, kind string, o Object) (context.Context, func(outcome string))

	sweep *sweeper
	// spent and unsent are the create markers this process knows prove nothing (see marker.go);
	// created are the ids of the remote objects this process created whose recording in status
	// it has not seen yet, by object UID (see claim).
	spent, unsent markerSet
	created       createdIDs
	lookups       keyLookups
}

// +kubebuilder:rbac:groups=orq.ai,resources=agents;tools;knowledgebases;memorystores;agentschedules,verbs=get;list;watch;update;patch
// +kubebuilder:rbac:groups=orq.ai,resources=agents/status;tools/status;knowledgebases/status;memorystores/status;agentschedules/status,verbs=get;update;patch
// +kubebuilder:rbac:groups=orq.ai,resources=agents/finalizers;tools/finalizers;knowledgebases/finalizers;memorystores/finalizers;agentschedules/finalizers,verbs=update
// +kubebuilder:rbac:groups=events.k8s.io,resources=events,verbs=create;patch
// Secrets and ConfigMaps (get, list, watch) are granted by roles of their own,
// config/rbac/secret_reader_role.yaml and configmap_reader_role.yaml, so that they can be bound
// in chosen namespaces only.

// Reconcile runs the steps of the object's path, then computes and writes its status once.
func (r *Reconciler) Reconcile(ctx context.Context, req ctrl.Request) (res ctrl.Result, err error) {
	woken := r.sweep != nil && r.sweep.takeWoken(req.NamespacedName) // a sweep saw its remote object change
	obj := r.Kind.New()
	if err := r.Get(ctx, req.NamespacedName, obj); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	ctx = logf.IntoContext(ctx, logf.FromContext(ctx).WithValues("kind", r.Kind.Name(), "key", obj.RemoteKey()))
	p := r.start(obj, woken)
	if r.Trace != nil {
		var end func(string)
		ctx, end = r.Trace(ctx, r.Kind.Name(), obj)
		defer func() { end(outcome(p)) }()
	}
	r.run(ctx, p, r.stepsFor(obj))
	return r.finish(ctx, p)
}

// start begins the pass of an object as read, its create marker evidence only if this process
// does not know it spent.
func (r *Reconciler) start(obj Object, woken bool) *pass {
	p := &pass{obj: obj, stored: obj.DeepCopyObject().(Object), woken: woken}
	p.pending = r.pending(obj, obj.ManagedStatus().ID)
	r.created.seen(obj)
	return p
}

// step is one named stage of a pass. It returns nil to go on, p.done(...) to end the pass with
// what it found, or an error (made where it is understood, see errors.go) to end it failed.
type step func(r *Reconciler, ctx context.Context, p *pass) error

// run runs the steps in order until one ends the pass.
func (r *Reconciler) run(ctx context.Context, p *pass, steps []step) {
	for _, s := range steps {
		if err := s(r, ctx, p); err != nil {
			if !errors.Is(err, errPassDone) {
				p.end, p.err = endFailed, err
			}
			return
		}
	}
}

func (r *Reconciler) now() time.Time {
	if r.Now != nil {
		return r.Now()
	}
	return time.Now()
}
