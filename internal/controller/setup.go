// Package controller wires the managed core (internal/managed) to the manager: one controller per
// kind, each the same Reconciler with its kind's adapter (internal/kinds/<kind>), sharing the
// clients of the workspaces and the reader of Secrets and ConfigMaps. It also offers what the
// command line builds on the same kinds: the cache options and the plan.
package controller

import (
	"context"
	"fmt"
	"time"

	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/client-go/tools/events"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
	"github.com/orq-ai/orq-operator/internal/kinds/agent"
	"github.com/orq-ai/orq-operator/internal/kinds/agentschedule"
	"github.com/orq-ai/orq-operator/internal/kinds/knowledgebase"
	"github.com/orq-ai/orq-operator/internal/kinds/memorystore"
	"github.com/orq-ai/orq-operator/internal/kinds/tool"
	"github.com/orq-ai/orq-operator/internal/managed"
)

// DefaultSyncPeriod is how often each workspace is swept for drift.
const DefaultSyncPeriod = managed.DefaultSyncPeriod

// Kinds is every kind the operator manages, in the order their controllers start.
func Kinds() *managed.Registry {
	return managed.NewRegistry(agent.Kind{}, tool.Kind{}, knowledgebase.Kind{}, memorystore.Kind{}, agentschedule.Kind{})
}

// Options configure the controllers.
type Options struct {
	// API is the client of the operator's own API key; nil when it has none. DefaultAPIKeyHash is
	// that key's orqclient.KeyHash.
	API               managed.API
	DefaultAPIKeyHash string
	// APIFor returns the client of an API key read from a Secret (spec.apiKeySecretRef); source
	// names the Secret key. nil: spec.apiKeySecretRef is refused.
	APIFor func(source, apiKey string) (managed.API, error)
	// SecretReader and ConfigMapReader read Secrets and ConfigMaps uncached (the cache holds
	// their metadata only); the manager's client when nil.
	SecretReader, ConfigMapReader client.Reader
	Recorder                      events.EventRecorder
	// SyncPeriod is how often each workspace is swept for drift.
	SyncPeriod time.Duration
	// DefaultDeletionPolicy applies to objects that do not set spec.deletionPolicy.
	DefaultDeletionPolicy orqv1alpha1.DeletionPolicy
	// MaxConcurrentReconciles bounds the workers of each kind.
	MaxConcurrentReconciles int
	// Trace, when set, wraps each reconcile in a span (see internal/tracing).
	Trace func(ctx context.Context, kind string, o managed.Object) (context.Context, func(outcome string))
}

// Setup registers one controller per kind with the manager.
func Setup(ctx context.Context, mgr ctrl.Manager, o Options) error {
	kinds := Kinds()
	values := &managed.Values{Cache: mgr.GetClient(), SecretReader: o.SecretReader, ConfigMapReader: o.ConfigMapReader}
	workspaces := &managed.Workspaces{API: o.API, DefaultKeyHash: o.DefaultAPIKeyHash, For: o.APIFor, Values: values}
	for _, k := range kinds.All() {
		r := &managed.Reconciler{
			Client: mgr.GetClient(), Kind: k, Kinds: kinds, Workspaces: workspaces, Values: values,
			Recorder: o.Recorder, SyncPeriod: o.SyncPeriod, DefaultDeletionPolicy: o.DefaultDeletionPolicy,
			MaxConcurrentReconciles: o.MaxConcurrentReconciles, Trace: o.Trace,
		}
		if err := r.SetupWithManager(ctx, mgr); err != nil {
			return fmt.Errorf("setting up the %s controller: %w", k.Name(), err)
		}
	}
	return nil
}

// CacheOptions returns the manager's cache options for the kinds, in namespaces (all when empty)
// and with the objects of selector (all when nil).
func CacheOptions(namespaces []string, selector labels.Selector) cache.Options {
	return managed.CacheOptions(Kinds(), namespaces, selector)
}

// ObjectLists makes an empty list of the objects of each kind, by kind name (the object metrics).
func ObjectLists() map[string]func() client.ObjectList {
	out := map[string]func() client.ObjectList{}
	for _, k := range Kinds().All() {
		out[k.Name()] = k.NewList
	}
	return out
}
