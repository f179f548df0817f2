package controller

import (
	"context"
	"maps"
	"net/http"

	"github.com/orq-ai/orq-operator/internal/orqclient"
)

// dryRunAPI is the AgentAPI of a plan: reads go to the real API, writes are recorded and never
// sent. A write is answered as orq would answer it, so that the steps after it run as they would:
// a create at a key that holds an agent gets orq's 409, any other write an agent made of the
// request (see the synthesized answers below).
type dryRunAPI struct {
	real AgentAPI
	// seen is the last agent the real API answered for each key: what a write would change.
	seen map[string]*orqclient.Agent
	// writes lists the writes the steps asked for, in order.
	writes []plannedWrite
	// replays are keys whose next read is answered from seen: an Agent planned a second time
	// (planAsOwn) reads what its first pass read, not the API again.
	replays map[string]bool
}

// plannedWrite is a write a plan would make.
type plannedWrite struct {
	method string // http.MethodPost, MethodPatch or MethodDelete
	key    string
	body   orqclient.Body
}

// plannedIDPrefix starts the id of an agent a plan would create: it does not exist yet.
const plannedIDPrefix = "planned:"

var _ AgentAPI = (*dryRunAPI)(nil)

func newDryRunAPI(real AgentAPI) *dryRunAPI {
	return &dryRunAPI{real: real, seen: map[string]*orqclient.Agent{}, replays: map[string]bool{}}
}

// replay answers the next read of key from the last one.
func (d *dryRunAPI) replay(key string) { d.replays[key] = true }

func (d *dryRunAPI) GetAgent(ctx context.Context, key string) (*orqclient.Agent, error) {
	if d.replays[key] {
		delete(d.replays, key)
		if a, ok := d.seen[key]; ok {
			return a, nil
		}
	}
	a, err := d.real.GetAgent(ctx, key)
	if err == nil {
		d.seen[key] = a
	}
	return a, err
}

// CreateAgent reads the key first: orq refuses a create at a key that holds an agent (409), and
// the steps handle that answer (createConflicted), so the plan must give it too.
func (d *dryRunAPI) CreateAgent(ctx context.Context, body orqclient.Body) (*orqclient.Agent, error) {
	key, _ := body["key"].(string)
	switch _, err := d.GetAgent(ctx, key); {
	case err == nil:
		return nil, &orqclient.Error{Kind: orqclient.KindConflict, Op: "create agent (planned)", StatusCode: http.StatusConflict,
			Message: "an agent with key " + key + " already exists"}
	case !orqclient.IsNotFound(err):
		return nil, err
	}
	d.writes = append(d.writes, plannedWrite{method: http.MethodPost, key: key, body: body})
	raw := maps.Clone(body)
	raw["_id"] = plannedIDPrefix + key
	return orqclient.DecodeAgent(raw), nil
}

// UpdateAgent answers with the agent last read, the request's fields set on it.
func (d *dryRunAPI) UpdateAgent(ctx context.Context, key string, body orqclient.Body) (*orqclient.Agent, error) {
	d.writes = append(d.writes, plannedWrite{method: http.MethodPatch, key: key, body: body})
	raw := orqclient.Body{"key": key}
	if before, ok := d.seen[key]; ok {
		raw = maps.Clone(before.Raw)
	}
	maps.Copy(raw, body)
	return orqclient.DecodeAgent(raw), nil
}

func (d *dryRunAPI) DeleteAgent(_ context.Context, key string) error {
	d.writes = append(d.writes, plannedWrite{method: http.MethodDelete, key: key})
	return nil
}

// CheckAPI is a read: it goes to the real API.
func (d *dryRunAPI) CheckAPI(ctx context.Context) error { return d.real.CheckAPI(ctx) }

// writesTo returns the writes planned for one key.
func (d *dryRunAPI) writesTo(key string) []plannedWrite {
	var out []plannedWrite
	for _, w := range d.writes {
		if w.key == key {
			out = append(out, w)
		}
	}
	return out
}
