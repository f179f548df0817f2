package managed

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"k8s.io/client-go/tools/events"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/orq-ai/orq-operator/internal/orqclient"
)

// eventRecorder is what the tests give as a Recorder.
type eventRecorder = events.EventRecorder

// fakeAPI is a func-field fake of API, in the terms of agents, for the unit tests of any file of
// this package: each test sets only the calls it expects; an unexpected call fails the test.
type fakeAPI struct {
	t        *testing.T
	CreateFn func(ctx context.Context, body orqclient.Body) (*orqclient.Agent, error)
	GetFn    func(ctx context.Context, key string) (*orqclient.Agent, error)
	UpdateFn func(ctx context.Context, key string, body orqclient.Body) (*orqclient.Agent, error)
	DeleteFn func(ctx context.Context, key string) error
	CheckFn  func(ctx context.Context) error
	ListFn   func(ctx context.Context, o orqclient.ListOptions) (*orqclient.VersionPage, error)

	callCount map[string]int // not safe for concurrent use: a reconcile calls it from one goroutine
}

var _ API = (*fakeAPI)(nil)

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

func remote(a *orqclient.Agent, err error) (*orqclient.Remote, error) {
	if err != nil {
		return nil, err
	}
	return &orqclient.Remote{ID: a.ID, Key: a.Key, Created: a.Created, Updated: a.Updated, Raw: a.Raw}, nil
}

func (f *fakeAPI) Create(ctx context.Context, _ orqclient.Endpoint, _ string, body orqclient.Body) (*orqclient.Remote, error) {
	if err := f.count("create", f.CreateFn); err != nil {
		return nil, err
	}
	return remote(f.CreateFn(ctx, body))
}

func (f *fakeAPI) Get(ctx context.Context, _ orqclient.Endpoint, _, key string) (*orqclient.Remote, error) {
	if err := f.count("get", f.GetFn); err != nil {
		return nil, err
	}
	return remote(f.GetFn(ctx, key))
}

func (f *fakeAPI) Update(ctx context.Context, _ orqclient.Endpoint, _, key string, body orqclient.Body) (*orqclient.Remote, error) {
	if err := f.count("update", f.UpdateFn); err != nil {
		return nil, err
	}
	return remote(f.UpdateFn(ctx, key, body))
}

func (f *fakeAPI) Delete(ctx context.Context, _ orqclient.Endpoint, _, key string) error {
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

func (f *fakeAPI) ListVersions(ctx context.Context, _ orqclient.Endpoint, _ string, o orqclient.ListOptions) (*orqclient.VersionPage, error) {
	if err := f.count("list", f.ListFn); err != nil {
		return nil, err
	}
	return f.ListFn(ctx, o)
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

// countingReader counts the reads made through it.
type countingReader struct {
	client.Reader
	n int
}

func (c *countingReader) Get(ctx context.Context, key client.ObjectKey, obj client.Object, opts ...client.GetOption) error {
	c.n++
	return c.Reader.Get(ctx, key, obj, opts...)
}
