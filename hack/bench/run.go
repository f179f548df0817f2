package main

import (
	"context"
	"errors"
	"fmt"
	"log"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
)

// The benchmark of one N: its Agents, the bench's own requests on them, and the waits for the
// operator to act on them.

// agentObject is a minimal valid Agent.
func agentObject(ns, name, instructions string) *unstructured.Unstructured {
	return orqObject("Agent", ns, name, map[string]any{
		"role":         "Benchmark agent",
		"description":  "An agent of the orq-operator benchmark",
		"instructions": instructions,
		"path":         "Default Project/bench",
		"model":        map[string]any{"id": "openai/gpt-4o-mini"},
	})
}

// run is the benchmark of one N.
type run struct {
	b       *bench
	n       int
	ns      string
	names   []string
	t       *tracker
	timeout time.Duration
	last    bool // the last N: its control plane is discarded after it, objects and all

	mu  sync.Mutex
	gen map[string]int64 // the generation each Agent reached by the bench's last write
}

func (r *run) setGen(name string, g int64) {
	r.mu.Lock()
	r.gen[name] = g
	r.mu.Unlock()
}

func (r *run) wantGen(name string) int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.gen[name]
}

// parallel runs fn for each name on the bench's client workers and stops at the first error.
func (r *run) parallel(ctx context.Context, what string, names []string, fn func(ctx context.Context, name string) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	work := make(chan string)
	var (
		done    atomic.Int64
		errOnce sync.Once
		first   error
		wg      sync.WaitGroup
	)
	for range r.b.cfg.clientWorkers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for name := range work {
				if err := retryKube(ctx, func() error { return fn(ctx, name) }); err != nil {
					errOnce.Do(func() { first = fmt.Errorf("%s %s: %w", what, name, err); cancel() })
					return
				}
				done.Add(1)
			}
		}()
	}
	tick := time.NewTicker(5 * time.Second)
	defer tick.Stop()
feed:
	for _, name := range names {
		select {
		case work <- name:
		case <-ctx.Done():
			break feed
		case <-tick.C:
			log.Printf("  %s: %d/%d sent", what, done.Load(), len(names))
			select {
			case work <- name:
			case <-ctx.Done():
				break feed
			}
		}
	}
	close(work)
	wg.Wait()
	if first != nil {
		return first
	}
	return ctx.Err()
}

// waitFor polls the Agents' tracker until pred holds for every name; it returns when it first did.
func (r *run) waitFor(ctx context.Context, what string, names []string, timeout time.Duration,
	pred func(name string, st objectState, ok bool) bool) (time.Time, error) {
	return r.waitOn(ctx, r.t, what, names, timeout, pred)
}

// waitOn polls a tracker until pred holds for every name; it returns when it first did.
func (r *run) waitOn(ctx context.Context, t *tracker, what string, names []string, timeout time.Duration,
	pred func(name string, st objectState, ok bool) bool) (time.Time, error) {
	deadline := time.Now().Add(timeout)
	lastLog := time.Now()
	for {
		n, pending := t.count(names, pred)
		if n == len(names) {
			return time.Now(), nil
		}
		if err := r.b.managerAlive(); err != nil {
			return time.Time{}, err
		}
		if time.Now().After(deadline) {
			return time.Time{}, fmt.Errorf("%s: %d of %d done after %s (timeout); pending: %s", what, n, len(names), timeout, describe(t, pending))
		}
		if time.Since(lastLog) >= 5*time.Second {
			log.Printf("  %s: %d/%d", what, n, len(names))
			lastLog = time.Now()
		}
		if !sleepCtx(ctx, 50*time.Millisecond) {
			return time.Time{}, ctx.Err()
		}
	}
}

// describe shows the state of a few objects of a tracker, for timeouts.
func describe(t *tracker, names []string) string {
	var parts []string
	for _, n := range names {
		st, ok := t.get(n)
		if !ok {
			parts = append(parts, n+" (absent)")
			continue
		}
		parts = append(parts, fmt.Sprintf("%s (gen %d, observed %d, Ready %s, Synced %s, Stalled %s %s)", n,
			st.generation, st.observedGeneration, st.ready, st.synced, st.stalled, st.stalledReason))
	}
	return strings.Join(parts, "; ")
}

// convergedPred: Ready and Synced at (at least) the generation the bench last wrote.
func (r *run) convergedPred(name string, st objectState, ok bool) bool {
	return ok && st.converged() && st.generation >= r.wantGen(name)
}

// goneMissing: the object no longer exists.
func goneMissing(_ string, _ objectState, ok bool) bool { return !ok }

// setInstructions changes spec.instructions of an Agent and records its new generation.
func (r *run) setInstructions(ctx context.Context, name, text string) error {
	patch := fmt.Appendf(nil, `{"spec":{"instructions":%q}}`, text)
	got, err := r.b.dyn.Resource(agentGVR).Namespace(r.ns).Patch(ctx, name, types.MergePatchType, patch, metav1.PatchOptions{})
	if err != nil {
		return err
	}
	r.setGen(name, got.GetGeneration())
	return nil
}

// create applies the Agents and records their generation.
func (r *run) createAgents(ctx context.Context, what string, names []string, instructions string) error {
	return r.parallel(ctx, what, names, func(ctx context.Context, name string) error {
		got, err := r.b.dyn.Resource(agentGVR).Namespace(r.ns).Create(ctx, agentObject(r.ns, name, instructions), metav1.CreateOptions{})
		if apierrors.IsAlreadyExists(err) {
			return nil // a retried create that had succeeded
		}
		if err != nil {
			return err
		}
		r.setGen(name, got.GetGeneration())
		return nil
	})
}

// deleteAgents deletes the Agents (the operator's finalizer then runs).
func (r *run) deleteAgents(ctx context.Context, what string, names []string) error {
	return r.deleteObjects(ctx, what, agentGVR, r.ns, names)
}

// deleteObjects deletes objects of one kind in ns (the operator's finalizer then runs).
func (r *run) deleteObjects(ctx context.Context, what string, gvr schema.GroupVersionResource, ns string, names []string) error {
	return r.parallel(ctx, what, names, func(ctx context.Context, name string) error {
		err := r.b.dyn.Resource(gvr).Namespace(ns).Delete(ctx, name, metav1.DeleteOptions{})
		if apierrors.IsNotFound(err) {
			return nil
		}
		return err
	})
}

// cleanup removes whatever Agents remain in the namespace: through the manager when it runs,
// else (or when that fails) by removing their finalizers.
func (r *run) cleanup(ctx context.Context) {
	r.cleanupObjects(ctx, "Agents", agentGVR, r.ns, r.t)
}

// cleanupObjects removes whatever objects of one kind remain in ns (those t mirrors): through the
// manager when it runs, else (or when that fails) by removing their finalizers.
func (r *run) cleanupObjects(ctx context.Context, what string, gvr schema.GroupVersionResource, ns string, t *tracker) {
	left := t.names()
	if len(left) == 0 {
		return
	}
	log.Printf("N=%d: cleaning up %d remaining %s", r.n, len(left), what)
	sort.Strings(left)
	if r.b.mgr != nil && r.b.managerAlive() == nil {
		if err := r.deleteObjects(ctx, "cleanup: delete", gvr, ns, left); err == nil {
			if _, err := r.waitOn(ctx, t, "cleanup: gone", left, r.timeout, goneMissing); err == nil {
				return
			}
		}
	}
	left = t.names()
	err := r.parallel(ctx, "cleanup: remove finalizers", left, func(ctx context.Context, name string) error {
		res := r.b.dyn.Resource(gvr).Namespace(ns)
		_, err := res.Patch(ctx, name, types.MergePatchType, []byte(`{"metadata":{"finalizers":null}}`), metav1.PatchOptions{})
		if err == nil {
			err = res.Delete(ctx, name, metav1.DeleteOptions{})
		}
		if apierrors.IsNotFound(err) {
			return nil
		}
		return err
	})
	if err != nil && !errors.Is(err, context.Canceled) {
		log.Printf("N=%d: cleanup: %v", r.n, err)
	}
}
