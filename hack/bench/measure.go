package main

import (
	"context"
	"fmt"
	"log"
	"maps"
	"math"
	"runtime"
	"slices"
	"strings"
	"time"
)

// snapshot is the state of the counters at the start of a measurement.
type snapshot struct {
	at    time.Time
	kube  map[string]float64 // apiserver_request_total
	own   map[string]float64 // the bench's own requests
	procs map[string]procCPUAt
	busy  float64 // the machine's busy CPU seconds
}

type procCPUAt struct {
	pid int
	cpu float64
}

// measurement is what happened between a snapshot and its end.
type measurement struct {
	window   time.Duration
	orq      map[string]int            // orqmem's recorded requests, by verb
	routes   map[string]map[string]int // all of them by collection, then verb (see orqRoute)
	orqConns int                       // TCP connections the API accepted
	kube     map[string]float64        // requests of the operator to the apiserver, "VERB resource[/sub]"
	peakRSS  uint64                    // VmHWM of the manager during the measurement
	cpu      map[string]float64        // CPU seconds by process
	others   float64                   // CPU seconds of the machine's other processes
	calls    []orqCall                 // the wrapper's record, for scenario-specific analysis
}

// begin starts a measurement: it forgets the recorded orq requests, resets the manager's peak
// RSS and reads the counters.
func (b *bench) begin(ctx context.Context) (*snapshot, error) {
	b.mem.ResetRequests()
	b.rec.reset()
	if b.mgr != nil {
		if err := resetPeakRSS(b.mgr.pid()); err != nil {
			log.Printf("cannot reset the manager's peak RSS (%v): the figure is the peak since it started", err)
		}
	}
	kube, err := scrapeRequestTotals(ctx, b.kube.CoreV1().RESTClient())
	if err != nil {
		return nil, err
	}
	s := &snapshot{at: time.Now(), kube: kube, own: b.benchOwn.snapshot(), procs: map[string]procCPUAt{}}
	for name, pid := range b.procSet() {
		s.procs[name] = procCPUAt{pid, procCPU(pid)}
	}
	s.busy = systemBusy()
	return s, nil
}

// end completes a measurement; keep, when set, selects the orq requests counted by key.
func (b *bench) end(ctx context.Context, s *snapshot, keep func(key string) bool) (measurement, error) {
	m := measurement{window: time.Since(s.at), cpu: map[string]float64{}, kube: map[string]float64{}}
	reqs := b.mem.Requests()
	m.orq, m.routes = countOrq(reqs, keep), countByRoute(reqs)
	m.calls, m.orqConns = b.rec.snapshot()
	if b.mgr != nil {
		m.peakRSS = procPeakRSS(b.mgr.pid())
	}
	for name, pid := range b.procSet() {
		before := 0.0
		if p, ok := s.procs[name]; ok && p.pid == pid {
			before = p.cpu
		}
		m.cpu[name] = procCPU(pid) - before
	}
	busy := systemBusy() - s.busy
	m.others = busy
	for _, v := range m.cpu {
		m.others -= v
	}
	m.others = max(m.others, 0)
	// The apiserver counts a request when it is done: give the last ones a moment.
	sleepCtx(ctx, 200*time.Millisecond)
	kube, err := scrapeRequestTotals(ctx, b.kube.CoreV1().RESTClient())
	if err != nil {
		return m, err
	}
	own := b.benchOwn.snapshot()
	for k, v := range kube {
		d := v - s.kube[k] - (own[k] - s.own[k])
		if d != 0 {
			m.kube[k] = d
		}
	}
	return m, nil
}

// kubeWrites sums the operator's writes on a resource (with its subresources), with the series.
func (m measurement) kubeWrites(resource string) (float64, []string) {
	total := 0.0
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(m.kube)) {
		verb, res, _ := strings.Cut(k, " ")
		if !isWriteVerb(verb) || (res != resource && !strings.HasPrefix(res, resource+"/")) {
			continue
		}
		total += m.kube[k]
		parts = append(parts, fmt.Sprintf("%s %s", k, fmtCount(m.kube[k])))
	}
	return total, parts
}

// orqTotal is the number of orq requests.
func (m measurement) orqTotal() int { return sumCounts(m.orq) }

// agentCalls is the number of orq requests about one agent each: all but the list pages of the
// drift sweeps, which run every sync period whatever the scenario does.
func (m measurement) agentCalls() int { return m.orqTotal() - m.orq["LIST"] }

// result is the report of one scenario at one N.
type result struct {
	n        int
	scenario string
	title    string
	tbl      table
	notes    []string
	err      error
	heads    []headline
	peakRSS  uint64       // the manager's, during the scenario
	graphMem *graphMemory // the graph scenario's memory figures
}

// headline is one row of the summary.
type headline struct {
	n                 int
	scenario, figure  string
	measured, bound   string
	ratio, goal, met  string
	measuredV, boundV float64
}

func newResult(n int, scenario, title string) *result {
	return &result{n: n, scenario: scenario, title: title,
		tbl: table{header: []string{"figure", "measured", "lower bound", "ratio"}}}
}

// row adds a figure with its bound and ratio.
func (r *result) row(figure string, measured, bound float64, ms, bs string) {
	if ms == "" {
		ms = fmtCount(measured)
	}
	if bs == "" {
		bs = fmtCount(bound)
	}
	r.tbl.add(figure, ms, bs, fmtRatio(measured, bound))
}

// timeRow adds a duration with its bound.
func (r *result) timeRow(figure string, measured, bound time.Duration, boundNote string) {
	b := noBound
	bs := "—"
	if bound > 0 {
		b = bound.Seconds()
		bs = fmtDuration(bound)
		if boundNote != "" {
			bs += " (" + boundNote + ")"
		}
	}
	r.row(figure, measured.Seconds(), b, fmtDuration(measured), bs)
}

// orqRows adds the orq calls per unit by verb, and their total, against bounds (totals).
func (r *result) orqRows(m measurement, bounds map[string]float64, per int, unit string) {
	if per < 1 {
		per = 1
	}
	total, totalBound := 0.0, 0.0
	for _, verb := range orqVerbs {
		got := float64(m.orq[verb])
		bound := bounds[verb]
		total += got
		totalBound += bound
		if got == 0 && bound == 0 {
			continue
		}
		r.row(fmt.Sprintf("orq %s / %s", verb, unit), got/float64(per), bound/float64(per), "", "")
	}
	r.row(fmt.Sprintf("orq calls / %s (all verbs)", unit), total/float64(per), totalBound/float64(per),
		fmt.Sprintf("%s (%d calls)", fmtCount(total/float64(per)), int(total)), "")
}

// kubeRows adds the operator's writes to the apiserver per unit, against a bound (total; NaN:
// none), and the events it wrote.
func (r *result) kubeRows(m measurement, bound float64, per int, unit string) {
	if per < 1 {
		per = 1
	}
	w, parts := m.kubeWrites(agentGVR.Resource)
	detail := fmt.Sprintf("%s (%s)", fmtCount(w/float64(per)), strings.Join(parts, ", "))
	if len(parts) == 0 {
		detail = "0"
	}
	r.row(fmt.Sprintf("kube writes on Agents / %s", unit), w/float64(per), bound/float64(per), detail, "")
	if ev, _ := m.kubeWrites("events"); ev > 0 {
		r.row(fmt.Sprintf("kube writes of Events / %s", unit), ev/float64(per), noBound, "", "")
	}
}

// procRows adds the manager's peak RSS and the CPU time of each process.
func (r *result) procRows(m measurement) { r.procRowsAs(m, "") }

// procRowsAs is procRows with its figures' names prefixed (a phase of a scenario).
func (r *result) procRowsAs(m measurement, prefix string) {
	r.peakRSS = max(r.peakRSS, m.peakRSS)
	r.tbl.add(prefix+"manager peak RSS (VmHWM)", fmtMiB(m.peakRSS), "—", "—")
	cpu := []string{}
	for _, name := range []string{"manager", "kube-apiserver", "etcd", "bench"} {
		if v, ok := m.cpu[name]; ok {
			cpu = append(cpu, fmt.Sprintf("%s %.1f", name, v))
		}
	}
	cpu = append(cpu, fmt.Sprintf("other processes %.1f", m.others))
	r.tbl.add(fmt.Sprintf("%sCPU seconds over %s (%d cores)", prefix, fmtDuration(m.window), runtime.NumCPU()), strings.Join(cpu, ", "), "—", "—")
	if m.orqConns > 0 {
		r.tbl.add(prefix+"TCP connections opened to the orq API", fmt.Sprint(m.orqConns), "—", "—")
	}
}

// head adds a row to the summary.
func (r *result) head(figure string, measured, bound float64, ms, bs, goal string, met *bool) {
	h := headline{n: r.n, scenario: r.scenario, figure: figure, measuredV: measured, boundV: bound,
		measured: ms, bound: bs, ratio: fmtRatio(measured, bound), goal: goal}
	if h.measured == "" {
		h.measured = fmtCount(measured)
	}
	if h.bound == "" {
		h.bound = fmtCount(bound)
	}
	switch {
	case met == nil:
		h.met = "—"
	case *met:
		h.met = "yes"
	default:
		h.met = "**no**"
	}
	r.heads = append(r.heads, h)
}

func ptr(b bool) *bool { return &b }

// markdown renders the result.
func (r *result) markdown() string {
	var b strings.Builder
	if r.err == nil && len(r.tbl.rows) == 0 && len(r.notes) == 0 {
		return "" // a summary row only
	}
	fmt.Fprintf(&b, "#### N = %d — %s\n\n", r.n, r.title)
	if r.err != nil {
		fmt.Fprintf(&b, "**Failed:** %s\n\n", escapeCell(r.err.Error()))
	}
	if len(r.tbl.rows) > 0 {
		b.WriteString(r.tbl.String())
		b.WriteString("\n")
	}
	for _, n := range r.notes {
		fmt.Fprintf(&b, "- %s\n", n)
	}
	if len(r.notes) > 0 {
		b.WriteString("\n")
	}
	return b.String()
}

// headlineTable renders the summary of all results.
func headlineTable(results []*result) string {
	t := table{header: []string{"N", "scenario", "figure", "measured", "lower bound", "ratio", "goal", "met"}}
	for _, r := range results {
		for _, h := range r.heads {
			t.add(fmt.Sprint(h.n), h.scenario, h.figure, h.measured, h.bound, h.ratio, h.goal, h.met)
		}
		if r.err != nil {
			t.add(fmt.Sprint(r.n), r.scenario, "scenario failed", escapeCell(r.err.Error()), "", "", "", "**no**")
		}
	}
	return t.String()
}

// timeRatio is measured/bound of durations, NaN without a bound.
func timeRatio(measured, bound time.Duration) float64 {
	if bound <= 0 {
		return math.NaN()
	}
	return measured.Seconds() / bound.Seconds()
}
