// Package eventrecorder records events.k8s.io/v1 Events with memory and goroutines bounded,
// however many objects there are: a queue of fixed length and a fixed number of writers.
//
// client-go's events.k8s.io recorder (what controller-runtime's GetEventRecorder returns) starts
// two goroutines per event and keeps every event in a cache for six minutes, to merge repeats into
// series. After a create of 10000 Agents that is 10000 cached events, and its goroutines are
// bounded only by how fast the apiserver takes the events. The operator emits an event on transitions
// only (a create, an update, a refusal the first time), so it needs no series; it needs memory
// that does not grow with the number of Agents.
package eventrecorder

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/go-logr/logr"
	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/tools/events"
	"k8s.io/client-go/tools/record/util"
	"k8s.io/client-go/tools/reference"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/orq-ai/orq-operator/internal/metrics"
)

const (
	// DefaultQueueLength is how many events may wait for a writer; more are dropped (and
	// counted by orq_operator_events_dropped_total{reason="queue_full"}). About 1 KiB each.
	DefaultQueueLength = 4096
	// writers is how many events are written at once: enough to keep up with the creates of a
	// large apply on a loaded apiserver, where one write may take tens of milliseconds.
	writers = 4
	// maxAttempts is how often the writer tries one event when the apiserver is unavailable.
	maxAttempts = 3
	// maxInstance and maxNote are the longest reportingInstance and note the apiserver accepts.
	maxInstance = 128
	maxNote     = 1024
)

// Creator writes an object: the part of a controller-runtime client the recorder uses.
type Creator interface {
	Create(ctx context.Context, obj client.Object, opts ...client.CreateOption) error
}

// Recorder is an events.EventRecorder. Eventf never blocks and starts no goroutine; Run starts
// the writers.
type Recorder struct {
	creator    Creator
	scheme     *runtime.Scheme
	controller string
	instance   string
	queue      chan *eventsv1.Event
	log        logr.Logger

	// Now and RetryDelay are the clock and the first wait before a retry (doubled after each);
	// tests shorten them.
	Now        func() time.Time
	RetryDelay time.Duration
}

var (
	_ events.EventRecorder = (*Recorder)(nil)
	_ Creator              = client.Client(nil)
)

// New returns a recorder that writes with creator as reportingController controller, holding at
// most queueLength events. Call Run to write them.
func New(creator Creator, scheme *runtime.Scheme, controller string, queueLength int, log logr.Logger) *Recorder {
	hostname, _ := os.Hostname()
	instance := controller + "-" + hostname
	if len(instance) > maxInstance {
		instance = instance[:maxInstance]
	}
	return &Recorder{
		creator:    creator,
		scheme:     scheme,
		controller: controller,
		instance:   instance,
		queue:      make(chan *eventsv1.Event, max(queueLength, 1)),
		log:        log,
		Now:        time.Now,
		RetryDelay: time.Second,
	}
}

// Eventf queues an event about regarding (and related, when not nil). When the queue is full the
// event is dropped and counted: events are best effort, and a reconcile never waits for one.
func (r *Recorder) Eventf(regarding, related runtime.Object, eventtype, reason, action, note string, args ...any) {
	if eventtype != corev1.EventTypeNormal && eventtype != corev1.EventTypeWarning {
		r.log.Error(nil, "no event: the type must be Normal or Warning", "type", eventtype, "reason", reason)
		return
	}
	ref, err := reference.GetReference(r.scheme, regarding)
	if err != nil {
		r.log.Error(err, "no event: cannot refer to the object", "reason", reason)
		return
	}
	var relatedRef *corev1.ObjectReference
	if related != nil {
		if relatedRef, err = reference.GetReference(r.scheme, related); err != nil {
			r.log.V(1).Info("event without its related object: cannot refer to it", "reason", reason, "error", err.Error())
		}
	}
	now := r.Now()
	namespace := ref.Namespace
	if namespace == "" {
		namespace = metav1.NamespaceDefault
	}
	ev := &eventsv1.Event{
		ObjectMeta:          metav1.ObjectMeta{Name: util.GenerateEventName(ref.Name, now.UnixNano()), Namespace: namespace},
		EventTime:           metav1.NewMicroTime(now),
		ReportingController: r.controller,
		ReportingInstance:   r.instance,
		Action:              action,
		Reason:              reason,
		Regarding:           *ref,
		Related:             relatedRef,
		Note:                truncate(fmt.Sprintf(note, args...), maxNote),
		Type:                eventtype,
	}
	select {
	case r.queue <- ev:
	default:
		metrics.EventsDropped.WithLabelValues(metrics.EventDroppedQueueFull).Inc()
		r.log.V(1).Info("event dropped: the queue is full", "reason", reason, "namespace", ref.Namespace, "name", ref.Name)
	}
}

// Run starts the writers. The returned stop lets them write what is queued for at most timeout,
// then ends them and the writes in flight, and returns once they have ended. Call it when nothing
// records events any more: after the manager has stopped its controllers, so that the events of
// the last reconciles are written too.
func (r *Recorder) Run() (stop func(timeout time.Duration)) {
	ctx, cancel := context.WithCancel(context.Background())
	draining := make(chan struct{})
	done := make(chan struct{})
	var wg sync.WaitGroup
	for range writers {
		wg.Go(func() { r.writeQueued(ctx, draining) })
	}
	go func() { wg.Wait(); close(done) }()
	var once sync.Once
	return func(timeout time.Duration) {
		once.Do(func() {
			close(draining)
			select {
			case <-done:
			case <-time.After(timeout):
				cancel()
				<-done
			}
			cancel()
			if left := len(r.queue); left > 0 {
				r.log.Info("events not written: the operator is stopping", "count", left)
			}
		})
	}
}

// writeQueued is one writer: it writes queued events until draining is closed, then what is
// left in the queue, until the queue is empty or ctx ends.
func (r *Recorder) writeQueued(ctx context.Context, draining <-chan struct{}) {
	for {
		select {
		case ev := <-r.queue:
			r.write(ctx, ev)
		case <-draining:
			for ctx.Err() == nil {
				select {
				case ev := <-r.queue:
					r.write(ctx, ev)
				default:
					return
				}
			}
			return
		}
	}
}

// write creates ev, retrying while the apiserver is unavailable or asks to slow down.
func (r *Recorder) write(ctx context.Context, ev *eventsv1.Event) {
	delay := r.RetryDelay
	for attempt := 1; ; attempt++ {
		err := r.creator.Create(ctx, ev)
		if err == nil || apierrors.IsAlreadyExists(err) {
			return
		}
		if !retryable(err) || attempt == maxAttempts {
			metrics.EventsDropped.WithLabelValues(metrics.EventDroppedWriteFailed).Inc()
			r.log.Info("event not written", "reason", ev.Reason, "namespace", ev.Regarding.Namespace, "name", ev.Regarding.Name, "error", err.Error())
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(delay):
		}
		delay *= 2
	}
}

// truncate shortens s to at most n bytes, on a rune boundary, marking the cut.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	const mark = "..."
	cut := n - len(mark)
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + mark
}

// retryable tells the failures worth another try: no answer, 429 and 5xx.
func retryable(err error) bool {
	var status apierrors.APIStatus
	if !errors.As(err, &status) {
		return true
	}
	code := status.Status().Code
	return code == http.StatusTooManyRequests || code >= http.StatusInternalServerError
}
