package main

import (
	"fmt"
)

// The manager's memory per 1,000 objects more: from the graph scenarios of two N of one run, each
// with a fresh manager, the growth of its memory divided by the growth of the graph.

// graphMemory is what the graph scenario of one N measured of the manager's memory.
type graphMemory struct {
	objects int
	peakRSS uint64 // VmHWM over the create and the steady state
	endRSS  uint64 // VmRSS at the end of the steady state
	live    uint64 // HeapAlloc after a forced collection, at the end
}

// graphMemoryGrowth is the summary of the growth between consecutive graph scenarios (by
// number of objects), or nil with fewer than two.
func graphMemoryGrowth(results []*result) *result {
	var ms []*result
	for _, r := range results {
		if r.scenario == "graph" && r.err == nil && r.graphMem != nil {
			ms = append(ms, r)
		}
	}
	if len(ms) < 2 {
		return nil
	}
	last := ms[len(ms)-1]
	res := newResult(last.n, "graph", "graph: the manager's memory per 1,000 objects more")
	res.tbl.header = []string{"from → to (objects)", "peak RSS", "RSS at the end", "live heap", "per 1,000 objects more: peak RSS, RSS at the end, live heap"}
	for i := 1; i < len(ms); i++ {
		a, b := ms[i-1].graphMem, ms[i].graphMem
		extra := b.objects - a.objects
		if extra <= 0 {
			continue
		}
		per := func(x, y uint64) string { return fmtMiBPer1000(int64(y)-int64(x), extra) }
		res.tbl.add(fmt.Sprintf("N=%d → %d (%d → %d)", ms[i-1].n, ms[i].n, a.objects, b.objects),
			fmtMiB(a.peakRSS)+" → "+fmtMiB(b.peakRSS), fmtMiB(a.endRSS)+" → "+fmtMiB(b.endRSS), fmtMiB(a.live)+" → "+fmtMiB(b.live),
			per(a.peakRSS, b.peakRSS)+", "+per(a.endRSS, b.endRSS)+", "+per(a.live, b.live))
		if i == len(ms)-1 {
			growth := float64(int64(b.live)-int64(a.live)) / float64(extra) * 1000 / (1 << 20)
			res.head(fmt.Sprintf("manager live heap per 1,000 objects more (N=%d → %d)", ms[i-1].n, ms[i].n), growth, noBound,
				fmtMiBPer1000(int64(b.live)-int64(a.live), extra), "—", "—", nil)
			growth = float64(int64(b.peakRSS)-int64(a.peakRSS)) / float64(extra) * 1000 / (1 << 20)
			res.head(fmt.Sprintf("manager peak RSS per 1,000 objects more (N=%d → %d)", ms[i-1].n, ms[i].n), growth, noBound,
				fmtMiBPer1000(int64(b.peakRSS)-int64(a.peakRSS), extra), "—", "—", nil)
		}
	}
	res.notes = append(res.notes, "Each N ran with a fresh manager and the same proportions. The live heap (after a forced collection) is what the objects cost; the RSS also holds what the Go runtime keeps between collections under GOMEMLIMIT, and the binary's pages.")
	return res
}

// fmtMiBPer1000 renders a growth of bytes over extra objects, per 1,000 objects, in MiB.
func fmtMiBPer1000(bytes int64, extra int) string {
	return fmt.Sprintf("%.1f MiB", float64(bytes)/float64(extra)*1000/(1<<20))
}
