package managed

import (
	"context"
	"errors"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/orq-ai/orq-operator/internal/orqclient"
)

// failingStatusWrites is a client whose status writes fail, as when the apiserver times out.
type failingStatusWrites struct {
	client.Client
	n int
}

func (f *failingStatusWrites) Status() client.SubResourceWriter {
	return interceptor.NewClient(f.Client.(client.WithWatch), interceptor.Funcs{
		SubResourcePatch: func(context.Context, client.Client, string, client.Object, client.Patch, ...client.SubResourcePatchOption) error {
			f.n++
			return errors.New("the apiserver timed out")
		},
	}).Status()
}

// #18.10: a refusal that never reached status must be retried, or Flux and Argo CD wait forever.
func TestAFailedStatusWriteIsRetriedEvenAfterATerminalRefusal(t *testing.T) {
	a := sampleAgent("ns", "bot")
	api := &fakeAPI{t: t, CreateFn: func(context.Context, orqclient.Body) (*orqclient.Agent, error) {
		return nil, apiError(orqclient.KindInvalid, 400)
	}}
	c := &failingStatusWrites{Client: newFakeClient(t, a)}
	r := newTestReconciler(reconcilerFields{Client: c, API: api})
	_, _, err := reconcileOnce(t, r, a)
	if c.n == 0 {
		t.Fatal("the refusal was never written to status")
	}
	if err == nil || errors.Is(err, reconcile.TerminalError(nil)) {
		t.Errorf("err = %v: a failed status write must be retried, not given up as terminal", err)
	}
}

// A status write that meets a newer version of the object is retried quietly by a pass that
// reads the new version: not returned as an error (logged with a stack trace), never dropped.
func TestAConflictingStatusWriteIsRetriedQuietly(t *testing.T) {
	a := sampleAgent("ns", "bot")
	created := remoteFor(t, a)
	api := &fakeAPI{t: t, CreateFn: func(context.Context, orqclient.Body) (*orqclient.Agent, error) { return created, nil }}
	base := newFakeClient(t, a)
	c := interceptor.NewClient(base.(client.WithWatch), interceptor.Funcs{
		SubResourcePatch: func(context.Context, client.Client, string, client.Object, client.Patch, ...client.SubResourcePatchOption) error {
			return apierrors.NewConflict(schema.GroupResource{Group: "orq.ai", Resource: "agents"}, "bot", errors.New("the object has been modified"))
		},
	})
	r := newTestReconciler(reconcilerFields{Client: c, API: api})
	_, res, err := reconcileOnce(t, r, a)
	if err != nil || res.RequeueAfter != conflictRetry {
		t.Errorf("Reconcile = %+v, %v; want a retry after %v and no error", res, err, conflictRetry)
	}
}
