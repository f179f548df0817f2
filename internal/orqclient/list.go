package orqclient

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
)

// AgentPage is one page of the list endpoint.
type AgentPage struct {
	Agents  []Agent
	HasMore bool
}

// ListOptions select a page of the list endpoint.
type ListOptions struct {
	// Limit is the page size (1-200); 0 asks for every agent at once.
	Limit int
	// StartingAfter is the ID of the last agent of the previous page.
	StartingAfter string
}

// AgentVersion identifies one version of a remote agent: its key, id and last update time.
type AgentVersion struct {
	ID      string `json:"_id"`
	Key     string `json:"key"`
	Updated string `json:"updated"`
}

// VersionPage is a page of ListAgentVersions.
type VersionPage struct {
	Versions []AgentVersion
	HasMore  bool
}

// ListAgentVersions lists a page of agents (GET /v2/agents) like ListAgents, keeping of each only
// its key, id and update time: the rest of the page is decoded into nothing, so that sweeping a
// large workspace allocates little.
func (c *Client) ListAgentVersions(ctx context.Context, o ListOptions) (*VersionPage, error) {
	versions, more, err := listPage[AgentVersion](ctx, c, o)
	if err != nil {
		return nil, err
	}
	return &VersionPage{Versions: versions, HasMore: more}, nil
}

// CheckAPI confirms that the base URL answers as the orq API and accepts the key: it lists one
// agent and wants the API's list answer. Its errors are ListAgentVersions': KindMisconfigured
// when something other than the API answered, KindUnauthorized for a refused key.
func (c *Client) CheckAPI(ctx context.Context) error {
	_, err := c.ListAgentVersions(ctx, ListOptions{Limit: 1})
	return err
}

// ListAgents returns one page of agents, newest first (GET /v2/agents).
func (c *Client) ListAgents(ctx context.Context, o ListOptions) (*AgentPage, error) {
	bodies, more, err := listPage[Body](ctx, c, o)
	if err != nil {
		return nil, err
	}
	page := &AgentPage{HasMore: more, Agents: make([]Agent, 0, len(bodies))}
	for _, b := range bodies {
		page.Agents = append(page.Agents, *DecodeAgent(b))
	}
	return page, nil
}

// listAnswer is the list endpoint's answer. Its three members are required (the OpenAPI says
// so): a 2xx without them did not come from the orq API's list, and taking it for an empty
// workspace would make every agent look gone.
type listAnswer[T any] struct {
	Object  string `json:"object"`
	Data    *[]T   `json:"data"`
	HasMore *bool  `json:"has_more"`
}

// listPage reads one page of the list endpoint, items decoded as T.
func listPage[T any](ctx context.Context, c *Client, o ListOptions) ([]T, bool, error) {
	const op = "list agents"
	var out listAnswer[T]
	if err := c.do(ctx, op, http.MethodGet, agentsPath, listQuery(o), nil, &out); err != nil {
		return nil, false, err
	}
	if out.Object != "list" || out.Data == nil || out.HasMore == nil {
		return nil, false, &Error{Kind: KindMisconfigured, Op: op, Message: c.BaseURL() + ` answered without the orq API's list (object "list", data, has_more): check the orq API base URL`}
	}
	return *out.Data, *out.HasMore, nil
}

// ListAllAgents follows the list cursor until the last page, pageSize agents a call.
func (c *Client) ListAllAgents(ctx context.Context, pageSize int) ([]Agent, error) {
	var all []Agent
	err := EachPage(ctx, pageSize, func(ctx context.Context, o ListOptions) ([]Agent, bool, error) {
		page, err := c.ListAgents(ctx, o)
		if err != nil {
			return nil, false, err
		}
		return page.Agents, page.HasMore, nil
	}, func(a Agent) string { return a.ID }, func(a Agent) { all = append(all, a) })
	if err != nil {
		return nil, err
	}
	return all, nil
}

// listQuery is the query of a list request.
func listQuery(o ListOptions) url.Values {
	q := url.Values{}
	if o.Limit > 0 {
		q.Set("limit", strconv.Itoa(o.Limit))
	}
	if o.StartingAfter != "" {
		q.Set("starting_after", o.StartingAfter)
	}
	return q
}
