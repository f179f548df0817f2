package managed

import (
	"context"

	"github.com/orq-ai/orq-operator/internal/orqclient"
)

// API is what the core needs of the orq API, for any collection. orqclient.Client is the real one;
// tests use a fake or the in-memory API over HTTP; a plan wraps it in a dry run.
type API interface {
	Create(ctx context.Context, e orqclient.Endpoint, parent string, body orqclient.Body) (*orqclient.Remote, error)
	Get(ctx context.Context, e orqclient.Endpoint, parent, addr string) (*orqclient.Remote, error)
	Update(ctx context.Context, e orqclient.Endpoint, parent, addr string, body orqclient.Body) (*orqclient.Remote, error)
	Delete(ctx context.Context, e orqclient.Endpoint, parent, addr string) error
	// ListVersions lists a page of a collection, keeping each member's key, id and update time:
	// the drift sweep, and the lookup of a key in a collection addressed by id.
	ListVersions(ctx context.Context, e orqclient.Endpoint, parent string, o orqclient.ListOptions) (*orqclient.VersionPage, error)
	// CheckAPI confirms that the orq API itself answers at the base URL (a list of one agent, in
	// the API's own shape): a 404 lets an object go only then, since a gateway in front of orq can
	// answer a route miss in orq's own 404 shape.
	CheckAPI(ctx context.Context) error
}

var _ API = (*orqclient.Client)(nil)
