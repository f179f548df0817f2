package main

import (
	"context"
	"errors"
	"fmt"
	"log"
	"math"
	"net/http"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"

	"github.com/orq-ai/orq-operator/internal/orqmem"
)

// allScenarios in the order they run: each starts from the state the previous one left.
var allScenarios = []string{"create", "change", "edit", "steady", "restart", "ratelimit", "reject", "delete"}

// agentObject is a minimal valid Agent.
func agentObject(ns, name, instructions string) *unstructured.Unstructured {
	return &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": agentGVR.Group + "/" + agentGVR.Version,
		"kind":       "Agent",
		"metadata":   map[string]any{"name": name, "namespace": ns},
		"spec": map[string]any{
			"role":         "Benchmark agent",
			"description":  "An agent of the orq-operator benchmark",
			"instructions": instructions,
			"path":         "Default Project/bench",
			"model":        map[string]any{"id": "openai/gpt-4o-mini"},
		},
	}}
}

// run is the benchmark of one N.
type run struct {
	b       *bench
	n       int
	ns      string
	names   []string
	t       *tracker
	timeout time.Duration

	mu  sync.Mutex
	gen map[string]int64 // the generation each Agent reached by the bench's last write
}

func (r *run) setGen(name string, g int64) {
	r.mu.Lock()
	r.gen[name] = g
	r.mu.Unlock()
}

func (r *run) wantGen(name string) int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.gen[name]
}

// parallel runs fn for each name on the bench's client workers and stops at the first error.
func (r *run) parallel(ctx context.Context, what string, names []string, fn func(ctx context.Context, name string) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	work := make(chan string)
	var (
		done    atomic.Int64
		errOnce sync.Once
		first   error
		wg      sync.WaitGroup
	)
	for range r.b.cfg.clientWorkers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for name := range work {
				if err := retryKube(ctx, func() error { return fn(ctx, name) }); err != nil {
					errOnce.Do(func() { first = fmt.Errorf("%s %s: %w", what, name, err); cancel() })
					return
				}
				done.Add(1)
			}
		}()
	}
	tick := time.NewTicker(5 * time.Second)
	defer tick.Stop()
feed:
	for _, name := range names {
		select {
		case work <- name:
		case <-ctx.Done():
			break feed
		case <-tick.C:
			log.Printf("  %s: %d/%d sent", what, done.Load(), len(names))
			select {
			case work <- name:
			case <-ctx.Done():
				break feed
			}
		}
	}
	close(work)
	wg.Wait()
	if first != nil {
		return first
	}
	return ctx.Err()
}

// waitFor polls the tracker until pred holds for every name; it returns when it first did.
func (r *run) waitFor(ctx context.Context, what string, names []string, timeout time.Duration,
	pred func(name string, st agentState, ok bool) bool) (time.Time, error) {
	deadline := time.Now().Add(timeout)
	lastLog := time.Now()
	for {
		n, pending := r.t.count(names, pred)
		if n == len(names) {
			return time.Now(), nil
		}
		if err := r.b.managerAlive(); err != nil {
			return time.Time{}, err
		}
		if time.Now().After(deadline) {
			return time.Time{}, fmt.Errorf("%s: %d of %d done after %s (timeout); pending: %s", what, n, len(names), timeout, r.describe(pending))
		}
		if time.Since(lastLog) >= 5*time.Second {
			log.Printf("  %s: %d/%d", what, n, len(names))
			lastLog = time.Now()
		}
		if !sleepCtx(ctx, 50*time.Millisecond) {
			return time.Time{}, ctx.Err()
		}
	}
}

// describe shows the state of a few Agents, for timeouts.
func (r *run) describe(names []string) string {
	var parts []string
	for _, n := range names {
		st, ok := r.t.get(n)
		if !ok {
			parts = append(parts, n+" (absent)")
			continue
		}
		parts = append(parts, fmt.Sprintf("%s (gen %d, observed %d, Ready %s, Synced %s, Stalled %s %s)", n,
			st.generation, st.observedGeneration, st.ready, st.synced, st.stalled, st.stalledReason))
	}
	return strings.Join(parts, "; ")
}

// convergedPred: Ready and Synced at (at least) the generation the bench last wrote.
func (r *run) convergedPred(name string, st agentState, ok bool) bool {
	return ok && st.converged() && st.generation >= r.wantGen(name)
}

// goneMissing: the Agent no longer exists.
func goneMissing(_ string, _ agentState, ok bool) bool { return !ok }

// setInstructions changes spec.instructions of an Agent and records its new generation.
func (r *run) setInstructions(ctx context.Context, name, text string) error {
	patch := fmt.Appendf(nil, `{"spec":{"instructions":%q}}`, text)
	got, err := r.b.dyn.Resource(agentGVR).Namespace(r.ns).Patch(ctx, name, types.MergePatchType, patch, metav1.PatchOptions{})
	if err != nil {
		return err
	}
	r.setGen(name, got.GetGeneration())
	return nil
}

// create applies the Agents and records their generation.
func (r *run) createAgents(ctx context.Context, what string, names []string, instructions string) error {
	return r.parallel(ctx, what, names, func(ctx context.Context, name string) error {
		got, err := r.b.dyn.Resource(agentGVR).Namespace(r.ns).Create(ctx, agentObject(r.ns, name, instructions), metav1.CreateOptions{})
		if apierrors.IsAlreadyExists(err) {
			return nil // a retried create that had succeeded
		}
		if err != nil {
			return err
		}
		r.setGen(name, got.GetGeneration())
		return nil
	})
}

// deleteAgents deletes the Agents (the operator's finalizer then runs).
func (r *run) deleteAgents(ctx context.Context, what string, names []string) error {
	return r.parallel(ctx, what, names, func(ctx context.Context, name string) error {
		err := r.b.dyn.Resource(agentGVR).Namespace(r.ns).Delete(ctx, name, metav1.DeleteOptions{})
		if apierrors.IsNotFound(err) {
			return nil
		}
		return err
	})
}

func (r *run) apiBound(calls int) time.Duration {
	c := r.b.cfg
	return apiBound(calls, c.latency, c.workers, c.qps, c.burst)
}

// kubeBoundRow adds the time the apiserver needs for writes at the calibrated status-write
// rate, for context.
func (r *run) kubeBoundRow(res *result, writes int) {
	if rate := r.b.statusRate; rate > 0 && writes > 0 {
		d := time.Duration(float64(writes) / rate * float64(time.Second))
		res.tbl.add("  context: kube-bound time", fmtDuration(d), fmt.Sprintf("%d writes at the calibrated %.0f status writes/s", writes, rate), "—")
	}
}

// machineBound is the least time this machine's apiserver needs for the bench's own creates and
// the operator's least writes, at the calibrated rates (each measured with the apiserver saturated
// by that kind of write alone, so the times add); 0 without calibration. The two cores are
// shared: while the apiserver takes these writes, the manager, etcd and the bench run too.
func (r *run) machineBound(creates, writes int) time.Duration {
	if r.b.createRate <= 0 || r.b.statusRate <= 0 {
		return 0
	}
	return time.Duration((float64(creates)/r.b.createRate + float64(writes)/r.b.statusRate) * float64(time.Second))
}

// runScenario measures one scenario; errors are reported in its result.
func (r *run) runScenario(ctx context.Context, name string) *result {
	sctx, cancel := context.WithTimeout(ctx, r.timeout+6*r.b.cfg.syncPeriod+2*r.b.cfg.rlWindow)
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
func (r *run) bulk(ctx context.Context, what string, pred func(string, agentState, bool) bool,
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

// (a) create.
func (r *run) create(ctx context.Context, res *result) error {
	n := r.n
	res.title = fmt.Sprintf("(a) create: apply %d Agents at once; until all are Ready and Synced with observedGeneration = generation", n)
	m, elapsed, applied, err := r.bulk(ctx, "create: converged", r.convergedPred, func(ctx context.Context) error {
		return r.createAgents(ctx, "create", r.names, "Answer the question in one sentence.")
	})
	if err != nil {
		return err
	}
	bound := r.apiBound(n)
	res.timeRow("time to converge (from the first create)", elapsed, bound, "API-bound: N POST × latency / workers")
	res.tbl.add("  context: the bench's own apply of N Agents", fmtDuration(applied), "—", "—")
	r.kubeBoundRow(res, 2*n)
	machine := r.machineBound(n, 2*n)
	if machine > 0 {
		res.timeRow("  context: time to converge vs this machine's apiserver", elapsed, machine,
			fmt.Sprintf("machine-bound: N creates at the calibrated %.0f/s + 2N writes at %.0f/s", r.b.createRate, r.b.statusRate))
	}
	res.orqRows(m, map[string]float64{"POST": float64(n)}, n, "agent")
	res.kubeRows(m, float64(2*n), n, "agent")
	res.procRows(m)

	ratio := timeRatio(elapsed, bound)
	switch {
	case n >= 10000:
		res.head("time to converge", ratio, 1, fmtDuration(elapsed), fmtDuration(bound), "≤ 2× API-bound (N=10000)", ptr(ratio <= 2))
	case n >= 1000:
		res.head("time to converge", ratio, 1, fmtDuration(elapsed), fmtDuration(bound), "≤ 1.5× API-bound (N=1000)", ptr(ratio <= 1.5))
	default:
		res.head("time to converge", ratio, 1, fmtDuration(elapsed), fmtDuration(bound), "—", nil)
	}
	if machine > 0 {
		res.head("time to converge vs machine-bound", timeRatio(elapsed, machine), 1, fmtDuration(elapsed), fmtDuration(machine), "—", nil)
	}
	perAgent := float64(m.agentCalls()) / float64(n)
	res.head("orq calls / created agent", perAgent, 1, "", "", "1.0", ptr(perAgent <= 1.0001))
	r.sweepHead(res, m, elapsed)
	w, _ := m.kubeWrites(agentGVR.Resource)
	res.head("kube writes / created agent", w/float64(n), 2, "", "", "finalizer + 1 status write", ptr(w <= float64(2*n)))
	return nil
}

// sweepHead adds the headline of the drift sweeps' list pages during a scenario that lasted
// elapsed: at most ceil(N/200) pages for each sync period begun. They are apart from the calls
// per agent: the sweeps list the workspace every sync period, whatever the scenario does.
func (r *run) sweepHead(res *result, m measurement, elapsed time.Duration) {
	bound := (int(elapsed/r.b.cfg.syncPeriod) + 1) * listPages(r.n)
	lists := m.orq["LIST"]
	res.head("orq list pages of drift sweeps", float64(lists), float64(bound), "", "", "≤ ceil(N/200) per sync period", ptr(lists <= bound))
}

// rssSummary is the manager's peak RSS over all the scenarios of one N.
func rssSummary(n int, results []*result) *result {
	res := newResult(n, "all", "summary")
	var peak uint64
	for _, r := range results {
		peak = max(peak, r.peakRSS)
	}
	res.head("manager peak RSS, all scenarios", float64(peak)/(1<<20), noBound, fmtMiB(peak), "—", rssGoal(n), rssMet(n, peak))
	return res
}

// driftLoad is the share of the workers' time that one GET per agent per sync period would take
// (drift checks agent by agent, which the list sweeps replaced).
func (r *run) driftLoad() float64 {
	c := r.b.cfg
	return float64(r.n) * c.latency.Seconds() / (float64(c.workers) * c.syncPeriod.Seconds())
}

func rssGoal(n int) string {
	if n >= 10000 {
		return "< 150 MiB at N=10000"
	}
	return "—"
}

func rssMet(n int, rss uint64) *bool {
	if n >= 10000 {
		return ptr(rss < 150<<20)
	}
	return nil
}

// (b) change one field of every Agent.
func (r *run) change(ctx context.Context, res *result) error {
	n := r.n
	res.title = fmt.Sprintf("(b) change: set spec.instructions of all %d Agents; until all have observedGeneration = generation and Synced", n)
	m, elapsed, applied, err := r.bulk(ctx, "change: converged", r.convergedPred, func(ctx context.Context) error {
		return r.parallel(ctx, "change", r.names, func(ctx context.Context, name string) error {
			return r.setInstructions(ctx, name, "Answer the question in two sentences.")
		})
	})
	if err != nil {
		return err
	}
	bound := r.apiBound(n)
	res.timeRow("time to converge (from the first edit)", elapsed, bound, "API-bound: N PATCH × latency / workers")
	res.tbl.add("  context: the bench's own edit of N Agents", fmtDuration(applied), "—", "—")
	r.kubeBoundRow(res, n)
	res.orqRows(m, map[string]float64{"PATCH": float64(n)}, n, "agent")
	res.kubeRows(m, float64(n), n, "agent")
	res.procRows(m)
	perAgent := float64(m.agentCalls()) / float64(n)
	res.head("time to converge", timeRatio(elapsed, bound), 1, fmtDuration(elapsed), fmtDuration(bound), "—", nil)
	res.head("orq calls / changed agent", perAgent, 1, "", "", "1 PATCH", ptr(perAgent <= 1.0001))
	r.sweepHead(res, m, elapsed)
	w, _ := m.kubeWrites(agentGVR.Resource)
	res.head("kube writes / changed agent", w/float64(n), 1, "", "", "1 status write", ptr(w <= float64(n)))
	return nil
}

// (h) latency from one edit to its PATCH while the other Agents are idle.
func (r *run) edit(ctx context.Context, res *result) error {
	n, edits := r.n, r.b.cfg.edits
	res.title = fmt.Sprintf("(h) edit → PATCH: %d sequential single edits while %d Agents are idle; from the update's answer to orq receiving the PATCH", edits, n)
	s, err := r.b.begin(ctx)
	if err != nil {
		return err
	}
	var lat []time.Duration
	for i := range edits {
		name := r.names[(i*n)/edits]
		ch, stop := r.b.rec.watchPatch(name)
		err := r.setInstructions(ctx, name, fmt.Sprintf("Answer the question in one sentence (edit %d).", i))
		sent := time.Now()
		if err != nil {
			stop()
			return err
		}
		select {
		case at := <-ch:
			lat = append(lat, at.Sub(sent))
		case <-time.After(30 * time.Second):
			stop()
			return fmt.Errorf("edit %d of %s: no PATCH within 30s", i, name)
		case <-ctx.Done():
			stop()
			return ctx.Err()
		}
		stop()
		if _, err := r.waitFor(ctx, "edit: converged", []string{name}, time.Minute, r.convergedPred); err != nil {
			return err
		}
		sleepCtx(ctx, 100*time.Millisecond) // let the status write settle: the next edit starts idle
	}
	m, err := r.b.end(ctx, s, nil)
	if err != nil {
		return err
	}
	rt := r.b.cfg.latency
	p50, p99, worst := percentile(lat, 50), percentile(lat, 99), percentile(lat, 100)
	res.timeRow("p50 edit → PATCH", p50, rt, "one round trip")
	res.timeRow("p99 edit → PATCH", p99, rt, "one round trip")
	res.timeRow("max edit → PATCH", worst, rt, "one round trip")
	res.orqRows(m, map[string]float64{"PATCH": float64(edits)}, edits, "edit")
	res.kubeRows(m, float64(edits), edits, "edit")
	res.procRows(m)
	res.notes = append(res.notes, fmt.Sprintf("The PATCH is timed when orq receives it, before the simulated %s latency of its answer. "+
		"Goal: within one queue wait (at most one round trip on a busy queue) plus one round trip, i.e. ≤ %s here.", rt, fmtDuration(2*rt)),
		fmt.Sprintf("Idle means no spec change. Drift is looked for by listing the workspace (ceil(N/200) pages per sync period), which queues only the Agents changed in orq, so an edit waits behind nothing; one GET per agent per sync period instead would keep the %d workers %.0f%% busy at N=%d (N × latency / (workers × sync period)).",
			r.b.cfg.workers, 100*r.driftLoad(), r.n))
	res.head("p99 edit → PATCH", timeRatio(p99, rt), 1, fmtDuration(p99), fmtDuration(rt)+" (1 round trip)",
		"≤ 1 queue wait + 1 round trip ("+fmtDuration(2*rt)+")", ptr(p99 <= 2*rt))
	return nil
}

// (c) steady state over three sync periods.
func (r *run) steady(ctx context.Context, res *result) error {
	n := r.n
	periods := 3
	res.title = fmt.Sprintf("(c) steady state: %d synced Agents, nothing changes, for %d sync periods (%s)", n, periods, time.Duration(periods)*r.b.cfg.syncPeriod)
	s, err := r.b.begin(ctx)
	if err != nil {
		return err
	}
	end := time.Now().Add(time.Duration(periods) * r.b.cfg.syncPeriod)
	for time.Now().Before(end) {
		if err := r.b.managerAlive(); err != nil {
			return err
		}
		if !sleepCtx(ctx, min(time.Second, time.Until(end))) {
			return ctx.Err()
		}
	}
	m, err := r.b.end(ctx, s, nil)
	if err != nil {
		return err
	}
	bound := periods * listPages(n)
	res.orqRows(m, map[string]float64{"LIST": float64(bound)}, n, "agent")
	res.kubeRows(m, 0, n, "agent")
	res.procRows(m)
	if c, _ := r.t.count(r.names, r.convergedPred); c != n {
		res.notes = append(res.notes, fmt.Sprintf("Only %d of %d Agents were still converged at the end.", c, n))
	}
	res.notes = append(res.notes, fmt.Sprintf("Lower bound: one list page per %d agents per sync period: %d × ceil(%d/%d) = %d reads, and no write.", pageSize, periods, n, pageSize, bound),
		fmt.Sprintf("For comparison, one GET per agent per sync period would keep the %d workers %.0f%% busy (N × latency / (workers × sync period)).", r.b.cfg.workers, 100*r.driftLoad()))
	reads := float64(m.orq["GET"] + m.orq["LIST"])
	res.head(fmt.Sprintf("orq reads in %d sync periods", periods), reads, float64(bound), "", "", "≤ ceil(N/200) per period + changed (0)", ptr(reads <= float64(bound)))
	other := float64(m.orqTotal()) - reads
	res.head("orq writes in steady state", other, 0, "", "", "0", ptr(other == 0))
	w, _ := m.kubeWrites(agentGVR.Resource)
	res.head("kube writes in steady state", w, 0, "", "", "0", ptr(w == 0))
	return nil
}

// (d) restart the manager with N synced Agents.
func (r *run) restart(ctx context.Context, res *result) error {
	n := r.n
	res.title = fmt.Sprintf("(d) restart: stop the manager (SIGTERM) with %d synced Agents and start it again; measured over one sync period from the start", n)
	r.b.stopManager()
	s, err := r.b.begin(ctx)
	if err != nil {
		return err
	}
	if err := r.b.startManager(); err != nil {
		return err
	}
	start := r.b.mgr.started
	ready, err := r.b.waitReady(ctx, r.timeout)
	if err != nil {
		return err
	}
	quiet := max(3*time.Second, 10*r.b.cfg.latency)
	deadline := start.Add(r.timeout)
	var settled time.Time
	how := ""
	lastLog := time.Now()
	for settled.IsZero() {
		count, last, keys := r.b.rec.activity()
		switch {
		case keys >= n:
			settled, how = last, "every agent read once"
		case count > 0 && time.Since(last) >= quiet:
			settled, how = last, fmt.Sprintf("no orq call for %s", quiet)
		case time.Now().After(deadline):
			return fmt.Errorf("restart: not settled within %s (%d calls, %d agents read)", r.timeout, count, keys)
		}
		if err := r.b.managerAlive(); err != nil {
			return err
		}
		if time.Since(lastLog) >= 5*time.Second {
			log.Printf("  restart: %d calls, %d/%d agents read", count, keys, n)
			lastLog = time.Now()
		}
		if !sleepCtx(ctx, 100*time.Millisecond) {
			return ctx.Err()
		}
	}
	windowEnd := start.Add(r.b.cfg.syncPeriod)
	if settled.After(windowEnd) {
		windowEnd = settled
	}
	if d := time.Until(windowEnd); d > 0 && !sleepCtx(ctx, d) {
		return ctx.Err()
	}
	m, err := r.b.end(ctx, s, nil)
	if err != nil {
		return err
	}
	pages := listPages(n)
	elapsed := settled.Sub(start)
	bound := time.Duration(pages) * r.b.cfg.latency
	res.timeRow("time to settle (process start → last call of the re-read)", elapsed, bound, "ceil(N/200) list pages × latency")
	res.tbl.add("  context: process start → workers started", fmtDuration(ready.Sub(start)), "—", "—")
	res.orqRows(m, map[string]float64{"LIST": float64(pages)}, n, "agent")
	res.kubeRows(m, 0, n, "agent")
	res.procRows(m)
	res.notes = append(res.notes, "Settled when: "+how+". The time includes the process start and the informer's initial list.")
	if c, _ := r.t.count(r.names, r.convergedPred); c != n {
		res.notes = append(res.notes, fmt.Sprintf("Only %d of %d Agents were still converged at the end.", c, n))
	}
	reads := float64(m.orq["GET"] + m.orq["LIST"])
	res.head("orq reads after restart", reads, float64(pages), "", "", "≤ ceil(N/200)", ptr(reads <= float64(pages)))
	w, _ := m.kubeWrites(agentGVR.Resource)
	res.head("kube writes after restart", w, 0, "", "", "0", ptr(w == 0))
	res.head("time to settle", timeRatio(elapsed, bound), 1, fmtDuration(elapsed), fmtDuration(bound), "—", nil)
	return nil
}

// (e) a window in which every orq call answers 429 with Retry-After.
func (r *run) rateLimit(ctx context.Context, res *result) error {
	n, win, ra := r.n, r.b.cfg.rlWindow, r.b.cfg.retryAfter
	k := min(r.b.cfg.rlEdits, n)
	res.title = fmt.Sprintf("(e) 429 window: every orq call answers 429 with Retry-After %s for %s, while %d Agents are edited", ra, win, k)
	s, err := r.b.begin(ctx)
	if err != nil {
		return err
	}
	r.b.mem.AddFault(orqmem.Fault{Status: http.StatusTooManyRequests, RetryAfter: ra, Message: "rate limited (bench)"})
	from := time.Now()
	edited := make([]string, 0, k)
	for i := range k {
		edited = append(edited, r.names[(i*n)/k])
	}
	if err := r.parallel(ctx, "ratelimit: edit", edited, func(ctx context.Context, name string) error {
		return r.setInstructions(ctx, name, "Answer the question in three sentences.")
	}); err != nil {
		r.b.mem.ClearFaults()
		r.b.addLatency()
		return err
	}
	ok := sleepCtx(ctx, time.Until(from.Add(win)))
	r.b.mem.ClearFaults()
	r.b.addLatency()
	to := time.Now()
	if !ok {
		return ctx.Err()
	}
	doneEdited, err := r.waitFor(ctx, "ratelimit: edited Agents converged", edited, r.timeout, r.convergedPred)
	if err != nil {
		return err
	}
	doneAll, err := r.waitFor(ctx, "ratelimit: all Agents converged", r.names, r.timeout, r.convergedPred)
	if err != nil {
		return err
	}
	m, err := r.b.end(ctx, s, nil)
	if err != nil {
		return err
	}
	slack := 50 * time.Millisecond
	g := analyzeGate(m.calls, from, to, slack)
	probes := int(math.Ceil(win.Seconds() / ra.Seconds()))
	res.row("orq requests arriving in the window", float64(g.requests), float64(probes), "", fmt.Sprintf("%d (one per Retry-After)", probes))
	res.row("  of which answered 429", float64(g.limited), noBound, "", "—")
	early := fmt.Sprint(g.early)
	if g.early > 0 {
		early = fmt.Sprintf("%d (earliest %s before the gate opened)", g.early, fmtDuration(g.worst))
	}
	res.row("requests arriving before an earlier 429's Retry-After expired", float64(g.early), 0, early, "")
	res.row("most requests within ±50 ms of a gate opening", float64(g.maxBurst), 1, "", "")
	after := map[string]int{}
	for _, c := range m.calls {
		if !c.at.Before(to) {
			after[c.verb]++
		}
	}
	res.tbl.add("orq calls after the window, by verb", verbCounts(after), "—", "—")
	res.timeRow("edited Agents converged after the window", doneEdited.Sub(to), 0, "")
	res.timeRow("all Agents converged after the window", doneAll.Sub(to), 0, "")
	res.kubeRows(m, noBound, 1, "scenario")
	res.procRows(m)
	res.notes = append(res.notes, fmt.Sprintf("A request is early when it arrived at least %s after a 429 was answered and more than %s before that answer's Retry-After ran out "+
		"(requests already on the wire when the 429 was sent are not counted). Kube writes cover the window and the recovery.", slack, slack))
	res.head("requests before Retry-After expired", float64(g.early), 0, "", "", "0 (one shared gate)", ptr(g.early == 0))
	res.head("requests in the 429 window", float64(g.requests), float64(probes), "", "", "—", nil)
	return nil
}

// verbCounts renders counts by verb.
func verbCounts(m map[string]int) string {
	var parts []string
	for _, v := range orqVerbs {
		if m[v] > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", v, m[v]))
		}
	}
	if len(parts) == 0 {
		return "0"
	}
	return strings.Join(parts, ", ")
}

// (f) a 400 on create.
func (r *run) reject(ctx context.Context, res *result) error {
	n, k := r.n, r.b.cfg.rejects
	periods := 2
	res.title = fmt.Sprintf("(f) 400 on create: %d new Agents whose POST answers 400, next to %d synced ones; counted over %d sync periods", k, n, periods)
	names := make([]string, k)
	rejected := map[string]bool{}
	for i := range names {
		names[i] = fmt.Sprintf("reject-%03d", i+1)
		rejected[names[i]] = true
	}
	s, err := r.b.begin(ctx)
	if err != nil {
		return err
	}
	r.b.mem.AddFault(orqmem.Fault{Method: http.MethodPost, Path: agentsPath, Status: http.StatusBadRequest, Times: k, Message: "rejected by the bench"})
	start := time.Now()
	err = r.createAgents(ctx, "reject: create", names, "Answer the question in one sentence.")
	var done time.Time
	if err == nil {
		done, err = r.waitFor(ctx, "reject: Stalled", names, r.timeout, func(name string, st agentState, ok bool) bool {
			return ok && st.stalled == "True" && st.observedGeneration == st.generation && st.generation >= r.wantGen(name)
		})
	}
	if err == nil && !sleepCtx(ctx, time.Duration(periods)*r.b.cfg.syncPeriod) {
		err = ctx.Err()
	}
	var m measurement
	if err == nil {
		m, err = r.b.end(ctx, s, func(key string) bool { return rejected[key] })
	}
	r.b.mem.ClearFaults()
	r.b.addLatency()
	defer func() {
		// Not measured: remove them so that they do not weigh on the next scenarios.
		if err := r.deleteAgents(ctx, "reject: delete", names); err == nil {
			_, _ = r.waitFor(ctx, "reject: deleted", names, r.timeout, goneMissing)
		}
	}()
	if err != nil {
		return err
	}
	counts := map[string]int{}
	for _, name := range names {
		st, _ := r.t.get(name)
		counts[st.stalledReason]++
	}
	var reasons []string
	for reason, c := range counts {
		reasons = append(reasons, fmt.Sprintf("%s ×%d", reason, c))
	}
	sort.Strings(reasons)
	elapsed := done.Sub(start)
	res.timeRow("time until all are Stalled", elapsed, r.apiBound(k), "API-bound: k POST × latency / workers")
	res.orqRows(m, map[string]float64{"POST": float64(k)}, k, "rejected agent")
	res.kubeRows(m, float64(2*k), k, "rejected agent")
	res.procRows(m)
	res.notes = append(res.notes, fmt.Sprintf("Stalled reasons: %s. Orq calls are those for the rejected keys only; kube writes are all the operator's writes in the window (the %d synced Agents should write nothing).", strings.Join(reasons, ", "), n))
	perAgent := float64(m.orqTotal()) / float64(k)
	res.head("orq calls / rejected agent", perAgent, 1, "", "", "1 POST, no retry until the spec changes", ptr(perAgent <= 1.0001))
	return nil
}

// (g) delete all.
func (r *run) delete(ctx context.Context, res *result) error {
	n := r.n
	res.title = fmt.Sprintf("(g) delete: delete all %d Agents; until all are gone", n)
	m, elapsed, applied, err := r.bulk(ctx, "delete: gone", goneMissing, func(ctx context.Context) error {
		return r.deleteAgents(ctx, "delete", r.names)
	})
	if err != nil {
		return err
	}
	bound := r.apiBound(n)
	res.timeRow("time until all are gone (from the first delete)", elapsed, bound, "API-bound: N DELETE × latency / workers")
	res.tbl.add("  context: the bench's own delete of N Agents", fmtDuration(applied), "—", "—")
	r.kubeBoundRow(res, n)
	res.orqRows(m, map[string]float64{"DELETE": float64(n)}, n, "agent")
	res.kubeRows(m, float64(n), n, "agent")
	res.procRows(m)
	perAgent := float64(m.agentCalls()) / float64(n)
	res.head("time until all are gone", timeRatio(elapsed, bound), 1, fmtDuration(elapsed), fmtDuration(bound), "—", nil)
	res.head("orq calls / deleted agent", perAgent, 1, "", "", "1 DELETE", ptr(perAgent <= 1.0001))
	r.sweepHead(res, m, elapsed)
	return nil
}

// cleanup removes whatever Agents remain in the namespace: through the manager when it runs,
// else (or when that fails) by removing their finalizers.
func (r *run) cleanup(ctx context.Context) {
	left := r.t.names()
	if len(left) == 0 {
		return
	}
	log.Printf("N=%d: cleaning up %d remaining Agents", r.n, len(left))
	sort.Strings(left)
	if r.b.mgr != nil && r.b.managerAlive() == nil {
		if err := r.deleteAgents(ctx, "cleanup: delete", left); err == nil {
			if _, err := r.waitFor(ctx, "cleanup: gone", left, r.timeout, goneMissing); err == nil {
				return
			}
		}
	}
	left = r.t.names()
	err := r.parallel(ctx, "cleanup: remove finalizers", left, func(ctx context.Context, name string) error {
		res := r.b.dyn.Resource(agentGVR).Namespace(r.ns)
		_, err := res.Patch(ctx, name, types.MergePatchType, []byte(`{"metadata":{"finalizers":null}}`), metav1.PatchOptions{})
		if err == nil {
			err = res.Delete(ctx, name, metav1.DeleteOptions{})
		}
		if apierrors.IsNotFound(err) {
			return nil
		}
		return err
	})
	if err != nil && !errors.Is(err, context.Canceled) {
		log.Printf("N=%d: cleanup: %v", r.n, err)
	}
}
