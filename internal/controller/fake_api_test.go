package controller

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/orq-ai/orq-operator/internal/orqclient"
)

// fakeAPI is a func-field fake of AgentAPI for the unit tests of any file of this package: each
// test sets only the calls it expects; an unexpected call fails the test.
type fakeAPI struct {
	t        *testing.T
	CreateFn func(ctx context.Context, body orqclient.Body) (*orqclient.Agent, error)
	GetFn    func(ctx context.Context, key string) (*orqclient.Agent, error)
	UpdateFn func(ctx context.Context, key string, body orqclient.Body) (*orqclient.Agent, error)
	DeleteFn func(ctx context.Context, key string) error
	CheckFn  func(ctx context.Context) error

	callCount map[string]int // not safe for concurrent use: a reconcile calls it from one goroutine
}

var _ AgentAPI = (*fakeAPI)(nil)

// errUnexpected answers a call the test did not expect (and fails it).
var errUnexpected = errors.New("unexpected call")

func (f *fakeAPI) count(op string, fn any) error {
	if f.callCount == nil {
		f.callCount = map[string]int{}
	}
	f.callCount[op]++
	if reflect.ValueOf(fn).IsNil() {
		f.t.Errorf("unexpected %s", op)
		return errUnexpected
	}
	return nil
}

func (f *fakeAPI) CreateAgent(ctx context.Context, body orqclient.Body) (*orqclient.Agent, error) {
	if err := f.count("create", f.CreateFn); err != nil {
		return nil, err
	}
	return f.CreateFn(ctx, body)
}

func (f *fakeAPI) GetAgent(ctx context.Context, key string) (*orqclient.Agent, error) {
	if err := f.count("get", f.GetFn); err != nil {
		return nil, err
	}
	return f.GetFn(ctx, key)
}

func (f *fakeAPI) UpdateAgent(ctx context.Context, key string, body orqclient.Body) (*orqclient.Agent, error) {
	if err := f.count("update", f.UpdateFn); err != nil {
		return nil, err
	}
	return f.UpdateFn(ctx, key, body)
}

func (f *fakeAPI) DeleteAgent(ctx context.Context, key string) error {
	if err := f.count("delete", f.DeleteFn); err != nil {
		return err
	}
	return f.DeleteFn(ctx, key)
}

func (f *fakeAPI) CheckAPI(ctx context.Context) error {
	if err := f.count("check", f.CheckFn); err != nil {
		return err
	}
	return f.CheckFn(ctx)
}

// calls returns how often each call was made.
func (f *fakeAPI) calls() map[string]int {
	out := map[string]int{}
	for k, v := range f.callCount {
		out[k] = v
	}
	return out
}

func apiError(kind orqclient.Kind, status int) error {
	return &orqclient.Error{Kind: kind, Op: "test", StatusCode: status, Message: "api says no", RetryAfter: 3 * time.Second}
}

// newFakeClient is a fake Kubernetes client holding objs, with the reconciler's field indexes.
func newFakeClient(t *testing.T, objs ...client.Object) client.Client {
	t.Helper()
	c, err := inMemoryClient(objs...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// countingReader counts the reads made through it.
type countingReader struct {
	client.Reader
	n int
}

func (c *countingReader) Get(ctx context.Context, key client.ObjectKey, obj client.Object, opts ...client.GetOption) error {
	c.n++
	return c.Reader.Get(ctx, key, obj, opts...)
}
