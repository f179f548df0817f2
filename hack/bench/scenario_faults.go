package main

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/orq-ai/orq-operator/internal/orqmem"
)

// The scenarios of faults of the orq API: (e) a 429 window and (f) a 400 on create.

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
		done, err = r.waitFor(ctx, "reject: Stalled", names, r.timeout, func(name string, st objectState, ok bool) bool {
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
