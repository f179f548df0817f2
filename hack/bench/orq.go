package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/orq-ai/orq-operator/internal/orqmem"
)

// The in-memory orq API runs in the bench's process. Counts per verb come from orqmem's own
// record of requests; a thin wrapper in front of it also notes when each answer left and with
// which status (for the 429 window), and wakes the edit-latency probe when a PATCH arrives.

const agentsPath = "/v2/agents"

// Verbs of the orq API, as reported.
var orqVerbs = []string{"POST", "GET", "PATCH", "DELETE", "LIST"}

// orqVerb names a request: LIST is GET /v2/agents, GET is GET /v2/agents/{key}.
func orqVerb(method, path string) string {
	if method == http.MethodGet && strings.TrimSuffix(path, "/") == agentsPath {
		return "LIST"
	}
	return strings.ToUpper(method)
}

// orqKey returns the agent key a request is about: from the path, or from the body of a POST.
func orqKey(method, path string, body []byte) string {
	if k, ok := strings.CutPrefix(path, agentsPath+"/"); ok {
		if u, err := url.PathUnescape(k); err == nil {
			return u
		}
		return k
	}
	if method == http.MethodPost {
		var b struct {
			Key string `json:"key"`
		}
		if json.Unmarshal(body, &b) == nil {
			return b.Key
		}
	}
	return ""
}

// countOrq counts orqmem's recorded requests by verb; keep, when set, selects them by key.
func countOrq(reqs []orqmem.Request, keep func(key string) bool) map[string]int {
	out := map[string]int{}
	for _, r := range reqs {
		if keep != nil && !keep(orqKey(r.Method, r.Path, r.Body)) {
			continue
		}
		out[orqVerb(r.Method, r.Path)]++
	}
	return out
}

// orqCall is one request as the wrapper saw it.
type orqCall struct {
	at, done   time.Time
	verb, key  string
	status     int
	retryAfter time.Duration
}

// orqRecorder wraps the in-memory API.
type orqRecorder struct {
	next http.Handler

	mu      sync.Mutex
	calls   []orqCall
	waiters map[string]chan time.Time // key → told when a PATCH of it arrives
	conns   int                       // TCP connections accepted
}

func newOrqRecorder(next http.Handler) *orqRecorder {
	return &orqRecorder{next: next, waiters: map[string]chan time.Time{}}
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (r *orqRecorder) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	at := time.Now()
	verb := orqVerb(req.Method, req.URL.Path)
	var body []byte
	if req.Method == http.MethodPost && req.Body != nil {
		body, _ = io.ReadAll(req.Body)
		req.Body = io.NopCloser(bytes.NewReader(body))
	}
	key := orqKey(req.Method, req.URL.Path, body)
	if verb == "PATCH" {
		r.mu.Lock()
		if ch, ok := r.waiters[key]; ok {
			select {
			case ch <- at:
			default:
			}
		}
		r.mu.Unlock()
	}
	sw := &statusWriter{ResponseWriter: w}
	r.next.ServeHTTP(sw, req)
	c := orqCall{at: at, done: time.Now(), verb: verb, key: key, status: sw.status}
	if ra := sw.Header().Get("Retry-After"); ra != "" {
		if secs, err := strconv.Atoi(ra); err == nil {
			c.retryAfter = time.Duration(secs) * time.Second
		}
	}
	r.mu.Lock()
	r.calls = append(r.calls, c)
	r.mu.Unlock()
}

// connState counts accepted connections (http.Server.ConnState).
func (r *orqRecorder) connState(_ any, state http.ConnState) {
	if state == http.StateNew {
		r.mu.Lock()
		r.conns++
		r.mu.Unlock()
	}
}

func (r *orqRecorder) reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls, r.conns = nil, 0
}

func (r *orqRecorder) snapshot() ([]orqCall, int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]orqCall(nil), r.calls...), r.conns
}

// since returns the number of calls and the time of the last one (zero when none), and the
// distinct keys read (GET) among them.
func (r *orqRecorder) activity() (int, time.Time, int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	var last time.Time
	keys := map[string]struct{}{}
	for _, c := range r.calls {
		if c.at.After(last) {
			last = c.at
		}
		if c.verb == "GET" {
			keys[c.key] = struct{}{}
		}
	}
	return len(r.calls), last, len(keys)
}

// watchPatch returns a channel told when a PATCH of key arrives, and a cancel function.
func (r *orqRecorder) watchPatch(key string) (<-chan time.Time, func()) {
	ch := make(chan time.Time, 1)
	r.mu.Lock()
	r.waiters[key] = ch
	r.mu.Unlock()
	return ch, func() {
		r.mu.Lock()
		delete(r.waiters, key)
		r.mu.Unlock()
	}
}

// gateReport is the analysis of a window in which the API answered 429.
type gateReport struct {
	requests int           // requests that arrived in the window
	limited  int           // of which answered 429
	early    int           // arrived while an earlier 429's Retry-After was still running
	maxBurst int           // most requests arriving within one slack of a gate opening
	worst    time.Duration // how far before the gate opened the earliest early request came
}

// analyzeGate checks a shared Retry-After gate: a request arriving at t is early when a 429
// answered at least slack before t asked to wait until after t (answers sent within slack of a
// request may have crossed it on the wire).
func analyzeGate(calls []orqCall, from, to time.Time, slack time.Duration) gateReport {
	var rep gateReport
	type gate struct{ answered, until time.Time }
	var gates []gate
	for _, c := range calls {
		if c.status == http.StatusTooManyRequests && c.retryAfter > 0 {
			gates = append(gates, gate{c.done, c.done.Add(c.retryAfter)})
		}
	}
	var arrivals []time.Time
	for _, c := range calls {
		if c.at.Before(from) || !c.at.Before(to) {
			continue
		}
		rep.requests++
		arrivals = append(arrivals, c.at)
		if c.status == http.StatusTooManyRequests {
			rep.limited++
		}
		for _, g := range gates {
			if !g.answered.Add(slack).After(c.at) && c.at.Before(g.until.Add(-slack)) {
				rep.early++
				if d := g.until.Sub(c.at); d > rep.worst {
					rep.worst = d
				}
				break
			}
		}
	}
	// Bursts: requests arriving within slack after a gate's end.
	for _, g := range gates {
		n := 0
		for _, a := range arrivals {
			if !a.Before(g.until.Add(-slack)) && a.Before(g.until.Add(slack)) {
				n++
			}
		}
		rep.maxBurst = max(rep.maxBurst, n)
	}
	return rep
}

// calibrateOrq measures the requests a second the in-memory API serves to workers concurrent
// clients reading one agent, for d.
func calibrateOrq(baseURL, apiKey string, workers int, d time.Duration, transport http.RoundTripper) (float64, error) {
	client := &http.Client{Transport: transport, Timeout: 30 * time.Second}
	get := func() error {
		req, _ := http.NewRequest(http.MethodGet, baseURL+agentsPath+"/calibration", nil)
		req.Header.Set("Authorization", "Bearer "+apiKey)
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		return resp.Body.Close()
	}
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		total int
		first error
	)
	start := time.Now()
	deadline := start.Add(d)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n := 0
			for time.Now().Before(deadline) {
				if err := get(); err != nil {
					mu.Lock()
					if first == nil {
						first = err
					}
					mu.Unlock()
					return
				}
				n++
			}
			mu.Lock()
			total += n
			mu.Unlock()
		}()
	}
	wg.Wait()
	return float64(total) / time.Since(start).Seconds(), first
}

// createCalibrationAgent stores the agent read by calibrateOrq.
func createCalibrationAgent(baseURL, apiKey string) error {
	body := `{"key":"calibration","role":"Calibration","description":"Calibration agent","instructions":"Answer.","path":"Default Project/bench","model":{"id":"openai/gpt-4o-mini"},"settings":{}}`
	req, _ := http.NewRequest(http.MethodPost, baseURL+agentsPath, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+apiKey)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		b, _ := io.ReadAll(resp.Body)
		return &httpError{resp.StatusCode, string(b)}
	}
	return nil
}

type httpError struct {
	status int
	body   string
}

func (e *httpError) Error() string { return "HTTP " + strconv.Itoa(e.status) + ": " + e.body }
