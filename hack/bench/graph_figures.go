package main

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// The two measured phases of the graph scenario, and their figures: the create until every
// object is Ready, then the steady state with the manager's memory.

// create applies the whole graph and waits until every object is Ready.
func (g *graphRun) create(ctx context.Context, res *result) error {
	b := g.r.b
	s, err := b.begin(ctx)
	if err != nil {
		return err
	}
	start := time.Now()
	applied, done, err := g.applyAndWait(ctx)
	if err != nil {
		return err
	}
	m, err := b.end(ctx, s, nil)
	if err != nil {
		return err
	}
	var last time.Time
	for _, t := range done {
		if t.After(last) {
			last = t
		}
	}
	elapsed, bound, objects := last.Sub(start), g.apiBound(), g.shape.objects()
	res.timeRow("create: time until every object is Ready (from the first create)", elapsed, bound,
		"API-bound: the most objects of one kind × latency / workers; each kind has its own workers")
	res.tbl.add("  context: the bench's own apply of all objects", fmtDuration(applied), "—", "—")
	for i, k := range g.kinds {
		res.tbl.add(fmt.Sprintf("  context: the last of the %d %ss Ready", len(k.names), k.kind), fmtDuration(done[i].Sub(start)), "—", "—")
	}
	machine := g.r.machineBound(objects, 2*objects)
	if machine > 0 {
		res.timeRow("  context: time until Ready vs this machine's apiserver", elapsed, machine,
			fmt.Sprintf("machine-bound: the objects' creates at the calibrated %.0f Agent creates/s + 2 writes each at %.0f/s", b.createRate, b.statusRate))
	}
	perObject := g.createCallRows(res, m)
	w := g.kubeRows(res, m, "create: ", 2*objects, objects)
	res.procRowsAs(m, "create: ")
	res.notes = append(res.notes, "Create: the list pages of the Tools', KnowledgeBases' and MemoryStores' collections are the key lookups of their first creates (orq answers no 409 at a taken key for them, so the operator reads first; one listing serves the creates of the next 5 s) and the drift sweeps of the objects already Ready; they are counted apart from the calls per object.",
		"Create: the lower bound of kube writes is that of an object whose references are Ready when it is applied (the finalizer and one status write). An Agent or AgentSchedule applied before what it names is Ready writes one status more, to show that it waits (ResolvedRefs False, DependencyNotReady), then Ready: the graph is applied at once, as `kubectl apply` of a directory would.")

	ratio := timeRatio(elapsed, bound)
	res.head("create: time until all Ready", ratio, 1, fmtDuration(elapsed), fmtDuration(bound), "—", nil)
	if machine > 0 {
		res.head("create: time until all Ready vs machine-bound", timeRatio(elapsed, machine), 1, fmtDuration(elapsed), fmtDuration(machine), "—", nil)
	}
	res.head("create: orq calls / object, list pages apart", perObject, 1, "", "", "1 POST", ptr(perObject <= 1.0001))
	res.head("create: kube writes / object", w/float64(objects), 2, "", "", "—", nil)
	return nil
}

// apiBound is the least time the orq API alone needs for the graph's creates: each kind has its
// own workers, so the kind with the most objects sets it (N × latency / workers); with --orq-qps,
// the shared rate paces them all.
func (g *graphRun) apiBound() time.Duration {
	c := g.r.b.cfg
	largest := 0
	for _, k := range g.kinds {
		largest = max(largest, len(k.names))
	}
	t := apiBound(largest, c.latency, c.workers, 0, 0)
	if c.qps > 0 {
		t = max(t, apiBound(g.shape.objects(), 0, c.workers, c.qps, c.burst))
	}
	return t
}

// createCallRows adds, for each kind, its orq calls per object (list pages apart, against one
// POST), and its collection's list pages; it returns the calls per object of all kinds.
func (g *graphRun) createCallRows(res *result, m measurement) float64 {
	calls := 0
	for _, k := range g.kinds {
		byVerb := m.routes[k.collection]
		single := sumCounts(byVerb) - byVerb["LIST"]
		calls += single
		res.row(fmt.Sprintf("create: orq calls / %s, list pages apart", k.kind), float64(single)/float64(len(k.names)), 1,
			fmt.Sprintf("%s (%s)", fmtCount(float64(single)/float64(len(k.names))), verbCounts(without(byVerb, "LIST"))), "1 POST")
		res.tbl.add(fmt.Sprintf("create: orq list pages of the %s collection%s", k.collection, plural(k.collection == collSchedules)),
			fmt.Sprint(byVerb["LIST"]), "—", "—")
	}
	if other := sumCounts(m.routes[collOther]); other > 0 {
		res.tbl.add("create: orq calls outside these collections", verbCounts(m.routes[collOther]), "—", "—")
	}
	objects := g.shape.objects()
	per := float64(calls) / float64(objects)
	res.row("create: orq calls / object, list pages apart", per, 1, fmt.Sprintf("%s (%d calls)", fmtCount(per), calls), "")
	return per
}

// plural: the schedules of each Agent are a collection of their own.
func plural(perAgent bool) string {
	if perAgent {
		return "s (one per Agent with schedules)"
	}
	return ""
}

// without is a copy of counts by verb without one verb.
func without(m map[string]int, verb string) map[string]int {
	out := map[string]int{}
	for k, v := range m {
		if k != verb {
			out[k] = v
		}
	}
	return out
}

// kubeRows adds the operator's writes to the apiserver on all the kinds of the graph per object,
// against a bound (total), and the events it wrote; it returns the writes.
func (g *graphRun) kubeRows(res *result, m measurement, prefix string, bound, objects int) float64 {
	total := 0.0
	var parts []string
	for _, resource := range managedResources {
		w, p := m.kubeWrites(resource)
		total += w
		parts = append(parts, p...)
	}
	detail := "0"
	if len(parts) > 0 {
		detail = fmt.Sprintf("%s (%s)", fmtCount(total/float64(objects)), strings.Join(parts, ", "))
	}
	res.row(prefix+"kube writes / object", total/float64(objects), float64(bound)/float64(objects), detail, "")
	if ev, _ := m.kubeWrites("events"); ev > 0 {
		res.row(prefix+"kube writes of Events / object", ev/float64(objects), noBound, "", "")
	}
	return total
}

// steady counts the drift sweeps' calls over graphPeriods sync periods with nothing changing,
// then reads the manager's memory.
func (g *graphRun) steady(ctx context.Context, res *result) error {
	b := g.r.b
	s, err := b.begin(ctx)
	if err != nil {
		return err
	}
	end := time.Now().Add(graphPeriods * b.cfg.syncPeriod)
	for time.Now().Before(end) {
		if err := b.managerAlive(); err != nil {
			return err
		}
		if !sleepCtx(ctx, min(time.Second, time.Until(end))) {
			return ctx.Err()
		}
	}
	m, err := b.end(ctx, s, nil)
	if err != nil {
		return err
	}
	objects := g.shape.objects()
	lists, bound := 0, 0
	for _, k := range g.kinds {
		want := graphPeriods * g.shape.sweepLists()[k.collection]
		got := m.routes[k.collection]["LIST"]
		lists, bound = lists+got, bound+want
		res.row(fmt.Sprintf("steady: orq list calls of %s in %d sync periods", k.collection, graphPeriods), float64(got), float64(want), "", "")
	}
	total := 0
	for _, c := range orqCollections {
		total += sumCounts(m.routes[c])
	}
	others := total - lists
	res.row("steady: orq calls other than lists", float64(others), 0, "", "")
	perPeriod := float64(total) / float64(graphPeriods)
	res.row("steady: orq calls / object / sync period", perPeriod/float64(objects), float64(bound)/graphPeriods/float64(objects),
		fmt.Sprintf("%.4f (%d calls)", perPeriod/float64(objects), total), fmt.Sprintf("%.4f", float64(bound)/graphPeriods/float64(objects)))
	w := g.kubeRows(res, m, "steady: ", 0, objects)
	res.procRowsAs(m, "steady: ")
	res.notes = append(res.notes, fmt.Sprintf("Steady: the least reads of a sync period are one list page per %d objects of each paged collection (agents, tools, knowledge, memory-stores) and one unpaged list of each scheduled Agent's schedules: %d a period here. The bound counts one sweep of each collection per sync period; as each waits 1 to 1.1 periods (jitter) after the last, %d periods hold %d or %d sweeps of it.",
		pageSize, bound/graphPeriods, graphPeriods, graphPeriods-1, graphPeriods))
	if sweep := time.Duration(g.shape.schedules()) * b.cfg.latency; sweep > b.cfg.syncPeriod/2 {
		res.notes = append(res.notes, fmt.Sprintf("Steady: the AgentSchedules' sweep lists the schedules of each of the %d scheduled Agents one after another: at least %s of %s per sync period.",
			g.shape.schedules(), fmtDuration(sweep), fmtDuration(b.cfg.syncPeriod)))
	}

	res.head("steady: orq reads / sync period", float64(lists)/graphPeriods, float64(bound)/graphPeriods, "", "",
		"≤ ceil(M/200) per collection + 1 per Agent with schedules", ptr(lists <= bound))
	res.head("steady: orq calls / object / sync period", perPeriod/float64(objects), float64(bound)/graphPeriods/float64(objects),
		fmt.Sprintf("%.4f", perPeriod/float64(objects)), fmt.Sprintf("%.4f", float64(bound)/graphPeriods/float64(objects)), "—", nil)
	res.head("steady: orq writes and single reads", float64(others), 0, "", "", "0", ptr(others == 0))
	res.head("steady: kube writes", w, 0, "", "", "0", ptr(w == 0))
	return g.memory(ctx, res)
}

// memory adds the manager's memory holding the whole graph: RSS (peak of both phases, and now,
// anonymous and file-backed), the heap in use now and after a collection; it keeps the heap
// profile in the work directory.
func (g *graphRun) memory(ctx context.Context, res *result) error {
	b := g.r.b
	n := g.shape.agents
	res.head("manager peak RSS, create and steady", float64(res.peakRSS)/(1<<20), noBound, fmtMiB(res.peakRSS), "—", graphRSSGoal(g.shape), graphRSSMet(g.shape, res.peakRSS))
	res.graphMem = &graphMemory{objects: g.shape.objects(), peakRSS: res.peakRSS}
	if status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", b.mgr.pid())); err == nil {
		rss, _ := parseStatusKB(string(status), "VmRSS")
		res.graphMem.endRSS = rss
		anon, _ := parseStatusKB(string(status), "RssAnon")
		file, _ := parseStatusKB(string(status), "RssFile")
		res.tbl.add("manager RSS at the end (VmRSS)", fmt.Sprintf("%s: anonymous %s, file-backed (the binary) %s", fmtMiB(rss), fmtMiB(anon), fmtMiB(file)), "—", "—")
	}
	if b.pprofAddr == "" {
		res.notes = append(res.notes, "No heap figures: -manager-args turned the manager's profiling endpoints off.")
		return nil
	}
	now, err := readHeapStats(ctx, b.pprofAddr, false)
	if err != nil {
		return fmt.Errorf("reading the manager's heap: %w", err)
	}
	live, err := readHeapStats(ctx, b.pprofAddr, true)
	if err != nil {
		return fmt.Errorf("reading the manager's heap after a collection: %w", err)
	}
	res.tbl.add("manager heap in use at the end (HeapInuse)", fmtMiB(now.heapInuse), "—", "—")
	res.tbl.add("  after a forced collection: heap in use, of it live objects (HeapAlloc)", fmtMiB(live.heapInuse)+", "+fmtMiB(live.heapAlloc), "—", "—")
	res.tbl.add("  Go runtime: memory from the OS (Sys), returned (HeapReleased)", fmtMiB(live.sys)+", "+fmtMiB(live.heapReleased), "—", "—")
	res.graphMem.live = live.heapAlloc
	res.head("manager live heap after steady state", float64(live.heapAlloc)/(1<<20), noBound, fmtMiB(live.heapAlloc), "—", "—", nil)
	path := filepath.Join(b.workdir, fmt.Sprintf("heap-graph-%d.pb.gz", n))
	if err := saveHeapProfile(ctx, b.pprofAddr, path); err != nil {
		return fmt.Errorf("saving the heap profile: %w", err)
	}
	log.Printf("heap profile of the manager: %s (go tool pprof -sample_index=inuse_space -top %s; -keep keeps it)", path, path)
	return nil
}

// The memory goal of issue #19 is for 10000 Agents and their 10000 Tools alone.
func graphRSSGoal(g graphShape) string {
	if g.agentsAndTools() && g.agents >= 10000 {
		return "< 200 MiB at 10000 Agents + 10000 Tools"
	}
	return "—"
}

func graphRSSMet(g graphShape, rss uint64) *bool {
	if g.agentsAndTools() && g.agents >= 10000 {
		return ptr(rss < 200<<20)
	}
	return nil
}
