// Package controller holds the reconciler that makes orq.ai agents match Agent objects.
package controller

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	kerrors "k8s.io/apimachinery/pkg/util/errors"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/tools/events"
	"k8s.io/client-go/util/workqueue"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	logf "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
	"sigs.k8s.io/controller-runtime/pkg/source"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
	"github.com/orq-ai/orq-operator/internal/agentdiff"
	"github.com/orq-ai/orq-operator/internal/metrics"
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

const (
	// DefaultSyncPeriod is how often each agent is re-read to catch drift.
	DefaultSyncPeriod = 10 * time.Minute
	// MinSyncInterval bounds the per-object orq.ai/sync-interval annotation.
	MinSyncInterval = 10 * time.Second
	// DefaultCreateClockSkew is how much earlier than a recorded create attempt a remote agent
	// may seem to have been created and still be recognised as that attempt's (the operator's
	// clock and orq's differ).
	DefaultCreateClockSkew = 10 * time.Second

	// backoffBase and backoffMax bound the exponential backoff of retryable failures.
	backoffBase = time.Second
	backoffMax  = 5 * time.Minute

	// syncJitter spreads the periodic re-reads of many agents over time.
	syncJitter = 0.1
	// keyIndex indexes Agents by the remote key they manage.
	keyIndex = ".status.remoteKey"
)

// AgentReconciler makes the orq.ai agent of each Agent match its spec.
type AgentReconciler struct {
	client.Client
	API      AgentAPI
	Recorder events.EventRecorder
	// SyncPeriod is how often an agent is re-read to catch drift; DefaultSyncPeriod when zero.
	SyncPeriod time.Duration
	// DefaultDeletionPolicy applies to Agents that do not set spec.deletionPolicy; Delete when empty.
	DefaultDeletionPolicy orqv1alpha1.DeletionPolicy
	// CreateClockSkew: see DefaultCreateClockSkew; DefaultCreateClockSkew when zero.
	CreateClockSkew time.Duration
	// MaxConcurrentReconciles bounds the workers; 1 when zero.
	MaxConcurrentReconciles int
	// Now returns the current time; time.Now when nil.
	Now func() time.Time

	// DefaultAPIKeyHash is orqclient.KeyHash of API's key, recorded in the status of the Agents
	// that use it.
	DefaultAPIKeyHash string
	// APIFor returns the client of an Agent's own API key (spec.apiKeySecretRef); source names
	// the Secret key it comes from (see credentialSource). nil: apiKeySecretRef is refused.
	APIFor func(source, apiKey string) (AgentAPI, error)
	// SecretReader reads the Secrets of spec.apiKeySecretRef, uncached (the cache holds their
	// metadata only); Client when nil.
	SecretReader client.Reader

	secrets secretValues
	sweep   *sweeper
}

// +kubebuilder:rbac:groups=orq.ai,resources=agents,verbs=get;list;watch;update;patch
// +kubebuilder:rbac:groups=orq.ai,resources=agents/status,verbs=get;update;patch
// +kubebuilder:rbac:groups=orq.ai,resources=agents/finalizers,verbs=update
// +kubebuilder:rbac:groups=events.k8s.io,resources=events,verbs=create;patch
// Secrets (get, list, watch) are granted by a role of their own, config/rbac/secret_reader_role.yaml,
// so that they can be bound in chosen namespaces only.

// Reconcile runs the steps for one Agent and writes its status once, at the end, if it changed.
func (r *AgentReconciler) Reconcile(ctx context.Context, req ctrl.Request) (result ctrl.Result, retErr error) {
	woken := r.sweep != nil && r.sweep.takeWoken(req.NamespacedName) // a sweep saw its remote agent change
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

	owner, err := r.keyOwner(ctx, agent)
	if err != nil {
		return ctrl.Result{}, err
	}
	if !agent.DeletionTimestamp.IsZero() {
		return r.reconcileDelete(ctx, agent, owner)
	}
	agent.Status.Key = agent.RemoteKey()
	if owner != nil {
		return r.markKeyConflict(agent, owner), nil
	}
	if agent.Spec.Suspend {
		return r.markSuspended(agent), nil
	}
	meta.RemoveStatusCondition(&agent.Status.Conditions, ConditionSuspended)

	previousKey := agent.Status.APIKeyHash
	api, err := r.credentials(ctx, agent)
	if err != nil {
		return r.fail(ctx, agent, err)
	}
	resolved, err := r.resolveTeam(ctx, api, agent)
	if err != nil {
		return r.fail(ctx, agent, err)
	}
	desired, err := agentdiff.Desired(resolved)
	if err != nil {
		return r.fail(ctx, agent, fmt.Errorf("%w: %v", errInvalidSpec, err))
	}
	if agent.Spec.ManagementPolicy == orqv1alpha1.ManagementPolicyObserve {
		return r.reconcileObserve(ctx, api, agent, desired)
	}
	if err := r.ensureFinalizer(ctx, agent); err != nil {
		return ctrl.Result{}, err
	}
	if !woken && r.inSync(agent, api, desired, previousKey) {
		return ctrl.Result{}, nil // no timer: the drift sweep watches it (inSync checked that)
	}
	return r.reconcileManage(ctx, api, agent, original, desired)
}

// inSync tells whether the Agent's status shows its remote agent as applied from this very spec
// (same request, same key, same forced-sync annotation), so that nothing needs to be read: the
// drift sweep watches the remote agent and wakes the Agent when it changes. This is what keeps a
// restart, or any event that does not change the spec, from reading every agent.
func (r *AgentReconciler) inSync(agent *orqv1alpha1.Agent, api AgentAPI, desired orqclient.Body, previousKey string) bool {
	st := agent.Status
	return r.sweepWatches(agent, api) && st.ID != "" && st.AppliedHash == agentdiff.Hash(desired) &&
		st.APIKeyHash == previousKey && st.CreateAttemptedAt == nil &&
		st.LastHandledReconcileAt == agent.Annotations[orqv1alpha1.AnnotationReconcileRequestedAt] &&
		meta.IsStatusConditionTrue(st.Conditions, ConditionSynced)
}

// resync is when an Agent in sync is looked at again: never on a timer when the drift sweep
// watches it; else after its sync interval.
func (r *AgentReconciler) resync(ctx context.Context, agent *orqv1alpha1.Agent, api AgentAPI) ctrl.Result {
	if r.sweepWatches(agent, api) {
		return ctrl.Result{}
	}
	return ctrl.Result{RequeueAfter: r.nextSync(ctx, agent)}
}

// sweepWatches tells whether the drift sweep watches this Agent's remote agent: the sweep runs,
// the Agent's client can list, and the Agent is in sync (see swept).
func (r *AgentReconciler) sweepWatches(agent *orqv1alpha1.Agent, api AgentAPI) bool {
	_, lists := api.(AgentLister)
	return r.sweep != nil && lists && swept(agent)
}

// reconcileManage creates or updates the remote agent, and reports.
func (r *AgentReconciler) reconcileManage(ctx context.Context, api AgentAPI, agent, original *orqv1alpha1.Agent, desired orqclient.Body) (ctrl.Result, error) {
	remote, wrote, err := r.ensureRemote(ctx, api, agent, original, desired)
	if err != nil {
		return r.fail(ctx, agent, err)
	}
	hash := agentdiff.Hash(desired)
	changed := agentdiff.Diff(desired, agentdiff.Observed(remote.Raw))
	patched := false
	if len(changed) > 0 && !(agent.Status.AppliedHash == hash && agent.Status.RemoteUpdated == remoteUpdated(remote)) {
		if remote, err = r.updateRemote(ctx, api, agent, desired, changed); err != nil {
			return r.fail(ctx, agent, err)
		}
		patched = true
		changed = agentdiff.Diff(desired, agentdiff.Observed(remote.Raw))
	}
	r.markSynced(agent, remote, wrote || patched, changed, ReasonNotConverging,
		"orq.ai keeps these fields different from the spec after an update: ")
	agent.Status.AppliedHash, agent.Status.RemoteUpdated = hash, remoteUpdated(remote)
	if len(changed) > 0 {
		// The API answered the PATCH with an agent that still differs. Patching again would not
		// help: wait for the spec or the remote agent to change.
		c := meta.FindStatusCondition(agent.Status.Conditions, ConditionSynced)
		r.setCondition(agent, ConditionStalled, metav1.ConditionTrue, ReasonNotConverging, c.Message)
	}
	return r.resync(ctx, agent, api), nil
}

// remoteUpdated is the remote agent's last update time, as the API reports it.
func remoteUpdated(remote *orqclient.Agent) string {
	s, _ := remote.Raw["updated"].(string)
	return s
}

// reconcileObserve reads the remote agent and reports how it differs from the spec, without
// writing anything to orq.
func (r *AgentReconciler) reconcileObserve(ctx context.Context, api AgentAPI, agent *orqv1alpha1.Agent, desired orqclient.Body) (ctrl.Result, error) {
	remote, err := api.GetAgent(ctx, agent.RemoteKey())
	if orqclient.IsNotFound(err) {
		msg := fmt.Sprintf("orq agent %q does not exist; managementPolicy Observe does not create it", agent.RemoteKey())
		// It cannot appear by the operator's doing: Stalled, and re-checked every sync period.
		r.setCondition(agent, ConditionReady, metav1.ConditionFalse, ReasonRemoteNotFound, msg)
		r.setCondition(agent, ConditionSynced, metav1.ConditionFalse, ReasonRemoteNotFound, msg)
		r.setCondition(agent, ConditionStalled, metav1.ConditionTrue, ReasonRemoteNotFound, msg)
		meta.RemoveStatusCondition(&agent.Status.Conditions, ConditionReconciling)
		agent.Status.PendingChanges = nil
		agent.Status.ObservedGeneration = agent.Generation
		return ctrl.Result{RequeueAfter: r.nextSync(ctx, agent)}, nil
	}
	if err != nil {
		return r.fail(ctx, agent, err)
	}
	pending := agentdiff.Diff(desired, agentdiff.Observed(remote.Raw))
	if len(pending) > 0 && !slices.Equal(pending, agent.Status.PendingChanges) {
		r.event(agent, corev1.EventTypeNormal, ReasonDriftDetected, actionObserve,
			"orq agent %q differs from the spec in: %s (managementPolicy Observe: not corrected)", agent.RemoteKey(), strings.Join(pending, ", "))
	}
	// status.id names the agent this Agent created or adopted: observing one is neither, so that
	// switching to Manage later still goes through adoptionPolicy.
	id := agent.Status.ID
	r.markSynced(agent, remote, false, pending, ReasonDrifted, "managementPolicy Observe: the orq agent differs from the spec in: ")
	agent.Status.ID = id
	agent.Status.RemoteUpdated = remoteUpdated(remote)
	return r.resync(ctx, agent, api), nil
}

// ensureRemote returns the remote agent, creating it if it does not exist. An agent that was
// never created is POSTed at once (the key is the client's, so no read is needed first); a 409
// means the key exists, and the agent is taken only if this Agent created it or may adopt it.
func (r *AgentReconciler) ensureRemote(ctx context.Context, api AgentAPI, agent, original *orqv1alpha1.Agent, desired orqclient.Body) (*orqclient.Agent, bool, error) {
	key := agent.RemoteKey()
	adopt := agent.Spec.AdoptionPolicy == orqv1alpha1.AdoptionPolicyAdopt
	if agent.Status.ID != "" || adopt {
		remote, err := api.GetAgent(ctx, key)
		switch {
		case err == nil:
			return r.claim(ctx, agent, desired, remote)
		case !orqclient.IsNotFound(err):
			return nil, false, err
		case agent.Status.ID != "":
			logf.FromContext(ctx).Info("remote agent is gone; creating it again")
		}
	}

	if err := r.recordCreateAttempt(ctx, agent, original); err != nil {
		return nil, false, err
	}
	created, err := api.CreateAgent(ctx, desired)
	switch {
	case err == nil:
		if agent.Status.ID != "" {
			metrics.DriftCorrections.WithLabelValues(metrics.DriftRecreated).Inc()
			r.event(agent, corev1.EventTypeNormal, ReasonRecreated, actionCreate, "Re-created orq agent %q, deleted outside Kubernetes", key)
		} else {
			r.event(agent, corev1.EventTypeNormal, ReasonCreated, actionCreate, "Created orq agent %q", key)
		}
		r.recordOwned(agent, created)
		return created, true, nil
	case orqclient.IsConflict(err):
		remote, getErr := api.GetAgent(ctx, key)
		if getErr != nil {
			return nil, false, getErr
		}
		return r.claim(ctx, agent, desired, remote)
	default:
		if notCreated(err) {
			agent.Status.CreateAttemptedAt = nil
			if err := r.forgetFirstCreateAttempt(ctx, agent); err != nil {
				return nil, false, err
			}
		}
		return nil, false, err
	}
}

// recordCreateAttempt writes status.createAttemptedAt before a create whose outcome may be lost
// (a crash, a timeout), unless an earlier attempt's outcome is still unknown.
func (r *AgentReconciler) recordCreateAttempt(ctx context.Context, agent, original *orqv1alpha1.Agent) error {
	if agent.Status.CreateAttemptedAt != nil {
		return nil
	}
	if _, ok := firstCreateAttempt(agent); ok {
		return nil // written with the finalizer: no status write of its own
	}
	now := metav1.NewMicroTime(r.now())
	agent.Status.CreateAttemptedAt = &now
	if err := r.Status().Patch(ctx, agent, client.MergeFrom(original)); err != nil {
		return err
	}
	agent.DeepCopyInto(original) // what is stored now: the deferred status write starts from it
	return nil
}

// notCreated tells whether a failed create certainly created nothing: the API refused it (4xx),
// or it was never sent.
func notCreated(err error) bool {
	var e *orqclient.Error
	if !errors.As(err, &e) {
		return false
	}
	return (e.StatusCode >= 400 && e.StatusCode < 500) || (e.StatusCode == 0 && e.Kind == orqclient.KindRateLimited)
}

// recordOwned records the remote agent as this Agent's at once, so that a failure later in the
// pass does not lose it.
func (r *AgentReconciler) recordOwned(agent *orqv1alpha1.Agent, remote *orqclient.Agent) {
	agent.Status.ID = remote.ID
	agent.Status.CreateAttemptedAt = nil
}

// claim decides whether an existing remote agent is this Agent's to manage: one it created
// (including a create whose answer was lost in a crash), or one it may adopt.
func (r *AgentReconciler) claim(ctx context.Context, agent *orqv1alpha1.Agent, desired orqclient.Body, remote *orqclient.Agent) (*orqclient.Agent, bool, error) {
	key := agent.RemoteKey()
	switch {
	case agent.Status.ID != "" && remote.ID == agent.Status.ID:
		return remote, false, nil
	case r.createdByThisAgent(agent, desired, remote):
		logf.FromContext(ctx).Info("found the remote agent this Agent created before its answer was recorded")
	case agent.Spec.AdoptionPolicy == orqv1alpha1.AdoptionPolicyAdopt:
		r.event(agent, corev1.EventTypeNormal, ReasonAdopted, actionAdopt, "Adopted existing orq agent %q (id %s)", key, remote.ID)
	default:
		return nil, false, fmt.Errorf("%w: orq agent %q (id %s) already exists and was not created by this Agent; "+
			"set spec.adoptionPolicy: Adopt to take it over and correct it to the spec", errAdoptionRequired, key, remote.ID)
	}
	r.recordOwned(agent, remote)
	return remote, false, nil
}

// createdByThisAgent tells whether a remote agent this Agent has no record of is its own create
// whose answer was lost: it is exactly the spec (taking it changes nothing), or it was created
// after a create attempt of this Agent whose outcome is unknown.
func (r *AgentReconciler) createdByThisAgent(agent *orqv1alpha1.Agent, desired orqclient.Body, remote *orqclient.Agent) bool {
	if len(agentdiff.Diff(desired, agentdiff.Observed(remote.Raw))) == 0 {
		return true
	}
	attempt := agent.Status.CreateAttemptedAt
	if attempt == nil {
		first, ok := firstCreateAttempt(agent)
		if !ok {
			return false
		}
		attempt = &first
	}
	createdStr, _ := remote.Raw["created"].(string)
	created, err := time.Parse(time.RFC3339Nano, createdStr)
	if err != nil {
		return false
	}
	skew := r.CreateClockSkew
	if skew == 0 {
		skew = DefaultCreateClockSkew
	}
	return !created.Before(attempt.Add(-skew))
}

// updateRemote PATCHes the top-level fields that differ, and only those.
func (r *AgentReconciler) updateRemote(ctx context.Context, api AgentAPI, agent *orqv1alpha1.Agent, desired orqclient.Body, changed []string) (*orqclient.Agent, error) {
	body := agentdiff.Patch(desired, changed)
	if v := agent.Spec.VersionIncrement; v != "" {
		body["versionIncrement"] = v
		if d := agent.Spec.VersionDescription; d != "" {
			body["versionDescription"] = d
		}
	}
	updated, err := api.UpdateAgent(ctx, agent.RemoteKey(), body)
	if err != nil {
		return nil, err
	}
	fields := strings.Join(changed, ", ")
	logf.FromContext(ctx).Info("updated remote agent", "fields", changed)
	if agent.Status.ID != "" && agent.Status.AppliedHash == agentdiff.Hash(desired) {
		// This very request was applied before: the remote agent was changed outside.
		metrics.DriftCorrections.WithLabelValues(metrics.DriftUpdated).Inc()
		r.event(agent, corev1.EventTypeNormal, ReasonDriftCorrected, actionUpdate, "Put back orq agent %q, changed outside Kubernetes: %s", agent.RemoteKey(), fields)
	} else {
		r.event(agent, corev1.EventTypeNormal, ReasonUpdated, actionUpdate, "Updated orq agent %q: %s", agent.RemoteKey(), fields)
	}
	return updated, nil
}

// markSynced records the remote agent in status: Ready (it exists), and Synced when it matches
// the spec, otherwise Synced=False with reason and the differing fields.
func (r *AgentReconciler) markSynced(agent *orqv1alpha1.Agent, remote *orqclient.Agent, wrote bool, pending []string, reason, prefix string) {
	st := &agent.Status
	st.ID, st.ProjectID, st.Version, st.RemoteStatus = remote.ID, remote.ProjectID, remote.Version, remote.Status
	st.PendingChanges = pending
	st.TeamKeys = teamKeys(remote)
	if wrote || st.LastSyncTime == nil || st.ObservedGeneration != agent.Generation {
		now := metav1.NewTime(r.now().Truncate(time.Second))
		st.LastSyncTime = &now
	}
	st.ObservedGeneration = agent.Generation
	st.LastHandledReconcileAt = agent.Annotations[orqv1alpha1.AnnotationReconcileRequestedAt]
	if len(pending) == 0 {
		r.setCondition(agent, ConditionSynced, metav1.ConditionTrue, ReasonSynced, "The orq agent matches the spec")
	} else {
		r.setCondition(agent, ConditionSynced, metav1.ConditionFalse, reason, prefix+strings.Join(pending, ", "))
	}
	readyMsg := "The orq agent exists and matches the spec"
	if len(pending) > 0 {
		readyMsg = "The orq agent exists; the Synced condition says how it differs from the spec"
	}
	r.setCondition(agent, ConditionReady, metav1.ConditionTrue, ReasonSynced, readyMsg)
	meta.RemoveStatusCondition(&st.Conditions, ConditionReconciling)
	meta.RemoveStatusCondition(&st.Conditions, ConditionStalled)
}

// markKeyConflict parks an Agent whose key is managed by an older Agent. It becomes active by
// itself when that Agent is gone (see agentsSharingKey).
func (r *AgentReconciler) markKeyConflict(agent, owner *orqv1alpha1.Agent) ctrl.Result {
	msg := fmt.Sprintf("orq agent key %q is managed by Agent %s/%s, which is older; this Agent takes over when that one is deleted",
		agent.RemoteKey(), owner.Namespace, owner.Name)
	if c := meta.FindStatusCondition(agent.Status.Conditions, ConditionStalled); c == nil || c.Reason != ReasonKeyConflict || c.Message != msg {
		r.event(agent, corev1.EventTypeWarning, ReasonKeyConflict, actionRefused, "%s", msg)
	}
	r.setCondition(agent, ConditionReady, metav1.ConditionFalse, ReasonKeyConflict, msg)
	r.setCondition(agent, ConditionStalled, metav1.ConditionTrue, ReasonKeyConflict, msg)
	meta.RemoveStatusCondition(&agent.Status.Conditions, ConditionReconciling)
	agent.Status.ObservedGeneration = agent.Generation
	return ctrl.Result{}
}

// markSuspended reports a suspended Agent; no call is made to orq.
func (r *AgentReconciler) markSuspended(agent *orqv1alpha1.Agent) ctrl.Result {
	r.setCondition(agent, ConditionSuspended, metav1.ConditionTrue, ReasonSuspended,
		"spec.suspend is true: no calls to orq until it is false again")
	meta.RemoveStatusCondition(&agent.Status.Conditions, ConditionReconciling)
	agent.Status.ObservedGeneration = agent.Generation
	return ctrl.Result{}
}

// reconcileDelete deletes the remote agent, unless it is to be left in orq, then releases the
// Agent.
func (r *AgentReconciler) reconcileDelete(ctx context.Context, agent, owner *orqv1alpha1.Agent) (ctrl.Result, error) {
	if !controllerutil.ContainsFinalizer(agent, FinalizerName) {
		return ctrl.Result{}, nil
	}
	key := agent.RemoteKey()
	why := r.orphanReason(agent, owner)
	var api AgentAPI
	if why == "" {
		users, err := r.inUseBy(ctx, agent)
		if err != nil {
			return ctrl.Result{}, err
		}
		if len(users) > 0 {
			return r.markInUse(ctx, agent, users), nil
		}
		if api, err = r.credentials(ctx, agent); err != nil {
			return r.failDelete(ctx, agent, err)
		}
	}
	if why == "" && agent.Spec.AdoptionPolicy != orqv1alpha1.AdoptionPolicyAdopt {
		// Delete only what this Agent created: the agent now at the key may be another one.
		var err error
		if why, err = r.notOurs(ctx, api, agent); err != nil {
			return r.failDelete(ctx, agent, err)
		}
	}
	if why != "" {
		if owner == nil && why != reasonGone {
			r.event(agent, corev1.EventTypeNormal, ReasonOrphaned, actionDelete, "Left orq agent %q in orq: %s", key, why)
		}
	} else {
		r.setCondition(agent, ConditionReady, metav1.ConditionFalse, ReasonDeleting, "Deleting the orq agent")
		err := api.DeleteAgent(ctx, key)
		switch {
		case err == nil:
			r.event(agent, corev1.EventTypeNormal, ReasonDeleted, actionDelete, "Deleted orq agent %q", key)
		case orqclient.IsNotFound(err):
			// Already gone.
		default:
			return r.failDelete(ctx, agent, err)
		}
	}
	patch := client.MergeFromWithOptions(agent.DeepCopy(), client.MergeFromWithOptimisticLock{})
	controllerutil.RemoveFinalizer(agent, FinalizerName)
	if err := r.Patch(ctx, agent, patch); err != nil && !apierrors.IsNotFound(err) {
		return ctrl.Result{}, err
	}
	return ctrl.Result{}, nil
}

// markInUse keeps a deleted Agent while its remote agent is in the team of other Agents: they
// drop it first (see dropLeavingMembers), and their status changes wake this Agent.
func (r *AgentReconciler) markInUse(ctx context.Context, agent *orqv1alpha1.Agent, users []string) ctrl.Result {
	msg := fmt.Sprintf("orq agent %q is in the team of Agent %s; it is deleted once they no longer use it",
		agent.RemoteKey(), strings.Join(users, ", "))
	if c := meta.FindStatusCondition(agent.Status.Conditions, ConditionReady); c == nil || c.Reason != ReasonInUse || c.Message != msg {
		r.event(agent, corev1.EventTypeNormal, ReasonInUse, actionDelete, "%s", msg)
	}
	r.setCondition(agent, ConditionReady, metav1.ConditionFalse, ReasonInUse, msg)
	r.setCondition(agent, ConditionReconciling, metav1.ConditionTrue, ReasonInUse, msg)
	return ctrl.Result{RequeueAfter: r.nextSync(ctx, agent)}
}

// failDelete reports a failed deletion. A deletion is never given up: what would be terminal
// elsewhere (a 400 on DELETE) is retried every sync period, without a hot loop.
func (r *AgentReconciler) failDelete(ctx context.Context, agent *orqv1alpha1.Agent, err error) (ctrl.Result, error) {
	res, ferr := r.fail(ctx, agent, err)
	if errors.Is(ferr, reconcile.TerminalError(nil)) {
		return ctrl.Result{RequeueAfter: r.nextSync(ctx, agent)}, nil
	}
	return res, ferr
}

// orphanReason says why the remote agent must stay in orq when its Agent goes, or "".
func (r *AgentReconciler) orphanReason(agent, owner *orqv1alpha1.Agent) string {
	policy := agent.Spec.DeletionPolicy
	if policy == "" {
		policy = r.DefaultDeletionPolicy
	}
	switch {
	case owner != nil:
		return fmt.Sprintf("the key is managed by Agent %s/%s", owner.Namespace, owner.Name)
	case agent.Spec.Suspend:
		return "the Agent is suspended"
	case agent.Spec.ManagementPolicy == orqv1alpha1.ManagementPolicyObserve:
		return "managementPolicy is Observe"
	case policy == orqv1alpha1.DeletionPolicyOrphan:
		return "deletionPolicy is Orphan"
	}
	return ""
}

// reasonGone: there is nothing left to delete.
const reasonGone = "it does not exist"

// notOurs reads the agent at the key before a deletion: "" when it is this Agent's to delete,
// otherwise why it stays.
func (r *AgentReconciler) notOurs(ctx context.Context, api AgentAPI, agent *orqv1alpha1.Agent) (string, error) {
	remote, err := api.GetAgent(ctx, agent.RemoteKey())
	switch {
	case orqclient.IsNotFound(err):
		return reasonGone, nil
	case err != nil:
		return "", err
	}
	if agent.Status.ID != "" {
		if remote.ID != agent.Status.ID {
			return fmt.Sprintf("a different agent (id %s) now holds the key", remote.ID), nil
		}
		return "", nil
	}
	desired, err := agentdiff.Desired(agent)
	if err != nil {
		return "", fmt.Errorf("%w: %v", errInvalidSpec, err)
	}
	if r.createdByThisAgent(agent, desired, remote) {
		return "", nil
	}
	return "this Agent did not create it", nil
}

// keyOwner returns the Agent that manages this Agent's key when it is another one: the oldest
// Agent with the key, in any namespace. creationTimestamp has a resolution of one second, so ties
// go to the Agent that already holds the remote agent, then by namespace/name. nil means this
// Agent.
func (r *AgentReconciler) keyOwner(ctx context.Context, agent *orqv1alpha1.Agent) (*orqv1alpha1.Agent, error) {
	var list orqv1alpha1.AgentList
	if err := r.List(ctx, &list, client.MatchingFields{keyIndex: keyIndexValue(agent)}); err != nil {
		return nil, err
	}
	owner := agent
	for i := range list.Items {
		if olderThan(&list.Items[i], owner) {
			owner = &list.Items[i]
		}
	}
	if owner.UID == agent.UID {
		return nil, nil
	}
	return owner, nil
}

func olderThan(a, b *orqv1alpha1.Agent) bool {
	if !a.CreationTimestamp.Equal(&b.CreationTimestamp) {
		return a.CreationTimestamp.Before(&b.CreationTimestamp)
	}
	if aHolds, bHolds := holdsKey(a), holdsKey(b); aHolds != bHolds {
		return aHolds
	}
	if a.Namespace != b.Namespace {
		return a.Namespace < b.Namespace
	}
	return a.Name < b.Name
}

// holdsKey tells whether an Agent manages its remote agent now.
func holdsKey(a *orqv1alpha1.Agent) bool {
	c := meta.FindStatusCondition(a.Status.Conditions, ConditionStalled)
	return a.Status.ID != "" && (c == nil || c.Reason != ReasonKeyConflict)
}

// ensureFinalizer adds the finalizer before anything is created remotely. An Agent that has not
// created its agent yet also gets, in the same write, the time of its first create attempt (see
// AnnotationCreateAttemptedAt): the create then costs no status write before its POST.
func (r *AgentReconciler) ensureFinalizer(ctx context.Context, agent *orqv1alpha1.Agent) error {
	if controllerutil.ContainsFinalizer(agent, FinalizerName) {
		return nil
	}
	status := agent.Status.DeepCopy()
	patch := client.MergeFromWithOptions(agent.DeepCopy(), client.MergeFromWithOptimisticLock{})
	controllerutil.AddFinalizer(agent, FinalizerName)
	if agent.Status.ID == "" && agent.Status.CreateAttemptedAt == nil {
		metav1.SetMetaDataAnnotation(&agent.ObjectMeta, orqv1alpha1.AnnotationCreateAttemptedAt, r.now().UTC().Format(time.RFC3339Nano))
	}
	if err := r.Patch(ctx, agent, patch); err != nil {
		return err
	}
	agent.Status = *status // the patch answer carries the stored status; keep this pass's
	return nil
}

// firstCreateAttempt is the time of AnnotationCreateAttemptedAt, while the Agent has not recorded
// a remote agent.
func firstCreateAttempt(agent *orqv1alpha1.Agent) (metav1.MicroTime, bool) {
	v, ok := agent.Annotations[orqv1alpha1.AnnotationCreateAttemptedAt]
	if !ok || agent.Status.ID != "" {
		return metav1.MicroTime{}, false
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return metav1.MicroTime{}, false
	}
	return metav1.NewMicroTime(t), true
}

// forgetFirstCreateAttempt removes AnnotationCreateAttemptedAt after a create the API refused:
// nothing was created, and an agent someone else creates at the key later is not this Agent's.
func (r *AgentReconciler) forgetFirstCreateAttempt(ctx context.Context, agent *orqv1alpha1.Agent) error {
	if _, ok := agent.Annotations[orqv1alpha1.AnnotationCreateAttemptedAt]; !ok {
		return nil
	}
	status := agent.Status.DeepCopy()
	// This key only. A merge patch computed from the cached Agent would send "annotations": null
	// when this is the last annotation the cache holds, and so also remove those the cache drops
	// (kubectl's last-applied-configuration, see stripAgent).
	body, err := json.Marshal(map[string]any{"metadata": map[string]any{
		"annotations": map[string]any{orqv1alpha1.AnnotationCreateAttemptedAt: nil}}})
	if err != nil {
		return err
	}
	if err := r.Patch(ctx, agent, client.RawPatch(types.MergePatchType, body)); err != nil {
		return err
	}
	delete(agent.Annotations, orqv1alpha1.AnnotationCreateAttemptedAt)
	agent.Status = *status
	return nil
}

// fail reports an error in status and returns the result its class calls for.
func (r *AgentReconciler) fail(ctx context.Context, agent *orqv1alpha1.Agent, err error) (ctrl.Result, error) {
	c := classify(err)
	msg := err.Error()
	previous := slices.Clone(agent.Status.Conditions)
	r.setCondition(agent, ConditionReady, metav1.ConditionFalse, c.reason, msg)

	switch c.outcome {
	case waitingOnCluster:
		r.setCondition(agent, ConditionReconciling, metav1.ConditionTrue, c.reason, msg)
		meta.RemoveStatusCondition(&agent.Status.Conditions, ConditionStalled)
		logf.FromContext(ctx).V(1).Info("waiting", "reason", c.reason, "for", msg)
		return ctrl.Result{RequeueAfter: r.nextSync(ctx, agent)}, nil
	case terminal, stalledSlow:
		r.setCondition(agent, ConditionStalled, metav1.ConditionTrue, c.reason, msg)
		meta.RemoveStatusCondition(&agent.Status.Conditions, ConditionReconciling)
		// The operator has done all it can with this generation: kstatus reads it as Failed.
		agent.Status.ObservedGeneration = agent.Generation
		if prev := meta.FindStatusCondition(previous, ConditionStalled); prev == nil || prev.Status != metav1.ConditionTrue || prev.Reason != c.reason || prev.Message != msg {
			r.event(agent, corev1.EventTypeWarning, c.reason, actionRefused, "%s", msg) // once, not every retry
		}
		if c.outcome == terminal {
			return ctrl.Result{}, reconcile.TerminalError(err)
		}
		after := c.after
		if after == 0 {
			after = r.nextSync(ctx, agent)
		}
		logf.FromContext(ctx).Info("stalled; retrying slowly", "reason", c.reason, "after", after.String())
		return ctrl.Result{RequeueAfter: after}, nil
	default:
		r.setCondition(agent, ConditionReconciling, metav1.ConditionTrue, c.reason, msg)
		meta.RemoveStatusCondition(&agent.Status.Conditions, ConditionStalled)
		if c.outcome == waiting {
			logf.FromContext(ctx).Info("orq API rate limit; waiting", "after", c.after.String())
			return ctrl.Result{RequeueAfter: c.after}, nil
		}
		return ctrl.Result{}, err
	}
}

func (r *AgentReconciler) setCondition(agent *orqv1alpha1.Agent, typ string, status metav1.ConditionStatus, reason, msg string) {
	meta.SetStatusCondition(&agent.Status.Conditions, metav1.Condition{
		Type: typ, Status: status, Reason: reason, Message: msg, ObservedGeneration: agent.Generation,
	})
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

// nextSync is when the agent is re-read next: its orq.ai/sync-interval annotation, else the
// operator's sync period, with jitter.
func (r *AgentReconciler) nextSync(ctx context.Context, agent *orqv1alpha1.Agent) time.Duration {
	period := r.syncPeriod()
	if v, ok := agent.Annotations[orqv1alpha1.AnnotationSyncInterval]; ok {
		d, err := time.ParseDuration(v)
		if err == nil && d >= MinSyncInterval {
			period = d
		} else {
			logf.FromContext(ctx).Info("ignoring invalid "+orqv1alpha1.AnnotationSyncInterval+" annotation", "value", v, "minimum", MinSyncInterval.String())
		}
	}
	return wait.Jitter(period, syncJitter)
}

// syncPeriod is SyncPeriod, or its default.
func (r *AgentReconciler) syncPeriod() time.Duration {
	if r.SyncPeriod <= 0 {
		return DefaultSyncPeriod
	}
	return r.SyncPeriod
}

// SetupWithManager registers the reconciler. It reacts to changes of the spec, labels,
// annotations and deletion, never to its own status writes; and it wakes the Agents that share
// a key with one that is deleted.
func (r *AgentReconciler) SetupWithManager(ctx context.Context, mgr ctrl.Manager) error {
	indexer := mgr.GetFieldIndexer()
	if err := indexer.IndexField(ctx, &orqv1alpha1.Agent{}, keyIndex, func(o client.Object) []string {
		return []string{keyIndexValue(o.(*orqv1alpha1.Agent))}
	}); err != nil {
		return err
	}
	if err := indexer.IndexField(ctx, &orqv1alpha1.Agent{}, refIndex, refsOf); err != nil {
		return err
	}
	if err := indexer.IndexField(ctx, &orqv1alpha1.Agent{}, secretIndex, secretOf); err != nil {
		return err
	}
	workers := r.MaxConcurrentReconciles
	if workers <= 0 {
		workers = 1
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
		Watches(&orqv1alpha1.Agent{}, handler.EnqueueRequestsFromMapFunc(r.agentsSharingKey),
			builder.WithPredicates(predicate.Funcs{
				CreateFunc:  func(event.CreateEvent) bool { return false },
				UpdateFunc:  func(event.UpdateEvent) bool { return false },
				GenericFunc: func(event.GenericEvent) bool { return false },
			})).
		Watches(&orqv1alpha1.Agent{}, handler.EnqueueRequestsFromMapFunc(r.referrers), builder.WithPredicates(referencesChanged{})).
		Watches(&orqv1alpha1.Agent{}, handler.EnqueueRequestsFromMapFunc(r.leavingMembers), builder.WithPredicates(teamChanged{})).
		WatchesRawSource(source.Channel(r.sweep.events, &handler.EnqueueRequestForObject{})).
		WatchesMetadata(&corev1.Secret{}, handler.EnqueueRequestsFromMapFunc(r.agentsUsingSecret),
			builder.WithPredicates(predicate.ResourceVersionChangedPredicate{})).
		WithOptions(controller.Options{
			MaxConcurrentReconciles: workers,
			RateLimiter:             workqueue.NewTypedItemExponentialFailureRateLimiter[reconcile.Request](backoffBase, backoffMax),
		}).
		Named("agent").
		Complete(r)
}

// keyIndexValue is the keyIndex value of an Agent: its key, in the workspace of its credentials.
func keyIndexValue(a *orqv1alpha1.Agent) string {
	return a.RemoteKey() + "@" + credentialSource(a)
}

// agentsSharingKey maps a deleted Agent to the other Agents with its key.
func (r *AgentReconciler) agentsSharingKey(ctx context.Context, o client.Object) []reconcile.Request {
	agent, ok := o.(*orqv1alpha1.Agent)
	if !ok {
		return nil
	}
	return r.requestsByIndex(ctx, keyIndex, keyIndexValue(agent), agent.UID)
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

// userAnnotationChanged passes annotation changes, except those of the operator's own
// AnnotationCreateAttemptedAt.
type userAnnotationChanged struct{ predicate.Funcs }

func (userAnnotationChanged) Update(e event.UpdateEvent) bool {
	if e.ObjectOld == nil || e.ObjectNew == nil {
		return false
	}
	strip := func(m map[string]string) map[string]string {
		m = maps.Clone(m)
		delete(m, orqv1alpha1.AnnotationCreateAttemptedAt)
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
