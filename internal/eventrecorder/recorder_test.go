package eventrecorder

import (
	"context"
	"errors"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/go-logr/logr"
	"github.com/prometheus/client_golang/prometheus/testutil"
	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	k8sruntime "k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
	"github.com/orq-ai/orq-operator/internal/metrics"
)

// fakeCreator is a func-field fake of Creator that keeps what it was given.
type fakeCreator struct {
	mu      sync.Mutex
	created []*eventsv1.Event
	calls   int
	create  func(call int) error // the answer to call n (1-based); nil: success
}

func (f *fakeCreator) Create(_ context.Context, obj client.Object, _ ...client.CreateOption) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	if f.create != nil {
		if err := f.create(f.calls); err != nil {
			return err
		}
	}
	f.created = append(f.created, obj.(*eventsv1.Event).DeepCopy())
	return nil
}

// discard is a Creator that keeps nothing.
type discard struct{}

func (discard) Create(context.Context, client.Object, ...client.CreateOption) error { return nil }

func (f *fakeCreator) events() []*eventsv1.Event {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]*eventsv1.Event(nil), f.created...)
}

func newScheme(t *testing.T) *k8sruntime.Scheme {
	t.Helper()
	s := k8sruntime.NewScheme()
	if err := orqv1alpha1.AddToScheme(s); err != nil {
		t.Fatal(err)
	}
	return s
}

func agent() *orqv1alpha1.Agent {
	return &orqv1alpha1.Agent{ObjectMeta: metav1.ObjectMeta{Name: "support-bot", Namespace: "team-a", UID: "uid-1", ResourceVersion: "7"}}
}

func dropped(reason string) float64 {
	return testutil.ToFloat64(metrics.EventsDropped.WithLabelValues(reason))
}

func TestEventfWritesAnEventsV1Event(t *testing.T) {
	fake := &fakeCreator{}
	r := New(fake, newScheme(t), "orq-operator", 8, logr.Discard())
	at := time.Date(2026, 11, 24, 12, 0, 0, 123456000, time.UTC)
	r.Now = func() time.Time { return at }
	r.Eventf(agent(), nil, corev1.EventTypeNormal, "Created", "Create", "Created orq agent %q", "support-bot")

	stop := r.Run()
	waitFor(t, func() bool { return len(fake.events()) == 1 })
	stop(time.Second)

	ev := fake.events()[0]
	if ev.Namespace != "team-a" || ev.Name == "" {
		t.Errorf("event %s/%s, want it in the Agent's namespace with a name", ev.Namespace, ev.Name)
	}
	if ev.Reason != "Created" || ev.Action != "Create" || ev.Type != corev1.EventTypeNormal || ev.Note != `Created orq agent "support-bot"` {
		t.Errorf("reason %q action %q type %q note %q", ev.Reason, ev.Action, ev.Type, ev.Note)
	}
	want := corev1.ObjectReference{Kind: "Agent", APIVersion: "orq.ai/v1alpha1", Namespace: "team-a", Name: "support-bot", UID: "uid-1", ResourceVersion: "7"}
	if ev.Regarding != want {
		t.Errorf("regarding %+v, want %+v", ev.Regarding, want)
	}
	if ev.Related != nil || ev.Series != nil {
		t.Errorf("related %v, series %v: want neither", ev.Related, ev.Series)
	}
	if !ev.EventTime.Time.Equal(at) {
		t.Errorf("eventTime %v, want %v", ev.EventTime.Time, at)
	}
	if ev.ReportingController != "orq-operator" || len(ev.ReportingInstance) <= len("orq-operator-") || len(ev.ReportingInstance) > maxInstance {
		t.Errorf("reportingController %q, reportingInstance %q", ev.ReportingController, ev.ReportingInstance)
	}
}

func TestEventfOfAnUnknownKindWritesNothing(t *testing.T) {
	fake := &fakeCreator{}
	r := New(fake, k8sruntime.NewScheme(), "orq-operator", 8, logr.Discard())
	r.Eventf(agent(), nil, corev1.EventTypeNormal, "Created", "Create", "x")
	if len(r.queue) != 0 {
		t.Fatalf("%d events queued for an object the scheme does not know", len(r.queue))
	}
}

// A full queue drops the new events (counted) instead of blocking the reconcile or starting a
// goroutine: however many events are recorded, memory and goroutines stay bounded.
func TestAFullQueueDropsWithoutGoroutines(t *testing.T) {
	fake := &fakeCreator{}
	r := New(fake, newScheme(t), "orq-operator", 100, logr.Discard())
	before, goroutines := dropped(metrics.EventDroppedQueueFull), runtime.NumGoroutine()
	for range 10000 {
		r.Eventf(agent(), nil, corev1.EventTypeNormal, "Created", "Create", "Created orq agent %q", "support-bot")
	}
	if got := runtime.NumGoroutine(); got > goroutines {
		t.Errorf("%d goroutines after 10000 events, %d before", got, goroutines)
	}
	if got := dropped(metrics.EventDroppedQueueFull) - before; got != 9900 {
		t.Errorf("dropped %v events, want 9900 (queue of 100)", got)
	}

	r.Run()(5 * time.Second)
	if got := len(fake.events()); got != 100 {
		t.Errorf("%d events written, want the 100 queued", got)
	}
}

func TestEventfChecksWhatTheAPIServerWouldRefuse(t *testing.T) {
	fake := &fakeCreator{}
	r := New(fake, newScheme(t), "orq-operator", 8, logr.Discard())
	r.Eventf(agent(), nil, "Info", "Created", "Create", "x")
	if len(r.queue) != 0 {
		t.Error("an event of type Info was queued: only Normal and Warning exist")
	}
	long := strings.Repeat("é", 600) // 1200 bytes
	r.Eventf(agent(), nil, corev1.EventTypeWarning, "APIRejected", "Reconcile", "%s", long)
	r.Eventf(agent(), nil, corev1.EventTypeWarning, "APIRejected", "Reconcile", "short")
	r.Run()(5 * time.Second)
	evs := fake.events()
	if len(evs) != 2 {
		t.Fatalf("%d events written, want 2", len(evs))
	}
	// Four writers: either event may be written first.
	truncated, short := evs[0].Note, evs[1].Note
	if len(truncated) < len(short) {
		truncated, short = short, truncated
	}
	if n := truncated; len(n) > maxNote || !utf8.ValidString(n) || !strings.HasSuffix(n, "...") {
		t.Errorf("a note of 1200 bytes became %d bytes (valid UTF-8 %v)", len(n), utf8.ValidString(n))
	}
	if short != "short" {
		t.Errorf("note %q, want it as given", short)
	}
}

// Events recorded before the stop (the last reconciles of a stopping manager) are written; a
// stop waits for them at most its timeout.
func TestStopWritesWhatIsQueued(t *testing.T) {
	fake := &fakeCreator{}
	r := New(fake, newScheme(t), "orq-operator", 8, logr.Discard())
	stop := r.Run()
	for range 5 {
		r.Eventf(agent(), nil, corev1.EventTypeNormal, "Deleted", "Delete", "Deleted orq agent")
	}
	stop(5 * time.Second)
	if got := len(fake.events()); got != 5 {
		t.Errorf("%d of 5 queued events written before the stop returned", got)
	}
	stop(5 * time.Second) // a second stop is harmless

	hung := &blockingCreator{}
	r = New(hung, newScheme(t), "orq-operator", 8, logr.Discard())
	stop = r.Run()
	r.Eventf(agent(), nil, corev1.EventTypeNormal, "Deleted", "Delete", "Deleted orq agent")
	waitFor(t, func() bool { return hung.started.Load() })
	returned := make(chan struct{})
	go func() { stop(50 * time.Millisecond); close(returned) }()
	select {
	case <-returned:
	case <-time.After(5 * time.Second):
		t.Fatal("stop(50ms) still waiting for a write that never answers")
	}
}

// blockingCreator never answers before its context ends.
type blockingCreator struct{ started atomic.Bool }

func (b *blockingCreator) Create(ctx context.Context, _ client.Object, _ ...client.CreateOption) error {
	b.started.Store(true)
	<-ctx.Done()
	return ctx.Err()
}

func TestWriteRetriesOnlyWhatMaySucceedLater(t *testing.T) {
	unavailable := apierrors.NewServiceUnavailable("etcd is down")
	gr := schema.GroupResource{Group: "events.k8s.io", Resource: "events"}
	for _, tc := range []struct {
		name     string
		errs     []error // the answers of the calls in turn; past the end, success
		calls    int
		written  bool
		failures float64
	}{
		{"written at once", nil, 1, true, 0},
		{"503 twice, then written", []error{unavailable, unavailable}, 3, true, 0},
		{"503 three times: given up", []error{unavailable, unavailable, unavailable}, 3, false, 1},
		{"no answer, then written", []error{errors.New("connection reset")}, 2, true, 0},
		{"429, then written", []error{apierrors.NewTooManyRequests("slow down", 1)}, 2, true, 0},
		{"403: not retried", []error{apierrors.NewForbidden(gr, "x", errors.New("no"))}, 1, false, 1},
		{"422: not retried", []error{apierrors.NewInvalid(schema.GroupKind{Group: "events.k8s.io", Kind: "Event"}, "x", nil)}, 1, false, 1},
		{"already exists: done", []error{apierrors.NewAlreadyExists(gr, "x")}, 1, false, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fake := &fakeCreator{create: func(call int) error {
				if call <= len(tc.errs) {
					return tc.errs[call-1]
				}
				return nil
			}}
			r := New(fake, newScheme(t), "orq-operator", 8, logr.Discard())
			r.RetryDelay = time.Millisecond
			before := dropped(metrics.EventDroppedWriteFailed)
			r.write(context.Background(), &eventsv1.Event{Reason: "Created"})
			if fake.calls != tc.calls {
				t.Errorf("%d calls, want %d", fake.calls, tc.calls)
			}
			if written := len(fake.events()) == 1; written != tc.written {
				t.Errorf("written %v, want %v", written, tc.written)
			}
			if got := dropped(metrics.EventDroppedWriteFailed) - before; got != tc.failures {
				t.Errorf("counted %v failed writes, want %v", got, tc.failures)
			}
		})
	}
}

func TestWriteStopsWaitingWhenTheManagerStops(t *testing.T) {
	fake := &fakeCreator{create: func(int) error { return apierrors.NewServiceUnavailable("down") }}
	r := New(fake, newScheme(t), "orq-operator", 8, logr.Discard())
	r.RetryDelay = time.Hour
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { r.write(ctx, &eventsv1.Event{}); close(done) }()
	waitFor(t, func() bool { fake.mu.Lock(); defer fake.mu.Unlock(); return fake.calls == 1 })
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("write still waiting an hour to retry after its context ended")
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 5s")
		}
		time.Sleep(time.Millisecond)
	}
}

// BenchmarkEventf measures what recording one event costs the reconciler (the queue is drained
// by a running writer with a fake client).
func BenchmarkEventf(b *testing.B) {
	s := k8sruntime.NewScheme()
	_ = orqv1alpha1.AddToScheme(s)
	r := New(discard{}, s, "orq-operator", DefaultQueueLength, logr.Discard())
	defer r.Run()(time.Second)
	a := agent()
	b.ReportAllocs()
	for b.Loop() {
		r.Eventf(a, nil, corev1.EventTypeNormal, "Created", "Create", "Created orq agent %q", "support-bot")
	}
}
