package main

import (
	"context"
	"fmt"
)

// The scenarios that act on every Agent at once: (a) create, (b) change and (g) delete.

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
