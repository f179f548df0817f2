package orqclient

import (
	"context"
)

// Agent is an agent as the API returns it.
type Agent struct {
	ID        string
	Key       string
	ProjectID string
	Status    string
	Version   string
	// Created and Updated are the API's timestamps as it sends them (RFC 3339): kept as strings,
	// so that an update time compares equal to the same agent's in a list answer.
	Created string
	Updated string
	// TeamKeys are the keys of the agent's team_of_agents members, in order.
	TeamKeys []string
	// Raw is the complete agent as returned, for comparison with the desired state.
	Raw Body
}

// AgentPage is one page of the list endpoint.
type AgentPage struct {
	Agents  []Agent
	HasMore bool
}

// CreateAgent creates an agent (POST /v2/agents).
func (c *Client) CreateAgent(ctx context.Context, body Body) (*Agent, error) {
	return asAgent(c.Create(ctx, Agents, "", body))
}

// GetAgent retrieves an agent by key (GET /v2/agents/{key}).
func (c *Client) GetAgent(ctx context.Context, key string) (*Agent, error) {
	return asAgent(c.Get(ctx, Agents, "", key))
}

// UpdateAgent updates the given top-level fields of an agent (PATCH /v2/agents/{key}); fields
// absent from body are left as they are.
func (c *Client) UpdateAgent(ctx context.Context, key string, body Body) (*Agent, error) {
	return asAgent(c.Update(ctx, Agents, "", key, body))
}

// DeleteAgent deletes an agent (DELETE /v2/agents/{key}). A 404 is returned as a KindNotFound
// error; callers that treat "already gone" as success check IsNotFound.
func (c *Client) DeleteAgent(ctx context.Context, key string) error {
	return c.Delete(ctx, Agents, "", key)
}

// ListAgents returns one page of agents, newest first (GET /v2/agents).
func (c *Client) ListAgents(ctx context.Context, o ListOptions) (*AgentPage, error) {
	bodies, more, err := listPage[Body](ctx, c, Agents, "", o)
	if err != nil {
		return nil, err
	}
	page := &AgentPage{HasMore: more, Agents: make([]Agent, 0, len(bodies))}
	for _, b := range bodies {
		page.Agents = append(page.Agents, *DecodeAgent(b))
	}
	return page, nil
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

func asAgent(r *Remote, err error) (*Agent, error) {
	if err != nil {
		return nil, err
	}
	return DecodeAgent(r.Raw), nil
}

// DecodeAgent reads the fields the operator uses from a complete agent.
func DecodeAgent(b Body) *Agent {
	str := func(k string) string { s, _ := b[k].(string); return s }
	return &Agent{
		ID: str("_id"), Key: str("key"), ProjectID: str("project_id"), Status: str("status"), Version: str("version"),
		Created: str("created"), Updated: str("updated"), TeamKeys: teamKeys(b), Raw: b,
	}
}

// teamKeys lists the keys of the members of an agent's team_of_agents; members without a key are
// skipped.
func teamKeys(b Body) []string {
	team, _ := b["team_of_agents"].([]any)
	var keys []string
	for _, m := range team {
		member, _ := m.(map[string]any)
		if k, _ := member["key"].(string); k != "" {
			keys = append(keys, k)
		}
	}
	return keys
}
