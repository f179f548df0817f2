// Package controller holds the reconciler that makes orq.ai agents match Agent objects.
package controller

import (
	"context"
	"fmt"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	kerrors "k8s.io/apimachinery/pkg/util/errors"
	"k8s.io/apimachinery/pkg/util/wait"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"
	"sigs.k8s.io/controller-runtime/pkg/event"
	logf "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
	"sigs.k8s.io/controller-runtime/pkg/recorder"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
	"github.com/orq-ai/orq-operator/internal/agentdiff"
	"github.com/orq-ai/orq-operator/internal/orqclient"
)

// AgentAPI is what the reconciler needs of the orq API.
type AgentAPI interface {
	CreateAgent(ctx context.Context, body orqclient.Body) (*orqclient.Agent, error)
	GetAgent(ctx context.Context, key string) (*orqclient.Agent, error)
	UpdateAgent(ctx context.Context, key string, body orqclient.Body) (*orqclient.Agent, error)
	DeleteAgent(ctx context.Context, key string) error
}

var _ AgentAPI = (*orqclient.Client)(nil)

// DefaultSyncPeriod is how often each agent is re-read to catch drift.
const DefaultSyncPeriod = 10 * time.Minute

// syncJitter spreads the periodic re-reads of many agents over time.
const syncJitter = 0.1

// AgentReconciler makes the orq.ai agent of each Agent match its spec.
type AgentReconciler struct {
	client.Client
	API      AgentAPI
	Recorder recorder.EventRecorder
	// SyncPeriod is how often an agent is re-read to catch drift; DefaultSyncPeriod when zero.
	SyncPeriod time.Duration
	// MaxConcurrentReconciles bounds the workers; 1 when zero.
	MaxConcurrentReconciles int
	// Now returns the current time; time.Now when nil.
	Now func() time.Time
}

// +kubebuilder:rbac:groups=orq.ai,resources=agents,verbs=get;list;watch;update;patch
// +kubebuilder:rbac:groups=orq.ai,resources=agents/status,verbs=get;update;patch
// +kubebuilder:rbac:groups=orq.ai,resources=agents/finalizers,verbs=update
// +kubebuilder:rbac:groups=events.k8s.io,resources=events,verbs=create;patch

// Reconcile runs the steps for one Agent and writes its status once, at the end, if it changed.
func (r *AgentReconciler) Reconcile(ctx context.Context, req ctrl.Request) (result ctrl.Result, retErr error) {
	agent := &orqv1alpha1.Agent{}
	if err := r.Get(ctx, req.NamespacedName, agent); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	ctx = logf.IntoContext(ctx, logf.FromContext(ctx).WithValues("key", agent.RemoteKey()))
	original := agent.DeepCopy()
	defer func() {
		if err := r.patchStatus(ctx, original, agent); err != nil {
			retErr = kerrors.NewAggregate([]error{retErr, err})
		}
	}()

	if !agent.DeletionTimestamp.IsZero() {
		return r.reconcileDelete(ctx, agent)
	}
	if err := r.ensureFinalizer(ctx, agent); err != nil {
		return ctrl.Result{}, err
	}
	return r.reconcileNormal(ctx, agent)
}

// reconcileNormal observes the remote agent, creates or updates it, and reports.
func (r *AgentReconciler) reconcileNormal(ctx context.Context, agent *orqv1alpha1.Agent) (ctrl.Result, error) {
	key := agent.RemoteKey()
	agent.Status.Key = key

	desired, err := agentdiff.Desired(agent)
	if err != nil {
		return r.fail(ctx, agent, fmt.Errorf("%w: %v", errInvalidSpec, err))
	}

	remote, wrote, err := r.ensureRemote(ctx, agent, desired)
	if err != nil {
		return r.fail(ctx, agent, err)
	}
	remote, patched, err := r.updateRemote(ctx, agent, desired, remote)
	if err != nil {
		return r.fail(ctx, agent, err)
	}
	r.markSynced(agent, remote, wrote || patched)

	if pending := agentdiff.Diff(desired, agentdiff.Observed(remote.Raw)); len(pending) > 0 {
		// The API accepted the PATCH but answered with an agent that still differs: report it
		// instead of patching again on every pass.
		meta.SetStatusCondition(&agent.Status.Conditions, metav1.Condition{
			Type: ConditionReady, Status: metav1.ConditionFalse, Reason: ReasonNotConverging,
			ObservedGeneration: agent.Generation,
			Message:            "orq.ai keeps these fields different from the spec after an update: " + strings.Join(pending, ", "),
		})
	}
	return ctrl.Result{RequeueAfter: r.nextSync()}, nil
}

// ensureRemote returns the remote agent, creating it if it does not exist. An agent that was
// never created is POSTed at once (the key is the client's, so no read is needed first); a 409
// means it exists already, and it is read and adopted.
func (r *AgentReconciler) ensureRemote(ctx context.Context, agent *orqv1alpha1.Agent, desired orqclient.Body) (*orqclient.Agent, bool, error) {
	key := agent.RemoteKey()
	if agent.Status.ID != "" {
		remote, err := r.API.GetAgent(ctx, key)
		if err == nil {
			return remote, false, nil
		}
		if !orqclient.IsNotFound(err) {
			return nil, false, err
		}
		// Deleted outside Kubernetes: create it again below.
		logf.FromContext(ctx).Info("remote agent is gone; creating it again")
	}

	created, err := r.API.CreateAgent(ctx, desired)
	switch {
	case err == nil:
		reason, verb := ReasonCreated, "Created"
		if agent.Status.ID != "" {
			reason, verb = ReasonRecreated, "Re-created deleted"
		}
		r.event(agent, corev1.EventTypeNormal, reason, actionCreate, "%s orq agent %q", verb, key)
		return created, true, nil
	case orqclient.IsConflict(err):
		remote, getErr := r.API.GetAgent(ctx, key)
		if getErr != nil {
			return nil, false, getErr
		}
		if agent.Status.ID == "" {
			r.event(agent, corev1.EventTypeNormal, ReasonAdopted, actionAdopt, "Adopted existing orq agent %q", key)
		}
		return remote, false, nil
	default:
		return nil, false, err
	}
}

// updateRemote PATCHes the top-level fields that differ, and only those.
func (r *AgentReconciler) updateRemote(ctx context.Context, agent *orqv1alpha1.Agent, desired orqclient.Body, remote *orqclient.Agent) (*orqclient.Agent, bool, error) {
	changed := agentdiff.Diff(desired, agentdiff.Observed(remote.Raw))
	if len(changed) == 0 {
		return remote, false, nil
	}
	updated, err := r.API.UpdateAgent(ctx, agent.RemoteKey(), agentdiff.Patch(desired, changed))
	if err != nil {
		return nil, false, err
	}
	logf.FromContext(ctx).Info("updated remote agent", "fields", changed)
	r.event(agent, corev1.EventTypeNormal, ReasonUpdated, actionUpdate, "Updated orq agent %q: %s", agent.RemoteKey(), strings.Join(changed, ", "))
	return updated, true, nil
}

// markSynced records the remote agent in status and marks the Agent Ready.
func (r *AgentReconciler) markSynced(agent *orqv1alpha1.Agent, remote *orqclient.Agent, wrote bool) {
	st := &agent.Status
	st.ID, st.ProjectID, st.Version, st.RemoteStatus = remote.ID, remote.ProjectID, remote.Version, remote.Status
	if wrote || st.LastSyncTime == nil || st.ObservedGeneration != agent.Generation {
		now := metav1.NewTime(r.now().Truncate(time.Second))
		st.LastSyncTime = &now
	}
	st.ObservedGeneration = agent.Generation
	meta.SetStatusCondition(&st.Conditions, metav1.Condition{
		Type: ConditionReady, Status: metav1.ConditionTrue, Reason: ReasonSynced,
		ObservedGeneration: agent.Generation, Message: "The orq agent matches the spec",
	})
	meta.RemoveStatusCondition(&st.Conditions, ConditionReconciling)
	meta.RemoveStatusCondition(&st.Conditions, ConditionStalled)
}

// reconcileDelete deletes the remote agent, then releases the Agent.
func (r *AgentReconciler) reconcileDelete(ctx context.Context, agent *orqv1alpha1.Agent) (ctrl.Result, error) {
	if !controllerutil.ContainsFinalizer(agent, FinalizerName) {
		return ctrl.Result{}, nil
	}
	key := agent.RemoteKey()
	err := r.API.DeleteAgent(ctx, key)
	switch {
	case err == nil:
		r.event(agent, corev1.EventTypeNormal, ReasonDeleted, actionDelete, "Deleted orq agent %q", key)
	case orqclient.IsNotFound(err):
		// Already gone.
	default:
		return r.fail(ctx, agent, err)
	}
	patch := client.MergeFrom(agent.DeepCopy())
	controllerutil.RemoveFinalizer(agent, FinalizerName)
	if err := r.Patch(ctx, agent, patch); err != nil && !apierrors.IsNotFound(err) {
		return ctrl.Result{}, err
	}
	return ctrl.Result{}, nil
}

// ensureFinalizer adds the finalizer before anything is created remotely.
func (r *AgentReconciler) ensureFinalizer(ctx context.Context, agent *orqv1alpha1.Agent) error {
	if controllerutil.ContainsFinalizer(agent, FinalizerName) {
		return nil
	}
	status := agent.Status.DeepCopy()
	patch := client.MergeFrom(agent.DeepCopy())
	controllerutil.AddFinalizer(agent, FinalizerName)
	if err := r.Patch(ctx, agent, patch); err != nil {
		return err
	}
	agent.Status = *status // the patch answer carries the stored status; keep this pass's
	return nil
}

// fail reports an error in status and returns the result its class calls for.
func (r *AgentReconciler) fail(ctx context.Context, agent *orqv1alpha1.Agent, err error) (ctrl.Result, error) {
	c := classify(err)
	msg := err.Error()
	ready := metav1.Condition{Type: ConditionReady, Status: metav1.ConditionFalse, Reason: c.reason, Message: msg, ObservedGeneration: agent.Generation}
	meta.SetStatusCondition(&agent.Status.Conditions, ready)

	switch c.outcome {
	case terminal, stalledSlow:
		meta.SetStatusCondition(&agent.Status.Conditions, metav1.Condition{
			Type: ConditionStalled, Status: metav1.ConditionTrue, Reason: c.reason, Message: msg, ObservedGeneration: agent.Generation,
		})
		meta.RemoveStatusCondition(&agent.Status.Conditions, ConditionReconciling)
		// The operator has done all it can with this generation: kstatus reads it as Failed.
		agent.Status.ObservedGeneration = agent.Generation
		r.event(agent, corev1.EventTypeWarning, c.reason, actionRefused, "%s", msg)
		if c.outcome == terminal {
			return ctrl.Result{}, reconcile.TerminalError(err)
		}
		logf.FromContext(ctx).Error(err, "orq API refused the API key; retrying slowly", "after", c.after)
		return ctrl.Result{RequeueAfter: c.after}, nil
	default:
		meta.SetStatusCondition(&agent.Status.Conditions, metav1.Condition{
			Type: ConditionReconciling, Status: metav1.ConditionTrue, Reason: c.reason, Message: msg, ObservedGeneration: agent.Generation,
		})
		meta.RemoveStatusCondition(&agent.Status.Conditions, ConditionStalled)
		if c.outcome == waiting {
			logf.FromContext(ctx).Info("orq API rate limit; waiting", "after", c.after)
			return ctrl.Result{RequeueAfter: c.after}, nil
		}
		return ctrl.Result{}, err
	}
}

// patchStatus writes the status if, and only if, this pass changed it.
func (r *AgentReconciler) patchStatus(ctx context.Context, original, agent *orqv1alpha1.Agent) error {
	if equality.Semantic.DeepEqual(original.Status, agent.Status) {
		return nil
	}
	err := r.Status().Patch(ctx, agent, client.MergeFrom(original))
	if apierrors.IsNotFound(err) {
		return nil
	}
	return err
}

func (r *AgentReconciler) event(agent *orqv1alpha1.Agent, eventType, reason, action, note string, args ...any) {
	if r.Recorder != nil {
		r.Recorder.Eventf(agent, nil, eventType, reason, action, note, args...)
	}
}

func (r *AgentReconciler) now() time.Time {
	if r.Now != nil {
		return r.Now()
	}
	return time.Now()
}

func (r *AgentReconciler) nextSync() time.Duration {
	period := r.SyncPeriod
	if period <= 0 {
		period = DefaultSyncPeriod
	}
	return wait.Jitter(period, syncJitter)
}

// SetupWithManager registers the reconciler. It reacts to changes of the spec, labels,
// annotations and deletion, never to its own status writes.
func (r *AgentReconciler) SetupWithManager(mgr ctrl.Manager) error {
	workers := r.MaxConcurrentReconciles
	if workers <= 0 {
		workers = 1
	}
	return ctrl.NewControllerManagedBy(mgr).
		For(&orqv1alpha1.Agent{}, builder.WithPredicates(predicate.Or(
			predicate.GenerationChangedPredicate{},
			predicate.AnnotationChangedPredicate{},
			predicate.LabelChangedPredicate{},
			deletionStarted{},
		))).
		WithOptions(controller.Options{MaxConcurrentReconciles: workers}).
		Named("agent").
		Complete(r)
}

// deletionStarted passes the update that sets an object's deletion timestamp.
type deletionStarted struct{ predicate.Funcs }

func (deletionStarted) Update(e event.UpdateEvent) bool {
	return e.ObjectOld != nil && e.ObjectNew != nil &&
		e.ObjectOld.GetDeletionTimestamp().IsZero() && !e.ObjectNew.GetDeletionTimestamp().IsZero()
}
