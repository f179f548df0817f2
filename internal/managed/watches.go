package managed

import (
	"context"
	"maps"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/util/workqueue"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
	"sigs.k8s.io/controller-runtime/pkg/source"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
)

// idIndex indexes the objects of a HeldByID kind by the id of the remote object they record.
const idIndex = ".managed.id"

// Indexes are the field indexes of a kind's objects that the steps and the watches list by; the
// plan's and the tests' in-memory clients register the same ones.
func Indexes(k Kind) map[string]client.IndexerFunc {
	idx := map[string]client.IndexerFunc{
		keyIndex: func(o client.Object) []string { return placesOf(k, o.(Object)) },
		refIndex: func(o client.Object) []string { return refKeys(k, o.(Object)) },
	}
	if _, ok := k.(HeldByID); ok {
		idx[idIndex] = func(o client.Object) []string { return nonEmpty(o.(Object).ManagedStatus().ID) }
	}
	if h, ok := k.(Holder); ok {
		idx[heldIndex] = func(o client.Object) []string { return heldKeys(h, o.(Object)) }
	}
	return idx
}

// refKeys is the refIndex value of an object: what its spec references, and the Secret of its
// API key.
func refKeys(k Kind, o Object) []string {
	var out []string
	for _, ref := range k.References(o) {
		if key := ref.Key(); !slices.Contains(out, key) {
			out = append(out, key)
		}
	}
	if ref := o.CredentialsRef(); ref != nil {
		if key := (Reference{Kind: "Secret", Namespace: o.GetNamespace(), Name: ref.Name}).Key(); !slices.Contains(out, key) {
			out = append(out, key)
		}
	}
	return out
}

func nonEmpty(s string) []string {
	if s == "" {
		return nil
	}
	return []string{s}
}

// SetupWithManager registers the reconciler, its kind's indexes, its drift sweep and its watches.
// An object reconciles on changes of its spec, labels, annotations and deletion, never on its
// own status writes; and when another object's change can unblock it: one that shares or shared
// its key, one it references (of any kind, a Secret, a ConfigMap), one that uses its remote
// object while it is deleted, or a drift sweep.
func (r *Reconciler) SetupWithManager(ctx context.Context, mgr ctrl.Manager) error {
	for field, values := range Indexes(r.Kind) {
		if err := mgr.GetFieldIndexer().IndexField(ctx, r.Kind.New(), field, values); err != nil {
			return err
		}
	}
	r.sweep = newSweeper(r)
	if err := mgr.Add(r.sweep); err != nil {
		return err
	}
	b := ctrl.NewControllerManagedBy(mgr).
		For(r.Kind.New(), builder.WithPredicates(predicate.Or(
			predicate.GenerationChangedPredicate{},
			userAnnotationChanged{},
			predicate.LabelChangedPredicate{},
			deletionStarted{},
		))).
		Watches(r.Kind.New(), keySharers{r}).
		WatchesRawSource(source.Channel(r.sweep.events, &handler.EnqueueRequestForObject{}))
	for _, other := range r.Kinds.All() {
		b = b.Watches(other.New(), handler.EnqueueRequestsFromMapFunc(r.referrersOf(other)), builder.WithPredicates(targetChanged{}))
		b = b.Watches(other.New(), handler.EnqueueRequestsFromMapFunc(r.leavingTargetsOf(other)), builder.WithPredicates(referrerChanged{other}))
	}
	for _, kind := range []string{"Secret", "ConfigMap"} {
		obj := &metav1.PartialObjectMetadata{}
		obj.SetGroupVersionKind(corev1.SchemeGroupVersion.WithKind(kind))
		b = b.WatchesMetadata(obj, handler.EnqueueRequestsFromMapFunc(r.referrersOfKind(kind)),
			builder.WithPredicates(predicate.ResourceVersionChangedPredicate{}))
	}
	return b.WithOptions(controller.Options{
		MaxConcurrentReconciles: max(r.MaxConcurrentReconciles, 1),
		RateLimiter:             workqueue.NewTypedItemExponentialFailureRateLimiter[reconcile.Request](backoffBase, backoffMax),
	}).Named(strings.ToLower(r.Kind.Name())).Complete(r)
}

// referrersOf maps an object of kind to the objects of this kind whose spec references it.
func (r *Reconciler) referrersOf(kind Kind) handler.MapFunc {
	return func(ctx context.Context, o client.Object) []reconcile.Request {
		key := Reference{Kind: kind.Name(), Namespace: o.GetNamespace(), Name: o.GetName()}.Key()
		return r.requestsByIndex(ctx, r.Kind, refIndex, key, o.GetUID())
	}
}

// referrersOfKind maps a Secret or ConfigMap to the objects of this kind that reference it.
func (r *Reconciler) referrersOfKind(kind string) handler.MapFunc {
	return func(ctx context.Context, o client.Object) []reconcile.Request {
		key := Reference{Kind: kind, Namespace: o.GetNamespace(), Name: o.GetName()}.Key()
		return r.requestsByIndex(ctx, r.Kind, refIndex, key, o.GetUID())
	}
}

// leavingTargetsOf maps an object of kind (a referrer) to the objects of this kind it references
// or holds that are being deleted: they may wait for it to let them go.
func (r *Reconciler) leavingTargetsOf(kind Kind) handler.MapFunc {
	return func(ctx context.Context, o client.Object) []reconcile.Request {
		obj, ok := o.(Object)
		if !ok {
			return nil
		}
		seen := map[types.NamespacedName]bool{}
		for _, ref := range kind.References(obj) {
			if ref.Kind == r.Kind.Name() {
				seen[types.NamespacedName{Namespace: ref.Namespace, Name: ref.Name}] = true
			}
		}
		if h, ok := kind.(Holder); ok {
			for _, held := range h.Holds(obj) {
				if held.Kind != r.Kind.Name() {
					continue
				}
				for field, value := range map[string]string{keyIndex: held.Key, idIndex: held.ID} {
					if value == "" {
						continue
					}
					targets, err := r.listBy(ctx, r.Kind, field, value)
					if err != nil { // a kind held by id that is no HeldByID has no idIndex
						r.log(ctx).Error(err, "listing held objects", "index", field)
					}
					for _, t := range targets {
						seen[client.ObjectKeyFromObject(t)] = true
					}
				}
			}
		}
		var out []reconcile.Request
		for _, name := range slices.SortedFunc(maps.Keys(seen), func(a, b types.NamespacedName) int {
			return strings.Compare(a.String(), b.String())
		}) {
			target := r.Kind.New()
			if err := r.Get(ctx, name, target); err == nil && !target.GetDeletionTimestamp().IsZero() {
				out = append(out, reconcile.Request{NamespacedName: name})
			}
		}
		return out
	}
}

// requestsByIndex maps an object to the objects of kind whose field index holds value, other
// than the object itself: the map function of the watches that wake related objects.
func (r *Reconciler) requestsByIndex(ctx context.Context, kind Kind, field, value string, self types.UID) []reconcile.Request {
	objs, err := r.listBy(ctx, kind, field, value)
	if err != nil {
		r.log(ctx).Error(err, "listing related objects", "index", field)
		return nil
	}
	var out []reconcile.Request
	for _, o := range objs {
		if o.GetUID() != self {
			out = append(out, reconcile.Request{NamespacedName: client.ObjectKeyFromObject(o)})
		}
	}
	return out
}

// userAnnotationChanged passes annotation changes, except those of the operator's own create
// marker.
type userAnnotationChanged struct{ predicate.Funcs }

func (userAnnotationChanged) Update(e event.UpdateEvent) bool {
	if e.ObjectOld == nil || e.ObjectNew == nil {
		return false
	}
	strip := func(m map[string]string) map[string]string {
		m = maps.Clone(m)
		delete(m, orqv1alpha1.AnnotationCreateAttempt)
		delete(m, orqv1alpha1.AnnotationLegacyCreateAttemptedAt)
		return m
	}
	return !maps.Equal(strip(e.ObjectOld.GetAnnotations()), strip(e.ObjectNew.GetAnnotations()))
}

// deletionStarted passes the update that sets an object's deletion timestamp.
type deletionStarted struct{ predicate.Funcs }

func (deletionStarted) Update(e event.UpdateEvent) bool {
	return e.ObjectOld != nil && e.ObjectNew != nil &&
		e.ObjectOld.GetDeletionTimestamp().IsZero() && !e.ObjectNew.GetDeletionTimestamp().IsZero()
}

// targetChanged passes the events of a referenced object that can change how its referrers
// resolve: its creation and deletion, the start of its deletion, its remote object coming to
// exist, going or changing (an agent publishing the version a schedule pins), and a change of its
// consent or of its workspace.
type targetChanged struct{}

func (targetChanged) Create(event.CreateEvent) bool   { return true }
func (targetChanged) Delete(event.DeleteEvent) bool   { return true }
func (targetChanged) Generic(event.GenericEvent) bool { return false }
func (targetChanged) Update(e event.UpdateEvent) bool {
	o, ok1 := e.ObjectOld.(Object)
	n, ok2 := e.ObjectNew.(Object)
	return ok1 && ok2 && (resolvable(o) != resolvable(n) || o.ManagedStatus().ID != n.ManagedStatus().ID ||
		o.ManagedStatus().RemoteUpdated != n.ManagedStatus().RemoteUpdated ||
		o.ManagedStatus().APIKeyHash != n.ManagedStatus().APIKeyHash || o.RemoteKey() != n.RemoteKey() ||
		o.GetDeletionTimestamp().IsZero() != n.GetDeletionTimestamp().IsZero() ||
		!slices.Equal(o.ReferenceConsent(), n.ReferenceConsent()))
}

// referrerChanged passes the events of a referrer after which a target it used may be free to go:
// its deletion, and a change of its references or of what its remote object holds.
type referrerChanged struct{ kind Kind }

func (referrerChanged) Create(event.CreateEvent) bool   { return false }
func (referrerChanged) Delete(event.DeleteEvent) bool   { return true }
func (referrerChanged) Generic(event.GenericEvent) bool { return false }
func (c referrerChanged) Update(e event.UpdateEvent) bool {
	o, ok1 := e.ObjectOld.(Object)
	n, ok2 := e.ObjectNew.(Object)
	if !ok1 || !ok2 {
		return false
	}
	if !slices.Equal(refKeys(c.kind, o), refKeys(c.kind, n)) {
		return true
	}
	h, ok := c.kind.(Holder)
	return ok && !slices.Equal(heldKeys(h, o), heldKeys(h, n))
}
