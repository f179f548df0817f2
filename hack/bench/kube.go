package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/rest"
)

// The bench talks to Kubernetes with unstructured Agents, so that it does not depend on the Go
// types of the API (which may be mid-edit): only on the CRD's group, version and field names.

var agentGVR = schema.GroupVersionResource{Group: "orq.ai", Version: "v1alpha1", Resource: "agents"}

// The other kinds the operator manages, which the graph scenario creates.
var (
	toolGVR          = agentGVR.GroupVersion().WithResource("tools")
	knowledgeBaseGVR = agentGVR.GroupVersion().WithResource("knowledgebases")
	memoryStoreGVR   = agentGVR.GroupVersion().WithResource("memorystores")
	scheduleGVR      = agentGVR.GroupVersion().WithResource("agentschedules")
)

// managedResources are the resources of every kind the operator manages, whose requests are
// counted.
var managedResources = []string{agentGVR.Resource, toolGVR.Resource, knowledgeBaseGVR.Resource, memoryStoreGVR.Resource, scheduleGVR.Resource}

// kubePath splits the path of a request on a resource of the operator's group:
// /apis/orq.ai/v1alpha1/[namespaces/NS/]RESOURCE[/NAME[/SUBRESOURCE]]. ok is false for any
// other path.
func kubePath(path string) (resource, name, sub string, ok bool) {
	rest, ok := strings.CutPrefix(strings.TrimSuffix(path, "/"), "/apis/"+agentGVR.Group+"/"+agentGVR.Version+"/")
	if !ok {
		return "", "", "", false
	}
	parts := strings.Split(rest, "/")
	if len(parts) >= 3 && parts[0] == "namespaces" {
		parts = parts[2:]
	}
	if len(parts) == 0 || parts[0] == "" || parts[0] == "namespaces" || len(parts) > 3 {
		return "", "", "", false
	}
	parts = append(parts, "", "")
	return parts[0], parts[1], parts[2], true
}

// isCollection tells whether a path names a collection of objects rather than one object.
func isCollection(path string) bool {
	_, name, _, ok := kubePath(path)
	return ok && name == ""
}

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
		if isCollection(path) {
			return "DELETECOLLECTION"
		}
		return "DELETE"
	}
	if strings.Contains(query, "watch=true") || strings.Contains(query, "watch=1") {
		return "WATCH"
	}
	if isCollection(path) {
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

// writeCounter counts the bench's own requests on the operator's kinds, keyed like
// apiserver_request_total, so that they can be taken out of the apiserver's counts.
type writeCounter struct {
	mu     sync.Mutex
	counts map[string]float64
}

func (c *writeCounter) wrap(rt http.RoundTripper) http.RoundTripper {
	return roundTripFunc(func(req *http.Request) (*http.Response, error) {
		if resource, _, sub, ok := kubePath(req.URL.Path); ok {
			key := requestKey(kubeVerb(req.Method, req.URL.Path, req.URL.RawQuery, req.Header.Get("Content-Type")), resource, sub)
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

// scrapeRequestTotals reads the apiserver's own request counters for the operator's kinds and
// events.
func scrapeRequestTotals(ctx context.Context, rc rest.Interface) (map[string]float64, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	body, err := rc.Get().AbsPath("/metrics").DoRaw(ctx)
	if err != nil {
		return nil, fmt.Errorf("reading the apiserver metrics: %w", err)
	}
	return parseRequestTotals(string(body), append(slices.Clone(managedResources), "events")...), nil
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
