package orqclient

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
)

// ListOptions select a page of a paged list endpoint.
type ListOptions struct {
	// Limit is the page size (1-200); 0 asks for the API's default.
	Limit int
	// StartingAfter is the ID of the last member of the previous page.
	StartingAfter string
}

// Version identifies one version of a remote object: its key, id and last update time.
type Version struct {
	ID      string `json:"_id"`
	Key     string `json:"key"`
	Updated string `json:"updated"`
}

// AgentVersion is the Version of an agent.
type AgentVersion = Version

// VersionPage is a page of ListVersions.
type VersionPage struct {
	Versions []Version
	HasMore  bool
}

// ListVersions lists a page of a collection (GET), keeping of each member only its key, id and
// update time: the rest of the page is decoded into nothing, so that sweeping a large workspace
// allocates little. An unpaged collection is listed whole, in one page.
func (c *Client) ListVersions(ctx context.Context, e Endpoint, parent string, o ListOptions) (*VersionPage, error) {
	versions, more, err := listPage[Version](ctx, c, e, parent, o)
	if err != nil {
		return nil, err
	}
	return &VersionPage{Versions: versions, HasMore: more}, nil
}

// ListAgentVersions is ListVersions of the agents.
func (c *Client) ListAgentVersions(ctx context.Context, o ListOptions) (*VersionPage, error) {
	return c.ListVersions(ctx, Agents, "", o)
}

// CheckAPI confirms that the base URL answers as the orq API and accepts the key: it lists one
// agent and wants the API's list answer. Its errors are ListAgentVersions': KindMisconfigured
// when something other than the API answered, KindUnauthorized for a refused key.
func (c *Client) CheckAPI(ctx context.Context) error {
	_, err := c.ListAgentVersions(ctx, ListOptions{Limit: 1})
	return err
}

// ListAll follows the list cursor of a collection until the last page, every member decoded.
func (c *Client) ListAll(ctx context.Context, e Endpoint, parent string) ([]Remote, error) {
	var all []Remote
	err := EachPage(ctx, MaxPageSize, func(ctx context.Context, o ListOptions) ([]Body, bool, error) {
		return listPage[Body](ctx, c, e, parent, o)
	}, func(b Body) string { id, _ := b["_id"].(string); return id }, func(b Body) { all = append(all, *DecodeRemote(b)) })
	if err != nil {
		return nil, err
	}
	return all, nil
}

// listAnswer is a paged list endpoint's answer. Its three members are required (the OpenAPI
// says so): a 2xx without them did not come from the orq API's list, and taking it for an empty
// workspace would make every object look gone.
type listAnswer[T any] struct {
	Object  string `json:"object"`
	Data    *[]T   `json:"data"`
	HasMore *bool  `json:"has_more"`
}

// listPage reads one page of a collection, members decoded as T.
func listPage[T any](ctx context.Context, c *Client, e Endpoint, parent string, o ListOptions) ([]T, bool, error) {
	k := call{op: "list " + e.plural(), method: http.MethodGet, path: e.collection(parent), member: e.nested(), route: e.collectionRoute()}
	if e.Unpaged {
		return listUnpaged[T](ctx, c, k, e.ListMember)
	}
	k.query = listQuery(o)
	var out listAnswer[T]
	if err := c.do(ctx, k, nil, &out); err != nil {
		return nil, false, err
	}
	if out.Object != "list" || out.Data == nil || out.HasMore == nil {
		return nil, false, &Error{Kind: KindMisconfigured, Op: k.op, Message: c.BaseURL() + ` answered without the orq API's list (object "list", data, has_more): check the orq API base URL`}
	}
	return *out.Data, *out.HasMore, nil
}

// listUnpaged reads a list answered whole, as {member: [...]}; the member is required.
func listUnpaged[T any](ctx context.Context, c *Client, k call, member string) ([]T, bool, error) {
	var out map[string]json.RawMessage
	if err := c.do(ctx, k, nil, &out); err != nil {
		return nil, false, err
	}
	var items *[]T
	if raw, ok := out[member]; ok {
		if err := json.Unmarshal(raw, &items); err != nil {
			return nil, false, &Error{Kind: KindUnavailable, Op: k.op, Message: "decoding answer: " + err.Error()}
		}
	}
	if items == nil {
		return nil, false, &Error{Kind: KindMisconfigured, Op: k.op, Message: c.BaseURL() + " answered without the orq API's list (" + member + "): check the orq API base URL"}
	}
	return *items, false, nil
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
