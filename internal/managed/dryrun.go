package managed

import (
	"context"
	"maps"
	"net/http"

	"github.com/orq-ai/orq-operator/internal/orqclient"
)

// dryRunAPI is the API of a plan: reads go to the real API, writes are recorded and never sent.
// A write is answered as orq would answer it, so that the steps after it run as they would: a
// create at a key that holds an object of a collection that answers 409 gets orq's 409, any other
// write an object made of the request (see the synthesized answers below).
type dryRunAPI struct {
	real API
	// seen is the last object the real API answered at each place: what a write would change.
	seen map[string]*orqclient.Remote
	// writes lists the writes the steps asked for, in order.
	writes []plannedWrite
	// replays are places whose next read is answered from seen: an object planned a second time
	// (planAsOwn) reads what its first pass read, not the API again.
	replays map[string]bool
}

// plannedWrite is a write a plan would make.
type plannedWrite struct {
	method string // http.MethodPost, MethodPatch or MethodDelete
	place  string // see placeKey
	body   orqclient.Body
}

// plannedIDPrefix starts the id of an object a plan would create: it does not exist yet.
const plannedIDPrefix = "planned:"

var _ API = (*dryRunAPI)(nil)

func newDryRunAPI(real API) *dryRunAPI {
	return &dryRunAPI{real: real, seen: map[string]*orqclient.Remote{}, replays: map[string]bool{}}
}

// placeKey names a member of a collection: "agent//support", "schedule/digest/01J...".
func placeKey(e orqclient.Endpoint, parent, addr string) string {
	return e.Kind + "/" + parent + "/" + addr
}

// replay answers the next read of a place from the last one.
func (d *dryRunAPI) replay(place string) { d.replays[place] = true }

func (d *dryRunAPI) Get(ctx context.Context, e orqclient.Endpoint, parent, addr string) (*orqclient.Remote, error) {
	place := placeKey(e, parent, addr)
	if d.replays[place] {
		delete(d.replays, place)
		if r, ok := d.seen[place]; ok {
			return r, nil
		}
	}
	r, err := d.real.Get(ctx, e, parent, addr)
	if err == nil {
		d.seen[place] = r
	}
	return r, err
}

// Create reads the key first when the collection answers a taken key with a 409 (agents): the
// steps handle that answer (createConflicted), so the plan must give it too.
func (d *dryRunAPI) Create(ctx context.Context, e orqclient.Endpoint, parent string, body orqclient.Body) (*orqclient.Remote, error) {
	key, _ := body["key"].(string)
	if e.Conflict409 {
		switch _, err := d.Get(ctx, e, parent, key); {
		case err == nil:
			return nil, &orqclient.Error{Kind: orqclient.KindConflict, Op: "create " + e.Kind + " (planned)", StatusCode: http.StatusConflict,
				Message: "an " + e.Kind + " with key " + key + " already exists"}
		case !orqclient.IsNotFound(err):
			return nil, err
		}
	}
	d.writes = append(d.writes, plannedWrite{method: http.MethodPost, place: placeKey(e, parent, key), body: body})
	raw := maps.Clone(body)
	raw["_id"] = plannedIDPrefix + key
	return orqclient.DecodeRemote(raw), nil
}

// Update answers with the object last read, the request's fields set on it.
func (d *dryRunAPI) Update(_ context.Context, e orqclient.Endpoint, parent, addr string, body orqclient.Body) (*orqclient.Remote, error) {
	place := placeKey(e, parent, addr)
	d.writes = append(d.writes, plannedWrite{method: http.MethodPatch, place: place, body: body})
	raw := orqclient.Body{"_id": addr}
	if before, ok := d.seen[place]; ok {
		raw = maps.Clone(before.Raw)
	}
	maps.Copy(raw, body)
	return orqclient.DecodeRemote(raw), nil
}

func (d *dryRunAPI) Delete(_ context.Context, e orqclient.Endpoint, parent, addr string) error {
	d.writes = append(d.writes, plannedWrite{method: http.MethodDelete, place: placeKey(e, parent, addr)})
	return nil
}

// ListVersions and CheckAPI are reads: they go to the real API.
func (d *dryRunAPI) ListVersions(ctx context.Context, e orqclient.Endpoint, parent string, o orqclient.ListOptions) (*orqclient.VersionPage, error) {
	return d.real.ListVersions(ctx, e, parent, o)
}

func (d *dryRunAPI) CheckAPI(ctx context.Context) error { return d.real.CheckAPI(ctx) }
