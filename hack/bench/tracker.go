package main

import (
	"context"
	"log"
	"maps"
	"slices"
	"sync"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/dynamic"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
)

// objectState is what the bench keeps of each object (an Agent, or an object of another kind):
// enough to tell whether it converged.
type objectState struct {
	generation, observedGeneration int64
	ready, synced, stalled         string // condition status: "True", "False" or ""
	stalledReason                  string
	deleting                       bool
}

// stateOf extracts the objectState of an object of any kind the operator manages.
func stateOf(u *unstructured.Unstructured) objectState {
	st := objectState{generation: u.GetGeneration(), deleting: u.GetDeletionTimestamp() != nil}
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
func (s objectState) converged() bool {
	return s.ready == "True" && s.synced == "True" && s.observedGeneration == s.generation && !s.deleting
}

// tracker mirrors the objects of one kind in a namespace by a list and a watch.
type tracker struct {
	dyn dynamic.Interface
	gvr schema.GroupVersionResource
	ns  string

	mu     sync.Mutex
	items  map[string]objectState
	synced bool
}

func newTracker(dyn dynamic.Interface, gvr schema.GroupVersionResource, ns string) *tracker {
	return &tracker{dyn: dyn, gvr: gvr, ns: ns, items: map[string]objectState{}}
}

// run lists and watches until ctx ends, listing again when the watch cannot resume.
func (t *tracker) run(ctx context.Context) {
	res := t.dyn.Resource(t.gvr).Namespace(t.ns)
	for ctx.Err() == nil {
		rv, err := t.list(ctx, res)
		if err != nil {
			if ctx.Err() == nil {
				log.Printf("tracker %s %s: list: %v; retrying", t.gvr.Resource, t.ns, err)
				sleepCtx(ctx, time.Second)
			}
			continue
		}
		for ctx.Err() == nil {
			rv, err = t.watch(ctx, res, rv)
			if err != nil {
				if ctx.Err() == nil && !apierrors.IsResourceExpired(err) && !apierrors.IsGone(err) {
					log.Printf("tracker %s %s: watch: %v; listing again", t.gvr.Resource, t.ns, err)
				}
				break
			}
		}
	}
}

// list replaces the mirror with a fresh paged list and returns its resource version.
func (t *tracker) list(ctx context.Context, res dynamic.ResourceInterface) (string, error) {
	items := map[string]objectState{}
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
func (t *tracker) count(names []string, pred func(name string, st objectState, ok bool) bool) (int, []string) {
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

// get returns the state of one object.
func (t *tracker) get(name string) (objectState, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	st, ok := t.items[name]
	return st, ok
}

// names returns the names of the mirrored objects.
func (t *tracker) names() []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return slices.Collect(maps.Keys(t.items))
}
