package managed

import (
	"context"
	"sync"
	"time"

	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/wait"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/event"

	"github.com/orq-ai/orq-operator/internal/metrics"
	"github.com/orq-ai/orq-operator/internal/orqclient"
)

// sweeper catches drift for the objects of one kind in sync: every sync period it lists each
// collection they live in (a workspace's, or a parent's), orqclient.MaxPageSize at a time, and
// wakes only the objects whose remote object is gone, was replaced, or was updated since their
// last sync. So steady state costs ceil(N/200) reads a period instead of N. Objects that are not
// in sync keep their own retries.
//
// Each collection has its own schedule: a listing that fails is retried, with backoff, for that
// collection alone; one that keeps failing for a sync period (or that its key may not do at all)
// makes its objects read their own remote object once per sync period meanwhile (see failing), so
// that no failure elsewhere stops or speeds up the others' sweeps.
type sweeper struct {
	r      *Reconciler
	events chan event.GenericEvent

	mu sync.Mutex
	// woken are the objects a sweep found changed: their next reconcile reads the remote object
	// even when their status says they are in sync.
	woken map[types.NamespacedName]bool
	// groups are the schedules of the collections swept (see groupOf).
	groups map[string]*groupSweep
}

// groupSweep is when a collection is listed next, and since when its listings fail.
type groupSweep struct {
	due time.Time
	// failures counts the failed listings in a row; failingSince is when the first of them was,
	// and fallback tells that its objects read themselves meanwhile.
	failures     int
	failingSince time.Time
	fallback     bool
}

// minSweepWait keeps the sweep loop from spinning should a collection fall due at once: it is far
// below any sync period, so that no collection is listed late by it.
const minSweepWait = 10 * time.Millisecond

func newSweeper(r *Reconciler) *sweeper {
	return &sweeper{r: r, events: make(chan event.GenericEvent, 1024), woken: map[types.NamespacedName]bool{},
		groups: map[string]*groupSweep{}}
}

// NeedLeaderElection: only the leader sweeps.
func (s *sweeper) NeedLeaderElection() bool { return true }

// Start sweeps the collections as they fall due until ctx ends; each is first listed at once, to
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

// takeWoken tells whether a sweep woke this object, and forgets it.
func (s *sweeper) takeWoken(name types.NamespacedName) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	woken := s.woken[name]
	delete(s.woken, name)
	return woken
}

// groupOf names the collection an object's remote object is listed in: its credential source, or
// its parent object.
func (s *sweeper) groupOf(o Object) string {
	if parented, ok := s.r.Kind.(Parented); ok {
		return "parent " + parented.Parent(o).Key()
	}
	return "source " + Source(o)
}

// failing tells whether the objects of a collection read their own remote object, its listing
// failing.
func (s *sweeper) failing(group string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	g := s.groups[group]
	return g != nil && g.fallback
}

// sweep lists the collections that are due, of those that have objects in sync, wakes the objects
// whose remote object changed, and returns how long until the next collection is due.
func (s *sweeper) sweep(ctx context.Context) time.Duration {
	list := s.r.Kind.NewList()
	if err := s.r.List(ctx, list, client.UnsafeDisableDeepCopy); err != nil {
		s.r.log(ctx).Error(err, "drift sweep: listing the objects failed; retrying", "after", sweepRetry.String())
		return sweepRetry
	}
	groups := map[string][]Object{}
	for _, o := range s.r.Kind.Items(list) {
		if swept(o) {
			g := s.groupOf(o)
			groups[g] = append(groups[g], o)
		}
	}
	s.forgetOthers(groups)
	next := s.r.syncPeriod()
	for g, objs := range groups {
		if wait := s.dueIn(g); wait > 0 {
			next = min(next, wait)
			continue
		}
		err := s.sweepGroup(ctx, g, objs)
		if ctx.Err() != nil {
			return 0
		}
		next = min(next, s.record(ctx, g, objs, err))
	}
	return max(next, minSweepWait)
}

// sweepGroup lists one collection and wakes its objects whose remote object changed.
func (s *sweeper) sweepGroup(ctx context.Context, group string, objs []Object) error {
	remote, credentialsFail, err := s.list(ctx, objs[0])
	if err != nil && !credentialsFail {
		return err // the listing failed: record decides whether the objects read themselves
	}
	for _, o := range objs {
		st := o.ManagedStatus()
		v, ok := remote[s.placeOf(o)]
		if !credentialsFail && ok && v.updated == st.RemoteUpdated && (st.ID == "" || v.id == st.ID) {
			continue
		}
		if !s.wake(ctx, o) {
			return ctx.Err()
		}
	}
	return err
}

// placeOf is where the listing holds an object's remote object: by the id it records, in a
// collection addressed by id; else, and for an object that records none (Observe never claims),
// by its key, or by the id its spec adopts for a kind without keys.
func (s *sweeper) placeOf(o Object) string {
	e := s.r.Kind.Endpoint()
	switch id := o.ManagedStatus().ID; {
	case e.ByID && id != "":
		return "id " + id
	case e.Keyless:
		return "id " + o.RemoteKey()
	}
	return "key " + o.RemoteKey()
}

// list lists the collection of an object's remote object, each member by key and, for a
// collection addressed by id, by id (see placeOf). credentialsFail: the credentials themselves fail, so each object's own pass
// is to report why (it then leaves the sweep, not being Ready).
func (s *sweeper) list(ctx context.Context, o Object) (map[string]version, bool, error) {
	holder, err := s.r.credentialHolder(ctx, o)
	if err != nil {
		return nil, true, err
	}
	api, _, err := s.r.Workspaces.Client(ctx, holder)
	if err != nil {
		return nil, true, err
	}
	parent := ""
	if parented, ok := s.r.Kind.(Parented); ok {
		if parent, err = s.r.parentKey(ctx, parented.Parent(o)); err != nil {
			return nil, false, err
		}
	}
	e := s.r.Kind.Endpoint()
	out := map[string]version{}
	err = orqclient.EachPage(ctx, orqclient.MaxPageSize, func(ctx context.Context, lo orqclient.ListOptions) ([]orqclient.Version, bool, error) {
		page, err := api.ListVersions(ctx, e, parent, lo)
		if err != nil {
			return nil, false, err
		}
		return page.Versions, page.HasMore, nil
	}, func(v orqclient.Version) string { return v.ID }, func(v orqclient.Version) {
		if v.Key != "" {
			out["key "+v.Key] = version{id: v.ID, updated: v.Updated}
		}
		if e.ByID {
			out["id "+v.ID] = version{id: v.ID, updated: v.Updated}
		}
	})
	return out, false, err
}

// version is what the sweep compares of a remote object.
type version struct{ id, updated string }

// dueIn is how long until a collection is to be listed; 0 when it is due.
func (s *sweeper) dueIn(group string) time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	g := s.groups[group]
	if g == nil {
		return 0
	}
	return max(g.due.Sub(s.r.now()), 0)
}

// record schedules a collection's next listing after one that ended with err: a sync period later
// (jittered), or, after a failure, as the answer asked (Retry-After), else sweepRetry doubled at
// each failure in a row, at most a sync period. A collection whose listing keeps failing for a
// sync period, or that its key may not list at all, falls back: its objects are woken once to
// read their own remote object each sync period. It returns the wait.
func (s *sweeper) record(ctx context.Context, group string, objs []Object, err error) time.Duration {
	period, now := s.r.syncPeriod(), s.r.now()
	wait := wait.Jitter(period, syncJitter)
	s.mu.Lock()
	g := s.groups[group]
	if g == nil {
		g = &groupSweep{}
		s.groups[group] = g
	}
	startFallback := false
	if err != nil {
		if g.failures == 0 {
			g.failingSince = now
		}
		g.failures++
		wait = min(sweepRetry<<min(g.failures-1, 16), period)
		if after := orqclient.RetryAfter(err); after > 0 {
			wait = min(after, period)
		}
		if !g.fallback && (now.Sub(g.failingSince) >= period || cannotList(err)) {
			g.fallback, startFallback = true, true
		}
	} else {
		g.failures, g.fallback = 0, false
	}
	g.due = now.Add(wait)
	s.mu.Unlock()
	s.publish()
	if err != nil {
		s.r.log(ctx).Error(err, "drift sweep of a collection failed", "retryAfter", wait.String(), "fallback", startFallback)
	}
	if startFallback {
		for _, o := range objs { // from now on they read their own remote object each sync period
			if !s.wake(ctx, o) {
				break
			}
		}
	}
	return wait
}

// cannotList tells whether a listing failure will not pass by itself: the key may not list, or
// something other than orq answers (a proxy that breaks the list cursor is retried a sync period).
func cannotList(err error) bool {
	k := orqclient.KindOf(err)
	return k == orqclient.KindUnauthorized || k == orqclient.KindMisconfigured
}

// forgetOthers drops the schedules of collections no object in sync uses any more.
func (s *sweeper) forgetOthers(inUse map[string][]Object) {
	s.mu.Lock()
	for g := range s.groups {
		if _, ok := inUse[g]; !ok {
			delete(s.groups, g)
		}
	}
	s.mu.Unlock()
	s.publish()
}

// publish sets the gauge of the collections whose objects read themselves, their listing failing.
func (s *sweeper) publish() {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, g := range s.groups {
		if g.fallback {
			n++
		}
	}
	metrics.SweepFailingWorkspaces.WithLabelValues(s.r.Kind.Name()).Set(float64(n))
}

// wake queues an object whose remote object changed, so that its next pass reads it; false when
// ctx ended first.
func (s *sweeper) wake(ctx context.Context, o Object) bool {
	name := client.ObjectKeyFromObject(o)
	s.mu.Lock()
	s.woken[name] = true
	s.mu.Unlock()
	metrics.SweepWakeups.WithLabelValues(s.r.Kind.Name()).Inc()
	obj := s.r.Kind.New()
	obj.SetNamespace(name.Namespace)
	obj.SetName(name.Name)
	select {
	case s.events <- event.GenericEvent{Object: obj}:
		return true
	case <-ctx.Done():
		return false
	}
}
