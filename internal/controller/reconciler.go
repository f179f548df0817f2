// Package controller holds the reconciler that makes orq.ai agents match Agent objects.
//
// One reconcile is a pass (pass.go) through an ordered list of steps (steps.go): the normal
// path, the Observe path or the delete path. Steps read, call orq and write metadata; status is
// computed once from the pass and written once, at the end (status.go). docs/architecture.md
// shows where each concern lives.
package controller

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

// AgentReconciler makes the orq.ai agent of each Agent match its spec.
type AgentReconciler struct {
	client.Client
	// API is the client of the operator's own API key; nil when it has none.
	API      AgentAPI
	Recorder events.EventRecorder
	// SyncPeriod is how often each workspace is swept for drift; DefaultSyncPeriod when zero.
	SyncPeriod time.Duration
	// DefaultDeletionPolicy applies to Agents that do not set spec.deletionPolicy; Delete when empty.
	DefaultDeletionPolicy orqv1alpha1.DeletionPolicy
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
	// ConfigMapReader reads the ConfigMaps of spec.instructionsFrom and spec.systemPromptFrom,
	// uncached (the cache holds their metadata only); Client when nil.
	ConfigMapReader client.Reader

	secrets versionedValues
	prompts versionedValues
	// spent are the create markers this process knows prove nothing (see spend).
	spent markerSet
	sweep *sweeper
}

// +kubebuilder:rbac:groups=orq.ai,resources=agents,verbs=get;list;watch;update;patch
// +kubebuilder:rbac:groups=orq.ai,resources=agents/status,verbs=get;update;patch
// +kubebuilder:rbac:groups=orq.ai,resources=agents/finalizers,verbs=update
// +kubebuilder:rbac:groups=events.k8s.io,resources=events,verbs=create;patch
// Secrets and ConfigMaps (get, list, watch) are granted by roles of their own,
// config/rbac/secret_reader_role.yaml and configmap_reader_role.yaml, so that they can be bound
// in chosen namespaces only.

// Reconcile runs the steps of the Agent's path, then computes and writes its status once.
func (r *AgentReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	woken := r.sweep != nil && r.sweep.takeWoken(req.NamespacedName) // a sweep saw its remote agent change
	agent := &orqv1alpha1.Agent{}
	if err := r.Get(ctx, req.NamespacedName, agent); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	ctx = logf.IntoContext(ctx, logf.FromContext(ctx).WithValues("key", agent.RemoteKey()))
	p := r.start(agent, woken)
	r.run(ctx, p, stepsFor(agent))
	return r.finish(ctx, p)
}

// start begins the pass of an Agent as read, its create marker evidence only if this process
// does not know it spent.
func (r *AgentReconciler) start(agent *orqv1alpha1.Agent, woken bool) *pass {
	p := newPass(agent, woken)
	p.pending = r.pending(agent, agent.Status.ID)
	return p
}

// newPass starts the pass of an Agent as read.
func newPass(agent *orqv1alpha1.Agent, woken bool) *pass {
	return &pass{agent: agent, stored: *agent.Status.DeepCopy(), pending: pendingCreate(agent, agent.Status.ID), woken: woken}
}

// step is one named stage of a pass. It returns nil to go on, p.done(...) to end the pass with
// what it found, or an error (made where it is understood, see errors.go) to end it failed.
type step func(r *AgentReconciler, ctx context.Context, p *pass) error

// errPassDone ends a pass early, without failure: p.end says how.
var errPassDone = errors.New("pass done")

// run runs the steps in order until one ends the pass.
func (r *AgentReconciler) run(ctx context.Context, p *pass, steps []step) {
	for _, s := range steps {
		if err := s(r, ctx, p); err != nil {
			if !errors.Is(err, errPassDone) {
				p.end, p.err = endFailed, err
			}
			return
		}
	}
}

func (r *AgentReconciler) now() time.Time {
	if r.Now != nil {
		return r.Now()
	}
	return time.Now()
}
