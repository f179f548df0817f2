package controller

import (
	"context"
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
//
// Each workspace (credential source) has its own schedule: a listing that fails is retried, with
// backoff, for that workspace alone, and its Agents read their own agent once per sync period
// meanwhile (see failing), so that no failure elsewhere stops or speeds up the others' sweeps.
type sweeper struct {
	r      *AgentReconciler
	events chan event.GenericEvent

	mu sync.Mutex
	// woken are the Agents a sweep found changed: their next reconcile reads the remote agent
	// even when their status says they are in sync.
	woken map[types.NamespacedName]bool
	// workspaces are the schedules of the workspaces swept, by credential source.
	workspaces map[string]*workspaceSweep
}

// minSweepWait keeps the sweep loop from spinning should a workspace fall due at once: it is far
// below any sync period, so that no workspace is listed late by it.
const minSweepWait = 10 * time.Millisecond

// workspaceSweep is when a workspace is listed next, and how many listings in a row failed.
type workspaceSweep struct {
	due      time.Time
	failures int
}

func newSweeper(r *AgentReconciler) *sweeper {
	return &sweeper{r: r, events: make(chan event.GenericEvent, 1024), woken: map[types.NamespacedName]bool{},
		workspaces: map[string]*workspaceSweep{}}
}

// NeedLeaderElection: only the leader sweeps.
func (s *sweeper) NeedLeaderElection() bool { return true }

// Start sweeps the workspaces as they fall due until ctx ends; each is first listed at once, to
// catch what changed while no operator was running.
func (s *sweeper) Start(ctx context.Context) error {
	for {
		next := s.sweep(ctx)
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

// failing tells whether the last listing of a workspace failed: its Agents are then not watched
// by the sweep, and read their own agent each sync period.
func (s *sweeper) failing(source string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	w := s.workspaces[source]
	return w != nil && w.failures > 0
}

// sweep lists the workspaces that are due, of those that have Agents in sync, wakes the Agents
// whose remote agent changed, and returns how long until the next workspace is due.
func (s *sweeper) sweep(ctx context.Context) time.Duration {
	var list orqv1alpha1.AgentList
	if err := s.r.List(ctx, &list, client.UnsafeDisableDeepCopy); err != nil {
		logf.FromContext(ctx).Error(err, "drift sweep: listing the Agents failed; retrying", "after", sweepRetry.String())
		return sweepRetry
	}
	bySource := map[string][]*orqv1alpha1.Agent{}
	for i := range list.Items {
		a := &list.Items[i]
		if swept(a) {
			source := credentialSource(a)
			bySource[source] = append(bySource[source], a)
		}
	}
	s.forgetOthers(bySource)
	next := s.r.syncPeriod()
	for source, agents := range bySource {
		if wait := s.dueIn(source); wait > 0 {
			next = min(next, wait)
			continue
		}
		err := s.sweepWorkspace(ctx, source, agents)
		if ctx.Err() != nil {
			return 0
		}
		next = min(next, s.record(ctx, source, err))
	}
	return max(next, minSweepWait)
}

// sweepWorkspace lists one workspace and wakes its Agents whose remote agent changed.
func (s *sweeper) sweepWorkspace(ctx context.Context, source string, agents []*orqv1alpha1.Agent) error {
	remote, wakeAll, err := s.listWorkspace(ctx, agents[0])
	switch {
	case wakeAll: // the credentials themselves fail: each Agent's own pass reports why
	case err != nil && s.failing(source):
		return err // its Agents already read their own agent: the retries wake nobody
	case err != nil:
		// From now on its Agents read their own agent each sync period; wake them once so that
		// they begin.
		wakeAll = true
	case remote == nil:
		return nil // a client that cannot list: left to per-agent reads
	}
	for _, a := range agents {
		r, ok := remote[a.RemoteKey()]
		if !wakeAll && ok && r.updated == a.Status.RemoteUpdated && (a.Status.ID == "" || r.id == a.Status.ID) {
			continue
		}
		if !s.wake(ctx, a) {
			return ctx.Err()
		}
	}
	return err
}

// dueIn is how long until a workspace is to be listed; 0 when it is due.
func (s *sweeper) dueIn(source string) time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	w := s.workspaces[source]
	if w == nil {
		return 0
	}
	return max(w.due.Sub(s.r.now()), 0)
}

// record schedules a workspace's next listing after one that ended with err: a sync period
// later (jittered), or, after a failure, sweepRetry doubled at each failure in a row, at most a
// sync period. It returns the wait.
func (s *sweeper) record(ctx context.Context, source string, err error) time.Duration {
	period := s.r.syncPeriod()
	wait := wait.Jitter(period, syncJitter)
	s.mu.Lock()
	w := s.workspaces[source]
	if w == nil {
		w = &workspaceSweep{}
		s.workspaces[source] = w
	}
	if err != nil {
		w.failures++
		wait = min(sweepRetry<<min(w.failures-1, 16), period)
	} else {
		w.failures = 0
	}
	w.due = s.r.now().Add(wait)
	s.mu.Unlock()
	s.publish()
	if err != nil {
		logf.FromContext(ctx).Error(err, "drift sweep of a workspace failed; its Agents read their own agent meanwhile", "retryAfter", wait.String())
	}
	return wait
}

// forgetOthers drops the schedules of workspaces no Agent in sync uses any more.
func (s *sweeper) forgetOthers(inUse map[string][]*orqv1alpha1.Agent) {
	s.mu.Lock()
	for source := range s.workspaces {
		if _, ok := inUse[source]; !ok {
			delete(s.workspaces, source)
		}
	}
	s.mu.Unlock()
	s.publish()
}

// publish sets the gauge of the workspaces whose last listing failed.
func (s *sweeper) publish() {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, w := range s.workspaces {
		if w.failures > 0 {
			n++
		}
	}
	metrics.SweepFailingWorkspaces.Set(float64(n))
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
