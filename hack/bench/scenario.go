package main

import (
	"context"
	"fmt"
	"log"
	"time"
)

// Which scenarios there are, how one is run, and the measured sequence the bulk ones share.

// allScenarios in the order they run: each starts from the state the previous one left, but
// the graph, which has a namespace of its own.
var allScenarios = []string{"create", "change", "edit", "steady", "restart", "ratelimit", "reject", "delete", "graph"}

// runScenario measures one scenario; errors are reported in its result.
func (r *run) runScenario(ctx context.Context, name string) *result {
	budget := r.timeout + 6*r.b.cfg.syncPeriod + 2*r.b.cfg.rlWindow
	if name == "graph" { // the apply, the wait for Ready and the steady state
		budget = 2*r.graphTimeout() + 6*r.b.cfg.syncPeriod
	}
	sctx, cancel := context.WithTimeout(ctx, budget)
	defer cancel()
	log.Printf("N=%d: scenario %s", r.n, name)
	start := time.Now()
	res := newResult(r.n, name, name)
	var err error
	switch name {
	case "create":
		err = r.create(sctx, res)
	case "change":
		err = r.change(sctx, res)
	case "edit":
		err = r.edit(sctx, res)
	case "steady":
		err = r.steady(sctx, res)
	case "restart":
		err = r.restart(sctx, res)
	case "ratelimit":
		err = r.rateLimit(sctx, res)
	case "reject":
		err = r.reject(sctx, res)
	case "delete":
		err = r.delete(sctx, res)
	case "graph":
		err = r.graph(sctx, res)
	default:
		err = fmt.Errorf("unknown scenario %q", name)
	}
	res.err = err
	if res.err != nil {
		log.Printf("N=%d: scenario %s FAILED after %s: %v", r.n, name, fmtDuration(time.Since(start)), res.err)
	} else {
		log.Printf("N=%d: scenario %s done in %s", r.n, name, fmtDuration(time.Since(start)))
	}
	return res
}

// bulk measures a scenario that acts on every Agent at once: act sends the bench's requests,
// then it waits until pred holds for every Agent. elapsed runs from the first request to the last
// Agent done, applied is the time of the bench's own requests.
func (r *run) bulk(ctx context.Context, what string, pred func(string, objectState, bool) bool,
	act func(context.Context) error) (m measurement, elapsed, applied time.Duration, err error) {
	s, err := r.b.begin(ctx)
	if err != nil {
		return m, 0, 0, err
	}
	start := time.Now()
	if err := act(ctx); err != nil {
		return m, 0, 0, err
	}
	applied = time.Since(start)
	done, err := r.waitFor(ctx, what, r.names, r.timeout, pred)
	if err != nil {
		return m, 0, 0, err
	}
	if m, err = r.b.end(ctx, s, nil); err != nil {
		return m, 0, 0, err
	}
	return m, done.Sub(start), applied, nil
}
