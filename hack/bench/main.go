// Command bench measures the orq-operator against the bounds of its work (issue #6).
//
// It starts a real control plane (envtest's kube-apiserver and etcd), the in-memory orq API with
// a per-call latency, and the manager binary as a user runs it (its own process, a kubeconfig,
// ORQ_API_KEY), calibrates the environment without the operator, then runs scenarios for each N
// and prints markdown tables: each figure next to its lower bound and the ratio.
//
//	make bench BENCH_FLAGS="-n 100,1000"
//	KUBEBUILDER_ASSETS=$(hack/envtest-assets.sh) go run ./hack/bench -n 10000 -scenarios create,steady,delete
//
// Progress goes to standard error; the report to standard output, and with -out to a file, and
// with -doc into the generated section of a document (docs/performance.md).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"net/http"
	"os"
	"os/signal"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	ctrllog "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
)

// config holds the flags.
type config struct {
	ns            []int
	scenarios     []string
	latency       time.Duration
	managerPath   string
	crdDir        string
	qps           float64
	burst         int
	workers       int
	syncPeriod    time.Duration
	timeout       time.Duration
	rlWindow      time.Duration
	retryAfter    time.Duration
	rlEdits       int
	rejects       int
	edits         int
	clientWorkers int
	calibAgents   int
	calibDuration time.Duration
	noCalibrate   bool
	out           string
	doc           string
	docSection    string
	keep          bool
	extraArgs     string
	goMemLimit    string
	// The graph scenario's proportions: Agents per KnowledgeBase, per MemoryStore, per
	// AgentSchedule.
	graphKnowledgeEvery, graphMemoryEvery, graphScheduleEvery int
}

func parseInts(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		v, err := strconv.Atoi(f)
		if err != nil || v < 1 {
			return nil, fmt.Errorf("%q is not a positive integer", f)
		}
		out = append(out, v)
	}
	if len(out) == 0 {
		return nil, errors.New("no value")
	}
	return out, nil
}

// parseScenarios keeps the known scenarios of a comma-separated list, in their run order.
func parseScenarios(s string) ([]string, error) {
	if strings.TrimSpace(s) == "" || s == "all" {
		return allScenarios, nil
	}
	want := map[string]bool{}
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if !slices.Contains(allScenarios, f) {
			return nil, fmt.Errorf("unknown scenario %q (known: %s)", f, strings.Join(allScenarios, ","))
		}
		want[f] = true
	}
	var out []string
	for _, sc := range allScenarios {
		if want[sc] {
			out = append(out, sc)
		}
	}
	return out, nil
}

func parseFlags(args []string) (config, error) {
	var c config
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	nList := fs.String("n", "100,1000", "Comma-separated numbers of Agents; each N runs the scenarios with a fresh manager.")
	scen := fs.String("scenarios", "all", "Comma-separated scenarios ("+strings.Join(allScenarios, ",")+"); they run in that order.")
	fs.DurationVar(&c.latency, "latency", 20*time.Millisecond, "Latency added to every call of the in-memory orq API (a latency-only orqmem fault).")
	fs.StringVar(&c.managerPath, "manager", "", "Manager binary to measure; empty: go build ./cmd/manager into the work directory.")
	fs.StringVar(&c.crdDir, "crd-dir", "config/crd/bases", "CRD manifests installed into the control plane (use the manager's source tree).")
	fs.Float64Var(&c.qps, "orq-qps", 0, "--orq-qps of the manager (0: unlimited).")
	fs.IntVar(&c.burst, "orq-burst", 0, "--orq-burst of the manager (0: its default).")
	fs.IntVar(&c.workers, "max-concurrent-reconciles", 8, "--max-concurrent-reconciles of the manager.")
	fs.DurationVar(&c.syncPeriod, "sync-period", 30*time.Second, "--sync-period of the manager.")
	fs.DurationVar(&c.timeout, "timeout", 0, "Timeout of each wait of a scenario; 0: 3m + 30ms per Agent.")
	fs.DurationVar(&c.rlWindow, "ratelimit-window", 60*time.Second, "Length of the window in which every orq call answers 429.")
	fs.DurationVar(&c.retryAfter, "retry-after", 10*time.Second, "Retry-After of the 429 answers (whole seconds).")
	fs.IntVar(&c.rlEdits, "ratelimit-edits", 5, "Agents edited at the start of the 429 window.")
	fs.IntVar(&c.rejects, "rejects", 5, "New Agents whose create answers 400 in the reject scenario.")
	fs.IntVar(&c.edits, "edits", 20, "Sequential single edits of the edit-latency scenario.")
	fs.IntVar(&c.clientWorkers, "client-workers", 8, "Concurrent requests of the bench's own Kubernetes client (create, edit, delete).")
	fs.IntVar(&c.calibAgents, "calibration-agents", 200, "Agents created for the apiserver calibration.")
	fs.DurationVar(&c.calibDuration, "calibration-duration", 5*time.Second, "Length of each calibration measurement.")
	fs.BoolVar(&c.noCalibrate, "no-calibration", false, "Skip the calibration.")
	fs.StringVar(&c.out, "out", "", "Also write the whole report (markdown) to this file.")
	fs.StringVar(&c.doc, "doc", "", "Replace the generated section of this markdown document (e.g. docs/performance.md) with the report.")
	fs.StringVar(&c.docSection, "doc-section", "main", "Name of the generated section -doc rewrites (a document may hold several, e.g. one per set of N).")
	fs.BoolVar(&c.keep, "keep", false, "Keep the work directory (kubeconfig, manager logs) even when all went well.")
	fs.StringVar(&c.extraArgs, "manager-args", "", "Extra flags for the manager, space-separated.")
	fs.StringVar(&c.goMemLimit, "gomemlimit", "100MiB", "GOMEMLIMIT of the manager, as config/manager and the chart set it; empty: none.")
	fs.IntVar(&c.graphKnowledgeEvery, "graph-knowledge-every", 10, "Graph scenario: Agents that share one KnowledgeBase; 0: none.")
	fs.IntVar(&c.graphMemoryEvery, "graph-memory-every", 1, "Graph scenario: Agents that share one MemoryStore (1: each its own); 0: none.")
	fs.IntVar(&c.graphScheduleEvery, "graph-schedule-every", 5, "Graph scenario: one Agent in so many has an AgentSchedule; 0: none.")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	var err error
	if c.ns, err = parseInts(*nList); err != nil {
		return c, fmt.Errorf("-n: %w", err)
	}
	if c.scenarios, err = parseScenarios(*scen); err != nil {
		return c, fmt.Errorf("-scenarios: %w", err)
	}
	if c.retryAfter < time.Second || c.retryAfter%time.Second != 0 {
		return c, errors.New("-retry-after must be whole seconds, at least 1s")
	}
	if c.workers < 1 || c.clientWorkers < 1 || c.edits < 1 || c.rejects < 1 || c.rlEdits < 1 {
		return c, errors.New("-max-concurrent-reconciles, -client-workers, -edits, -rejects and -ratelimit-edits must be at least 1")
	}
	if c.graphKnowledgeEvery < 0 || c.graphMemoryEvery < 0 || c.graphScheduleEvery < 0 {
		return c, errors.New("-graph-knowledge-every, -graph-memory-every and -graph-schedule-every must be 0 (none) or more")
	}
	if c.syncPeriod < 10*time.Second {
		return c, errors.New("-sync-period must be at least 10s")
	}
	return c, nil
}

func main() {
	log.SetFlags(log.Ltime | log.Lmicroseconds)
	log.SetPrefix("bench ")
	// envtest logs through controller-runtime's logger.
	ctrllog.SetLogger(zap.New(zap.WriteTo(os.Stderr)))
	cfg, err := parseFlags(os.Args[1:])
	if errors.Is(err, flag.ErrHelp) {
		os.Exit(0)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	os.Exit(run0(cfg))
}

func run0(cfg config) (code int) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-sigs
		log.Printf("interrupted: stopping the manager and the control plane (interrupt again to exit at once)")
		cancel()
		<-sigs
		log.Printf("interrupted again: exiting; the control plane's processes may be left running")
		os.Exit(130)
	}()

	workdir, err := os.MkdirTemp("", "orq-bench-")
	if err != nil {
		log.Print(err)
		return 1
	}
	b := &bench{cfg: cfg, workdir: workdir}
	failed := false
	defer func() {
		if r := recover(); r != nil {
			log.Printf("panic: %v", r)
			buf := make([]byte, 64<<10)
			log.Printf("%s", buf[:runtime.Stack(buf, false)])
			failed, code = true, 1
		}
		b.teardown()
		if failed || cfg.keep {
			log.Printf("work directory kept: %s (kubeconfig, manager logs)", workdir)
		} else {
			_ = os.RemoveAll(workdir)
		}
	}()

	started := time.Now()
	if err := b.setup(ctx); err != nil {
		log.Printf("setup: %v", err)
		failed = true
		return 1
	}
	rep := &report{cfg: b.cfg, started: started}
	if !cfg.noCalibrate {
		cal, err := b.calibrate(ctx)
		if err != nil {
			log.Printf("calibration: %v", err)
			failed = true
			return 1
		}
		rep.calibration = cal
		fmt.Print(cal)
	}
	for i, n := range cfg.ns {
		if ctx.Err() != nil {
			break
		}
		t0 := time.Now()
		results := b.runN(ctx, n, i == len(cfg.ns)-1)
		rep.wall = append(rep.wall, wallTime{n, time.Since(t0)})
		rep.results = append(rep.results, results...)
		for _, r := range results {
			if r.err != nil {
				failed = true
			}
		}
	}
	if growth := graphMemoryGrowth(rep.results); growth != nil {
		fmt.Print("\n" + growth.markdown())
		rep.results = append(rep.results, growth)
	}
	if ctx.Err() != nil {
		log.Printf("interrupted")
		failed = true
	}
	fmt.Print("\n### Headline\n\n" + headlineTable(rep.results))
	doc := rep.markdown()
	if cfg.out != "" {
		if err := os.WriteFile(cfg.out, []byte(doc), 0o644); err != nil {
			log.Printf("-out: %v", err)
			failed = true
		} else {
			log.Printf("report written to %s", cfg.out)
		}
	}
	if cfg.doc != "" {
		if err := updateDoc(cfg.doc, cfg.docSection, doc); err != nil {
			log.Printf("-doc: %v", err)
			failed = true
		} else {
			log.Printf("generated section %q of %s rewritten", cfg.docSection, cfg.doc)
		}
	}
	log.Printf("done in %s", fmtDuration(time.Since(started)))
	if failed {
		return 1
	}
	return 0
}

func updateDoc(path, section, generated string) error {
	old, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	updated, err := replaceSection(string(old), section, generated)
	if err != nil {
		return err
	}
	return os.WriteFile(path, []byte(updated), 0o644)
}

// runN runs the scenarios for N Agents, with a fresh manager, in their own namespace.
func (b *bench) runN(ctx context.Context, n int, last bool) []*result {
	log.Printf("===== N=%d: scenarios %s", n, strings.Join(b.cfg.scenarios, ","))
	timeout := b.cfg.timeout
	if timeout <= 0 {
		timeout = 3*time.Minute + time.Duration(n)*30*time.Millisecond
	}
	r := &run{b: b, n: n, ns: fmt.Sprintf("bench-%d", n), timeout: timeout, last: last, gen: map[string]int64{}}
	width := max(len(strconv.Itoa(n)), 3)
	for i := 1; i <= n; i++ {
		r.names = append(r.names, fmt.Sprintf("agent-%0*d", width, i))
	}
	fail := func(err error) []*result {
		res := newResult(n, "setup", "setup")
		res.err = err
		return []*result{res}
	}
	if err := b.ensureNamespace(ctx, r.ns); err != nil {
		return fail(err)
	}
	b.resetOrq()
	tctx, stopTracker := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Add(1)
	r.t = newTracker(b.dyn, agentGVR, r.ns)
	go func() { defer wg.Done(); r.t.run(tctx) }()
	defer func() { stopTracker(); wg.Wait() }()
	for !r.t.isSynced() {
		if !sleepCtx(ctx, 50*time.Millisecond) {
			return fail(ctx.Err())
		}
	}
	if err := b.startManager(); err != nil {
		return fail(err)
	}
	if _, err := b.waitReady(ctx, 2*time.Minute); err != nil {
		b.stopManager()
		return fail(err)
	}
	defer func() {
		// The next N must not see these Agents; after the last N, or when interrupted, the
		// control plane is discarded with them.
		if ctx.Err() == nil && !last {
			cctx, cancel := context.WithTimeout(context.Background(), timeout)
			defer cancel()
			r.cleanup(cctx)
		}
		b.stopManager()
	}()

	var results []*result
	for _, sc := range b.cfg.scenarios {
		if ctx.Err() != nil {
			break
		}
		if sc != "create" && sc != "delete" && sc != "graph" && len(results) > 0 && results[0].scenario == "create" && results[0].err != nil {
			continue // nothing to measure without the Agents
		}
		res := r.runScenario(ctx, sc)
		fmt.Print("\n" + res.markdown())
		results = append(results, res)
	}
	return append(results, rssSummary(n, results))
}

// wallTime is how long one N took.
type wallTime struct {
	n int
	d time.Duration
}

// report assembles the markdown.
type report struct {
	cfg         config
	started     time.Time
	calibration string
	results     []*result
	wall        []wallTime
}

func (r *report) markdown() string {
	var b strings.Builder
	c := r.cfg
	b.WriteString("### Run\n\n")
	fmt.Fprintf(&b, "- Date: %s; machine: %d cores (%s); %s.\n", r.started.UTC().Format("2006-01-02 15:04 MST"), runtime.NumCPU(), machine(), runtime.Version())
	fmt.Fprintf(&b, "- Manager: `%s` with `--max-concurrent-reconciles=%d --sync-period=%s --orq-qps=%s`%s.\n",
		c.managerPath, c.workers, c.syncPeriod, strconv.FormatFloat(c.qps, 'f', -1, 64), extra(c))
	fmt.Fprintf(&b, "- In-memory orq API latency: %s per call; 429 window %s with Retry-After %s; %d edits for the edit latency; %d rejected creates.\n",
		c.latency, c.rlWindow, c.retryAfter, c.edits, c.rejects)
	if slices.Contains(c.scenarios, "graph") {
		fmt.Fprintf(&b, "- Graph: `-graph-knowledge-every=%d -graph-memory-every=%d -graph-schedule-every=%d` (0: none of that kind).\n",
			c.graphKnowledgeEvery, c.graphMemoryEvery, c.graphScheduleEvery)
	}
	var walls []string
	for _, w := range r.wall {
		walls = append(walls, fmt.Sprintf("N=%d: %s", w.n, fmtDuration(w.d)))
	}
	fmt.Fprintf(&b, "- Scenarios: %s. Wall time: %s (total %s).\n\n", strings.Join(c.scenarios, ", "), strings.Join(walls, "; "), fmtDuration(time.Since(r.started)))
	b.WriteString("### Headline\n\n")
	b.WriteString(headlineTable(r.results))
	b.WriteString("\n")
	if r.calibration != "" {
		b.WriteString(r.calibration)
	}
	b.WriteString("### Scenarios\n\n")
	for _, res := range r.results {
		b.WriteString(res.markdown())
	}
	return b.String()
}

func extra(c config) string {
	s := ""
	if c.burst > 0 {
		s += fmt.Sprintf(" `--orq-burst=%d`", c.burst)
	}
	if c.goMemLimit != "" {
		s += ", `GOMEMLIMIT=" + c.goMemLimit + "`"
	}
	if c.extraArgs != "" {
		s += " `" + c.extraArgs + "`"
	}
	return s
}

// calibrate measures the environment without the operator: the apiserver's rate of creates and
// status writes, and the in-memory API's rate of requests at the configured latency and at none.
func (b *bench) calibrate(ctx context.Context) (string, error) {
	log.Printf("calibrating (no operator running)")
	const ns = "bench-calibration"
	if err := b.ensureNamespace(ctx, ns); err != nil {
		return "", err
	}
	r := &run{b: b, n: b.cfg.calibAgents, ns: ns, gen: map[string]int64{}}
	for i := 1; i <= r.n; i++ {
		r.names = append(r.names, fmt.Sprintf("calibration-%03d", i))
	}
	t := table{header: []string{"figure", "measured", "how"}}

	// The first requests of a fresh apiserver are slow (the CRD's handlers and validation are
	// built on first use): warm up before timing.
	warm := max(r.n/10, 1)
	if err := r.createAgents(ctx, "calibration: warm-up", r.names[:warm], "Answer."); err != nil {
		return "", err
	}
	start := time.Now()
	if err := r.createAgents(ctx, "calibration: create", r.names[warm:], "Answer."); err != nil {
		return "", err
	}
	b.createRate = float64(r.n-warm) / time.Since(start).Seconds()
	t.add("apiserver: Agent creates / s", fmt.Sprintf("%.0f", b.createRate), fmt.Sprintf("%d Agents after %d to warm up, %d concurrent clients", r.n-warm, warm, b.cfg.clientWorkers))

	var (
		count atomic.Int64
		wg    sync.WaitGroup
		first error
		once  sync.Once
	)
	deadline := time.Now().Add(b.cfg.calibDuration)
	start = time.Now()
	for w := range b.cfg.workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; time.Now().Before(deadline); i += b.cfg.workers {
				name := r.names[i%len(r.names)]
				patch := fmt.Appendf(nil, `{"status":{"remoteStatus":"calibration-%d"}}`, i)
				_, err := b.dyn.Resource(agentGVR).Namespace(ns).Patch(ctx, name, types.MergePatchType, patch, metav1.PatchOptions{}, "status")
				if err != nil {
					once.Do(func() { first = err })
					return
				}
				count.Add(1)
			}
		}()
	}
	wg.Wait()
	if first != nil {
		return "", fmt.Errorf("status write: %w", first)
	}
	b.statusRate = float64(count.Load()) / time.Since(start).Seconds()
	t.add("apiserver: Agent status writes / s", fmt.Sprintf("%.0f", b.statusRate), fmt.Sprintf("merge patches of /status by %d concurrent workers for %s", b.cfg.workers, b.cfg.calibDuration))
	if err := b.dyn.Resource(agentGVR).Namespace(ns).DeleteCollection(ctx, metav1.DeleteOptions{}, metav1.ListOptions{}); err != nil {
		return "", err
	}

	b.resetOrq()
	if err := createCalibrationAgent(b.orqURL, b.apiKey); err != nil {
		return "", fmt.Errorf("orq calibration agent: %w", err)
	}
	pooled := func() http.RoundTripper {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.MaxIdleConnsPerHost = b.cfg.workers
		return tr
	}
	rate, err := calibrateOrq(b.orqURL, b.apiKey, b.cfg.workers, b.cfg.calibDuration, pooled())
	if err != nil {
		return "", err
	}
	t.add(fmt.Sprintf("in-memory orq API: requests / s at %s latency", b.cfg.latency), fmt.Sprintf("%.0f", rate),
		fmt.Sprintf("GET by %d concurrent clients (ideal: %d / %s = %.0f)", b.cfg.workers, b.cfg.workers, b.cfg.latency, float64(b.cfg.workers)/b.cfg.latency.Seconds()))
	b.mem.ClearFaults()
	rate0, err := calibrateOrq(b.orqURL, b.apiKey, b.cfg.workers, b.cfg.calibDuration, pooled())
	if err != nil {
		return "", err
	}
	t.add("in-memory orq API: requests / s at zero latency", fmt.Sprintf("%.0f", rate0), fmt.Sprintf("GET by %d concurrent clients, keep-alive connections", b.cfg.workers))
	rateDefault, err := calibrateOrq(b.orqURL, b.apiKey, b.cfg.workers, b.cfg.calibDuration, http.DefaultTransport.(*http.Transport).Clone())
	if err != nil {
		return "", err
	}
	t.add("in-memory orq API: requests / s at zero latency, Go's default transport", fmt.Sprintf("%.0f", rateDefault),
		fmt.Sprintf("as above with http.DefaultTransport's 2 idle connections per host (%d concurrent clients)", b.cfg.workers))
	b.resetOrq()
	log.Printf("calibration done")

	return "### Calibration (no operator running)\n\n" + t.String() + "\n", nil
}
