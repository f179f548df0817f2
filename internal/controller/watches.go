package controller

import (
	"context"
	"maps"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/util/workqueue"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	logf "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
	"sigs.k8s.io/controller-runtime/pkg/source"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
)

// SetupWithManager registers the reconciler, its indexes, the drift sweep and the watches. An
// Agent reconciles on changes of its spec, labels, annotations and deletion, never on its own
// status writes; and when another Agent's change can unblock it: one that shares or shared its
// key, one its team references, one whose team it is in, its API key Secret, the ConfigMaps of its
// prompts, or a drift sweep.
func (r *AgentReconciler) SetupWithManager(ctx context.Context, mgr ctrl.Manager) error {
	indexer := mgr.GetFieldIndexer()
	for field, values := range agentIndexes {
		if err := indexer.IndexField(ctx, &orqv1alpha1.Agent{}, field, values); err != nil {
			return err
		}
	}
	r.sweep = newSweeper(r)
	if err := mgr.Add(r.sweep); err != nil {
		return err
	}
	return ctrl.NewControllerManagedBy(mgr).
		For(&orqv1alpha1.Agent{}, builder.WithPredicates(predicate.Or(
			predicate.GenerationChangedPredicate{},
			userAnnotationChanged{},
			predicate.LabelChangedPredicate{},
			deletionStarted{},
		))).
		Watches(&orqv1alpha1.Agent{}, keySharers{r}).
		Watches(&orqv1alpha1.Agent{}, handler.EnqueueRequestsFromMapFunc(r.referrers), builder.WithPredicates(referencesChanged{})).
		Watches(&orqv1alpha1.Agent{}, handler.EnqueueRequestsFromMapFunc(r.leavingMembers), builder.WithPredicates(teamChanged{})).
		WatchesRawSource(source.Channel(r.sweep.events, &handler.EnqueueRequestForObject{})).
		WatchesMetadata(&corev1.Secret{}, handler.EnqueueRequestsFromMapFunc(r.agentsUsingSecret),
			builder.WithPredicates(predicate.ResourceVersionChangedPredicate{})).
		WatchesMetadata(&corev1.ConfigMap{}, handler.EnqueueRequestsFromMapFunc(r.agentsUsingConfigMap),
			builder.WithPredicates(predicate.ResourceVersionChangedPredicate{})).
		WithOptions(controller.Options{
			MaxConcurrentReconciles: max(r.MaxConcurrentReconciles, 1),
			RateLimiter:             workqueue.NewTypedItemExponentialFailureRateLimiter[reconcile.Request](backoffBase, backoffMax),
		}).
		Named("agent").
		Complete(r)
}

// agentIndexes are the field indexes of Agents the steps and the watches list by; the plan's and
// the tests' fake clients register the same ones.
var agentIndexes = map[string]client.IndexerFunc{
	keyIndex:       func(o client.Object) []string { return []string{o.(*orqv1alpha1.Agent).RemoteKey()} },
	refIndex:       refsOf,
	secretIndex:    secretOf,
	configMapIndex: configMapsOf,
}

// requestsByIndex maps an object to the Agents whose field index holds value, other than the
// object itself: the map function of the watches that wake related Agents.
func (r *AgentReconciler) requestsByIndex(ctx context.Context, field, value string, self types.UID) []reconcile.Request {
	var list orqv1alpha1.AgentList
	if err := r.List(ctx, &list, client.MatchingFields{field: value}); err != nil {
		logf.FromContext(ctx).Error(err, "listing related Agents", "index", field)
		return nil
	}
	var out []reconcile.Request
	for i := range list.Items {
		if list.Items[i].UID != self {
			out = append(out, reconcile.Request{NamespacedName: client.ObjectKeyFromObject(&list.Items[i])})
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
