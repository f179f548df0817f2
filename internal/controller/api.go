package controller

import (
	"context"

	"github.com/orq-ai/orq-operator/internal/orqclient"
)

// AgentAPI is what the reconciler needs of the orq API. orqclient.Client is the real one; tests
// use fakeAPI (fake_api_test.go) or the in-memory API over HTTP.
type AgentAPI interface {
	CreateAgent(ctx context.Context, body orqclient.Body) (*orqclient.Agent, error)
	GetAgent(ctx context.Context, key string) (*orqclient.Agent, error)
	UpdateAgent(ctx context.Context, key string, body orqclient.Body) (*orqclient.Agent, error)
	DeleteAgent(ctx context.Context, key string) error
	// CheckAPI confirms that the orq API itself answers at the base URL (a list of one agent, in
	// the API's own shape): a 404 is taken for "gone" only then, since a gateway in front of orq
	// can answer a route miss in orq's own 404 shape.
	CheckAPI(ctx context.Context) error
}

// AgentLister is what the drift sweep needs of an AgentAPI: the list endpoint, a page at a time,
// of which it keeps each agent's key, id and update time. A client without it is re-read agent by
// agent instead.
type AgentLister interface {
	ListAgentVersions(ctx context.Context, o orqclient.ListOptions) (*orqclient.VersionPage, error)
}

var (
	_ AgentAPI    = (*orqclient.Client)(nil)
	_ AgentLister = (*orqclient.Client)(nil)
)
