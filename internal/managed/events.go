package managed

import (
	"context"
	"strconv"

	"github.com/go-logr/logr"
	logf "sigs.k8s.io/controller-runtime/pkg/log"
)

// Event actions (the events.k8s.io "action" field).
const (
	actionCreate  = "Create"
	actionUpdate  = "Update"
	actionDelete  = "Delete"
	actionAdopt   = "Adopt"
	actionRefused = "Reconcile"
	actionObserve = "Observe"
)

func (r *Reconciler) event(o Object, eventType, reason, action, note string, args ...any) {
	if r.Recorder != nil {
		r.Recorder.Eventf(o, nil, eventType, reason, action, note, args...)
	}
}

func (r *Reconciler) log(ctx context.Context) logr.Logger { return logf.FromContext(ctx) }

func quote(s string) string { return strconv.Quote(s) }
