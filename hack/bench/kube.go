package main

import (
	"context"
	"errors"
	"fmt"
	"log"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
)

// The bench talks to Kubernetes with unstructured Agents, so that it does not depend on the Go
// types of the API (which may be mid-edit): only on the CRD's group, version and field names.

var agentGVR = schema.GroupVersionResource{Group: "orq.ai", Version: "v1alpha1", Resource: "agents"}

// kubeVerb maps an HTTP request to the verb label of apiserver_request_total.
func kubeVerb(method, path, query, contentType string) string {
	switch method {
	case http.MethodPost:
		return "POST"
	case http.MethodPut:
		return "PUT"
	case http.MethodPatch:
		if strings.HasPrefix(contentType, "application/apply-patch") {
			return "APPLY"
		}
		return "PATCH"
	case http.MethodDelete:
		if strings.HasSuffix(strings.TrimSuffix(path, "/"), "/"+agentGVR.Resource) {
			return "DELETECOLLECTION"
		}
		return "DELETE"
	}
	if strings.Contains(query, "watch=true") || strings.Contains(query, "watch=1") {
		return "WATCH"
	}
	if strings.HasSuffix(strings.TrimSuffix(path, "/"), "/"+agentGVR.Resource) {
		return "LIST"
	}
	return "GET"
}

// isWriteVerb tells whether a verb of apiserver_request_total changes something.
func isWriteVerb(verb string) bool {
	switch verb {
	case "GET", "LIST", "WATCH", "WATCHLIST", "CONNECT":
		return false
	}
	return true
}

// requestKey names a series of apiserver_request_total: "VERB resource[/subresource]".
func requestKey(verb, resource, subresource string) string {
	if subresource != "" {
		resource += "/" + subresource
	}
	return verb + " " + resource
}

// writeCounter counts the bench's own requests on Agents, keyed like apiserver_request_total,
// so that they can be taken out of the apiserver's counts.
type writeCounter struct {
	mu     sync.Mutex
	counts map[string]float64
}

func (c *writeCounter) wrap(rt http.RoundTripper) http.RoundTripper {
	return roundTripFunc(func(req *http.Request) (*http.Response, error) {
		p := req.URL.Path
		if strings.HasPrefix(p, "/apis/"+agentGVR.Group+"/") && strings.Contains(p, "/"+agentGVR.Resource) {
			sub := ""
			if strings.HasSuffix(p, "/status") {
				sub = "status"
			}
			key := requestKey(kubeVerb(req.Method, strings.TrimSuffix(p, "/status"), req.URL.RawQuery, req.Header.Get("Content-Type")), agentGVR.Resource, sub)
			c.mu.Lock()
			if c.counts == nil {
				c.counts = map[string]float64{}
			}
			c.counts[key]++
			c.mu.Unlock()
		}
		return rt.RoundTrip(req)
	})
}

func (c *writeCounter) snapshot() map[string]float64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make(map[string]float64, len(c.counts))
	for k, v := range c.counts {
		out[k] = v
	}
	return out
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// parseLabels parses the `a="b",c="d"` of a Prometheus text sample.
func parseLabels(s string) (map[string]string, error) {
	labels := map[string]string{}
	for {
		s = strings.TrimLeft(s, " ,")
		if s == "" {
			return labels, nil
		}
		eq := strings.IndexByte(s, '=')
		if eq < 0 || eq+1 >= len(s) || s[eq+1] != '"' {
			return nil, fmt.Errorf("malformed labels near %q", s)
		}
		name := strings.TrimSpace(s[:eq])
		var val strings.Builder
		i := eq + 2
		for ; i < len(s) && s[i] != '"'; i++ {
			if s[i] == '\\' && i+1 < len(s) {
				i++
				switch s[i] {
				case 'n':
					val.WriteByte('\n')
				default:
					val.WriteByte(s[i])
				}
				continue
			}
			val.WriteByte(s[i])
		}
		if i >= len(s) {
			return nil, fmt.Errorf("unterminated label value near %q", s)
		}
		labels[name] = val.String()
		s = s[i+1:]
	}
}

// parseRequestTotals sums the apiserver_request_total samples of the given resources (all
// groups and codes) by "VERB resource[/subresource]".
func parseRequestTotals(text string, resources ...string) map[string]float64 {
	const metric = "apiserver_request_total{"
	want := map[string]bool{}
	for _, r := range resources {
		want[r] = true
	}
	out := map[string]float64{}
	for _, line := range strings.Split(text, "\n") {
		rest, ok := strings.CutPrefix(line, metric)
		if !ok {
			continue
		}
		end := strings.LastIndexByte(rest, '}')
		if end < 0 {
			continue
		}
		labels, err := parseLabels(rest[:end])
		if err != nil || !want[labels["resource"]] {
			continue
		}
		f := strings.Fields(rest[end+1:])
		if len(f) == 0 {
			continue
		}
		v, err := strconv.ParseFloat(f[0], 64)
		if err != nil {
			continue
		}
		out[requestKey(labels["verb"], labels["resource"], labels["subresource"])] += v
	}
	return out
}

// scrapeRequestTotals reads the apiserver's own request counters for Agents and events.
func scrapeRequestTotals(ctx context.Context, rc rest.Interface) (map[string]float64, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	body, err := rc.Get().AbsPath("/metrics").DoRaw(ctx)
	if err != nil {
		return nil, fmt.Errorf("reading the apiserver metrics: %w", err)
	}
	return parseRequestTotals(string(body), agentGVR.Resource, "events"), nil
}

// agentState is what the bench keeps of each Agent: enough to tell whether it converged.
type agentState struct {
	generation, observedGeneration int64
	ready, synced, stalled         string // condition status: "True", "False" or ""
	stalledReason                  string
	deleting                       bool
}

// stateOf extracts the agentState of an Agent.
func stateOf(u *unstructured.Unstructured) agentState {
	st := agentState{generation: u.GetGeneration(), deleting: u.GetDeletionTimestamp() != nil}
	st.observedGeneration, _, _ = unstructured.NestedInt64(u.Object, "status", "observedGeneration")
	conds, _, _ := unstructured.NestedSlice(u.Object, "status", "conditions")
	for _, c := range conds {
		m, ok := c.(map[string]any)
		if !ok {
			continue
		}
		status, _ := m["status"].(string)
		switch m["type"] {
		case orqv1alpha1.ConditionReady:
			st.ready = status
		case orqv1alpha1.ConditionSynced:
			st.synced = status
		case orqv1alpha1.ConditionStalled:
			st.stalled = status
			st.stalledReason, _ = m["reason"].(string)
		}
	}
	return st
}

// converged: Ready and Synced for the current generation.
func (s agentState) converged() bool {
	return s.ready == "True" && s.synced == "True" && s.observedGeneration == s.generation && !s.deleting
}

// tracker mirrors the Agents of a namespace by a list and a watch.
type tracker struct {
	dyn dynamic.Interface
	ns  string

	mu     sync.Mutex
	items  map[string]agentState
	synced bool
}

func newTracker(dyn dynamic.Interface, ns string) *tracker {
	return &tracker{dyn: dyn, ns: ns, items: map[string]agentState{}}
}

// run lists and watches until ctx ends, listing again when the watch cannot resume.
func (t *tracker) run(ctx context.Context) {
	res := t.dyn.Resource(agentGVR).Namespace(t.ns)
	for ctx.Err() == nil {
		rv, err := t.list(ctx, res)
		if err != nil {
			if ctx.Err() == nil {
				log.Printf("tracker %s: list: %v; retrying", t.ns, err)
				sleepCtx(ctx, time.Second)
			}
			continue
		}
		for ctx.Err() == nil {
			rv, err = t.watch(ctx, res, rv)
			if err != nil {
				if ctx.Err() == nil && !apierrors.IsResourceExpired(err) && !apierrors.IsGone(err) {
					log.Printf("tracker %s: watch: %v; listing again", t.ns, err)
				}
				break
			}
		}
	}
}

// list replaces the mirror with a fresh paged list and returns its resource version.
func (t *tracker) list(ctx context.Context, res dynamic.ResourceInterface) (string, error) {
	items := map[string]agentState{}
	opts := metav1.ListOptions{Limit: 500}
	for {
		page, err := res.List(ctx, opts)
		if err != nil {
			return "", err
		}
		for i := range page.Items {
			items[page.Items[i].GetName()] = stateOf(&page.Items[i])
		}
		if page.GetContinue() == "" {
			t.mu.Lock()
			t.items, t.synced = items, true
			t.mu.Unlock()
			return page.GetResourceVersion(), nil
		}
		opts.Continue = page.GetContinue()
	}
}

// watch applies events from rv until the stream ends; it returns the last resource version,
// or an error when the watch must start over from a list.
func (t *tracker) watch(ctx context.Context, res dynamic.ResourceInterface, rv string) (string, error) {
	w, err := res.Watch(ctx, metav1.ListOptions{ResourceVersion: rv, AllowWatchBookmarks: true})
	if err != nil {
		return rv, err
	}
	defer w.Stop()
	for ev := range w.ResultChan() {
		switch ev.Type {
		case watch.Error:
			return rv, apierrors.FromObject(ev.Object)
		case watch.Added, watch.Modified, watch.Deleted, watch.Bookmark:
			u, ok := ev.Object.(*unstructured.Unstructured)
			if !ok {
				continue
			}
			rv = u.GetResourceVersion()
			if ev.Type == watch.Bookmark {
				continue
			}
			t.mu.Lock()
			if ev.Type == watch.Deleted {
				delete(t.items, u.GetName())
			} else {
				t.items[u.GetName()] = stateOf(u)
			}
			t.mu.Unlock()
		}
	}
	if ctx.Err() != nil {
		return rv, ctx.Err()
	}
	return rv, nil // the server closed the stream: resume from rv
}

func (t *tracker) isSynced() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.synced
}

// count returns how many of names satisfy pred, and up to three that do not.
func (t *tracker) count(names []string, pred func(name string, st agentState, ok bool) bool) (int, []string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	n := 0
	var pending []string
	for _, name := range names {
		st, ok := t.items[name]
		if pred(name, st, ok) {
			n++
		} else if len(pending) < 3 {
			pending = append(pending, name)
		}
	}
	return n, pending
}

// get returns the state of one Agent.
func (t *tracker) get(name string) (agentState, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	st, ok := t.items[name]
	return st, ok
}

// names returns the names of the mirrored Agents.
func (t *tracker) names() []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return slices.Collect(maps.Keys(t.items))
}

// sleepCtx sleeps for d or until ctx ends; it reports whether the whole d passed.
func sleepCtx(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// retryKube retries fn on the transient answers of a busy apiserver.
func retryKube(ctx context.Context, fn func() error) error {
	var err error
	for attempt := 0; attempt < 8; attempt++ {
		err = fn()
		if err == nil || !(apierrors.IsTooManyRequests(err) || apierrors.IsServerTimeout(err) ||
			apierrors.IsTimeout(err) || apierrors.IsConflict(err) || apierrors.IsInternalError(err) ||
			apierrors.IsServiceUnavailable(err) || errors.Is(err, context.DeadlineExceeded)) {
			return err
		}
		if !sleepCtx(ctx, time.Duration(attempt+1)*200*time.Millisecond) {
			return ctx.Err()
		}
	}
	return err
}
