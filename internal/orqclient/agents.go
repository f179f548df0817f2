package orqclient

import (
	"context"
	"net/http"
	"net/url"
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

// CreateAgent creates an agent (POST /v2/agents).
func (c *Client) CreateAgent(ctx context.Context, body Body) (*Agent, error) {
	var out Body
	if err := c.do(ctx, "create agent", http.MethodPost, agentsPath, nil, body, &out); err != nil {
		return nil, err
	}
	return DecodeAgent(out), nil
}

// GetAgent retrieves an agent by key (GET /v2/agents/{key}).
func (c *Client) GetAgent(ctx context.Context, key string) (*Agent, error) {
	var out Body
	if err := c.do(ctx, "get agent", http.MethodGet, agentPath(key), nil, nil, &out); err != nil {
		return nil, err
	}
	return DecodeAgent(out), nil
}

// UpdateAgent updates the given top-level fields of an agent (PATCH /v2/agents/{key}); fields
// absent from body are left as they are.
func (c *Client) UpdateAgent(ctx context.Context, key string, body Body) (*Agent, error) {
	var out Body
	if err := c.do(ctx, "update agent", http.MethodPatch, agentPath(key), nil, body, &out); err != nil {
		return nil, err
	}
	return DecodeAgent(out), nil
}

// DeleteAgent deletes an agent (DELETE /v2/agents/{key}). A 404 is returned as a KindNotFound
// error; callers that treat "already gone" as success check IsNotFound.
func (c *Client) DeleteAgent(ctx context.Context, key string) error {
	return c.do(ctx, "delete agent", http.MethodDelete, agentPath(key), nil, nil, nil)
}

func agentPath(key string) string { return agentsPath + "/" + url.PathEscape(key) }

// decodeAgent reads the fields the operator uses from a complete agent.
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
