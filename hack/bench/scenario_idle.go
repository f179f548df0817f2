package main

import (
	"context"
	"fmt"
	"log"
	"time"
)

// The scenarios of Agents at rest: (h) edit latency, (c) steady state and (d) restart.

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
