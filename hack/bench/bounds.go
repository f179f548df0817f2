package main

import (
	"fmt"
	"time"
)

// The lower bounds of a run and the headlines measured against them.

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

// sweepHead adds the headline of the drift sweeps' list pages during a scenario that lasted
// elapsed: at most ceil(N/200) pages for each sync period begun. They are apart from the calls
// per agent: the sweeps list the workspace every sync period, whatever the scenario does.
func (r *run) sweepHead(res *result, m measurement, elapsed time.Duration) {
	bound := (int(elapsed/r.b.cfg.syncPeriod) + 1) * listPages(r.n)
	lists := m.orq["LIST"]
	res.head("orq list pages of drift sweeps", float64(lists), float64(bound), "", "", "≤ ceil(N/200) per sync period", ptr(lists <= bound))
}

// driftLoad is the share of the workers' time that one GET per agent per sync period would take
// (drift checks agent by agent, which the list sweeps replaced).
func (r *run) driftLoad() float64 {
	c := r.b.cfg
	return float64(r.n) * c.latency.Seconds() / (float64(c.workers) * c.syncPeriod.Seconds())
}

// rssSummary is the manager's peak RSS over all the scenarios of one N.
// The graph, with more than Agents, has its own figure and goal: it is left out.
func rssSummary(n int, results []*result) *result {
	res := newResult(n, "all", "summary")
	var peak uint64
	figure, others := "manager peak RSS, all scenarios", 0
	for _, r := range results {
		if r.scenario == "graph" {
			figure = "manager peak RSS, all scenarios but the graph"
			continue
		}
		peak, others = max(peak, r.peakRSS), others+1
	}
	if others == 0 && len(results) > 0 {
		return res // the graph alone
	}
	res.head(figure, float64(peak)/(1<<20), noBound, fmtMiB(peak), "—", rssGoal(n), rssMet(n, peak))
	return res
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
