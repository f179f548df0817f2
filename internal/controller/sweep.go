package controller

import (
	"context"
	"errors"
	"sync"
	"time"

	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/wait"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/event"
	logf "sigs.k8s.io/controller-runtime/pkg/log"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
	"github.com/orq-ai/orq-operator/internal/metrics"
	"github.com/orq-ai/orq-operator/internal/orqclient"
)

// sweeper catches drift for the Agents in sync: every sync period it lists each workspace's
// agents, orqclient.MaxPageSize at a time, and wakes only the Agents whose remote agent is gone,
// was replaced, or was updated since their last sync. So steady state costs ceil(N/200) reads a
// period instead of N. Agents that are not in sync keep their own retries.
type sweeper struct {
	r      *AgentReconciler
	events chan event.GenericEvent

	mu sync.Mutex
	// woken are the Agents a sweep found changed: their next reconcile reads the remote agent
	// even when their status says they are in sync.
	woken map[types.NamespacedName]bool
}

func newSweeper(r *AgentReconciler) *sweeper {
	return &sweeper{r: r, events: make(chan event.GenericEvent, 1024), woken: map[types.NamespacedName]bool{}}
}

// NeedLeaderElection: only the leader sweeps.
func (s *sweeper) NeedLeaderElection() bool { return true }

// Start sweeps every sync period (jittered) until ctx ends; the first sweep runs at once, to
// catch what changed while no operator was running.
func (s *sweeper) Start(ctx context.Context) error {
	for {
		next := wait.Jitter(s.r.syncPeriod(), syncJitter)
		if err := s.sweep(ctx); err != nil && ctx.Err() == nil {
			logf.FromContext(ctx).Error(err, "drift sweep failed; retrying", "after", sweepRetry.String())
			next = sweepRetry
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(next):
		}
	}
}

// takeWoken tells whether a sweep woke this Agent, and forgets it.
func (s *sweeper) takeWoken(name types.NamespacedName) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	woken := s.woken[name]
	delete(s.woken, name)
	return woken
}

// sweep lists the remote agents of every workspace that has Agents in sync, and wakes those whose
// remote agent changed.
func (s *sweeper) sweep(ctx context.Context) error {
	var list orqv1alpha1.AgentList
	if err := s.r.List(ctx, &list, client.UnsafeDisableDeepCopy); err != nil {
		return err
	}
	bySource := map[string][]*orqv1alpha1.Agent{}
	for i := range list.Items {
		a := &list.Items[i]
		if swept(a) {
			source := credentialSource(a)
			bySource[source] = append(bySource[source], a)
		}
	}
	var errs []error
	for _, agents := range bySource {
		remote, wakeAll, err := s.listWorkspace(ctx, agents[0])
		if err != nil {
			errs = append(errs, err)
		}
		if remote == nil && !wakeAll {
			// A client that cannot list, or a listing that failed: nothing is known to have
			// changed, so nothing is woken (waking all would read every agent at each retry);
			// the sweep tries again after sweepRetry.
			continue
		}
		for _, a := range agents {
			r, ok := remote[a.RemoteKey()]
			if !wakeAll && ok && r.updated == a.Status.RemoteUpdated && (a.Status.ID == "" || r.id == a.Status.ID) {
				continue
			}
			if !s.wake(ctx, a) {
				return nil
			}
		}
	}
	return errors.Join(errs...)
}

// listWorkspace lists the workspace of an Agent's credentials, reading its Secret if no pass
// has yet, so that the first sweep after a start covers every workspace in use. wakeAll: the
// credentials themselves fail, so each Agent's own pass is to report why (it then leaves the
// sweep, not being Ready). nil and false: the client cannot list, or the listing failed.
func (s *sweeper) listWorkspace(ctx context.Context, a *orqv1alpha1.Agent) (map[string]remoteVersion, bool, error) {
	api, _, err := s.r.credentials(ctx, a)
	if err != nil {
		return nil, true, err
	}
	lister, ok := api.(AgentLister)
	if !ok {
		return nil, false, nil
	}
	remote, err := listAll(ctx, lister)
	return remote, false, err
}

// wake queues an Agent whose remote agent changed, so that its next pass reads it; false when
// ctx ended first.
func (s *sweeper) wake(ctx context.Context, a *orqv1alpha1.Agent) bool {
	name := client.ObjectKeyFromObject(a)
	s.mu.Lock()
	s.woken[name] = true
	s.mu.Unlock()
	metrics.SweepWakeups.Inc()
	obj := &orqv1alpha1.Agent{}
	obj.Namespace, obj.Name = name.Namespace, name.Name
	select {
	case s.events <- event.GenericEvent{Object: obj}:
		return true
	case <-ctx.Done():
		return false
	}
}

// remoteVersion is what the sweep compares of a remote agent.
type remoteVersion struct{ id, updated string }

// listAll reads every agent of a workspace, a full page at a time.
func listAll(ctx context.Context, lister AgentLister) (map[string]remoteVersion, error) {
	out := map[string]remoteVersion{}
	err := orqclient.EachPage(ctx, orqclient.MaxPageSize, func(ctx context.Context, o orqclient.ListOptions) ([]orqclient.AgentVersion, bool, error) {
		page, err := lister.ListAgentVersions(ctx, o)
		if err != nil {
			return nil, false, err
		}
		return page.Versions, page.HasMore, nil
	}, func(v orqclient.AgentVersion) string { return v.ID }, func(v orqclient.AgentVersion) {
		out[v.Key] = remoteVersion{id: v.ID, updated: v.Updated}
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
