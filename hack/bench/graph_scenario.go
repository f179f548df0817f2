package main

import (
	"context"
	"fmt"
	"log"
	"sync"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// (i) the graph: every kind at once, in a namespace of its own (see graph.go). It measures the
// time until every object is Ready, then the calls of the drift sweeps over three sync periods,
// and the manager's memory (RSS and heap) holding the whole graph.

// graphRun is one run of the graph scenario.
type graphRun struct {
	r        *run
	shape    graphShape
	ns       string
	kinds    []graphKind
	trackers []*tracker // of kinds, in their order
	timeout  time.Duration
}

// graphPeriods is how many sync periods the steady state of the graph is counted over.
const graphPeriods = 3

// graphShape is the graph of this N, in the proportions of the flags.
func (r *run) graphShape() graphShape {
	c := r.b.cfg
	return graphShape{agents: r.n, knowledgeEvery: c.graphKnowledgeEvery, memoryEvery: c.graphMemoryEvery, scheduleEvery: c.graphScheduleEvery}
}

// graphTimeout is the timeout of each wait of the graph scenario: -timeout, else 3 min + 30 ms
// per object.
func (r *run) graphTimeout() time.Duration {
	if r.b.cfg.timeout > 0 {
		return r.b.cfg.timeout
	}
	return 3*time.Minute + time.Duration(r.graphShape().objects())*30*time.Millisecond
}

func (r *run) newGraphRun() *graphRun {
	shape := r.graphShape()
	return &graphRun{r: r, shape: shape, ns: r.ns + "-graph", kinds: shape.kinds(), timeout: r.graphTimeout()}
}

// graph runs the scenario; the objects are deleted after it unless the control plane is
// discarded anyway (the last N).
func (r *run) graph(ctx context.Context, res *result) error {
	g := r.newGraphRun()
	sh := g.shape
	res.title = fmt.Sprintf("(i) graph: %s: %d objects; until all are Ready, then %d sync periods of steady state",
		sh.describe(), sh.objects(), graphPeriods)
	stop, err := g.start(ctx)
	if err != nil {
		return err
	}
	defer stop()
	if !r.last {
		defer func() {
			if ctx.Err() == nil { // interrupted: the control plane goes, the objects with it
				g.cleanup()
			}
		}()
	}
	if err := g.create(ctx, res); err != nil {
		return err
	}
	return g.steady(ctx, res)
}

// start makes the namespace and follows the objects of every kind in it; stop ends that.
func (g *graphRun) start(ctx context.Context) (stop func(), err error) {
	if err := g.r.b.ensureNamespace(ctx, g.ns); err != nil {
		return nil, err
	}
	tctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	for _, k := range g.kinds {
		t := newTracker(g.r.b.dyn, k.gvr, g.ns)
		g.trackers = append(g.trackers, t)
		wg.Add(1)
		go func() { defer wg.Done(); t.run(tctx) }()
	}
	stop = func() { cancel(); wg.Wait() }
	for _, t := range g.trackers {
		for !t.isSynced() {
			if !sleepCtx(ctx, 50*time.Millisecond) {
				stop()
				return nil, ctx.Err()
			}
		}
	}
	return stop, nil
}

// apply creates the objects, kind after kind, each kind on the bench's client workers.
func (g *graphRun) apply(ctx context.Context) error {
	for _, k := range g.kinds {
		idx := map[string]int{}
		for i, name := range k.names {
			idx[name] = i
		}
		err := g.r.parallel(ctx, "graph: create "+k.kind+"s", k.names, func(ctx context.Context, name string) error {
			_, err := g.r.b.dyn.Resource(k.gvr).Namespace(g.ns).Create(ctx, k.object(g.ns, idx[name]), metav1.CreateOptions{})
			if apierrors.IsAlreadyExists(err) {
				return nil // a retried create that had succeeded
			}
			return err
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// applyAndWait applies the graph while following it, so that the objects Ready before the last
// apply are timed as such; it returns how long the apply took and when the last object of each
// kind first was Ready.
func (g *graphRun) applyAndWait(ctx context.Context) (applied time.Duration, done []time.Time, err error) {
	start := time.Now()
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	waited := make(chan error, 1)
	go func() {
		var err error
		done, err = g.waitReady(wctx)
		waited <- err
	}()
	if err := g.apply(ctx); err != nil {
		cancel()
		<-waited
		return 0, nil, err
	}
	applied = time.Since(start)
	err = <-waited // done is written before this answer
	return applied, done, err
}

// waitReady waits until every object is Ready and Synced for its generation, and returns when
// the last object of each kind first was.
func (g *graphRun) waitReady(ctx context.Context) ([]time.Time, error) {
	ready := func(_ string, st objectState, ok bool) bool { return ok && st.converged() }
	done := make([]time.Time, len(g.kinds))
	deadline := time.Now().Add(g.timeout)
	lastLog := time.Now()
	for {
		left := 0
		for i, k := range g.kinds {
			if !done[i].IsZero() {
				continue
			}
			n, pending := g.trackers[i].count(k.names, ready)
			switch {
			case n == len(k.names):
				done[i] = time.Now()
			case time.Now().After(deadline):
				return nil, fmt.Errorf("graph: %d of %d %ss Ready after %s (timeout); pending: %s", n, len(k.names), k.kind, g.timeout, describe(g.trackers[i], pending))
			default:
				left++
				if time.Since(lastLog) >= 5*time.Second {
					log.Printf("  graph: %d/%d %ss Ready", n, len(k.names), k.kind)
				}
			}
		}
		if left == 0 {
			return done, nil
		}
		if time.Since(lastLog) >= 5*time.Second {
			lastLog = time.Now()
		}
		if err := g.r.b.managerAlive(); err != nil {
			return nil, err
		}
		if !sleepCtx(ctx, 100*time.Millisecond) {
			return nil, ctx.Err()
		}
	}
}

// cleanup deletes the graph (not measured), so that the next N starts without it.
func (g *graphRun) cleanup() {
	ctx, cancel := context.WithTimeout(context.Background(), g.timeout)
	defer cancel()
	for i := len(g.kinds) - 1; i >= 0; i-- { // what names others first: nothing waits on InUse
		k := g.kinds[i]
		g.r.cleanupObjects(ctx, k.kind+"s", k.gvr, g.ns, g.trackers[i])
	}
}
