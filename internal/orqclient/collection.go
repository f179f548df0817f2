package orqclient

import (
	"context"
	"net/http"
)

// Create creates a member of a collection (POST), under parent for a nested collection.
func (c *Client) Create(ctx context.Context, e Endpoint, parent string, body Body) (*Remote, error) {
	var out Body
	k := call{op: "create " + e.Kind, method: http.MethodPost, path: e.collection(parent), member: e.nested(), route: e.collectionRoute()}
	if err := c.do(ctx, k, body, &out); err != nil {
		return nil, err
	}
	return DecodeRemote(out), nil
}

// Get reads a member by its key or id (GET).
func (c *Client) Get(ctx context.Context, e Endpoint, parent, addr string) (*Remote, error) {
	var out Body
	k := call{op: "get " + e.Kind, method: http.MethodGet, path: e.memberPath(parent, addr), member: true, route: e.memberRoute("")}
	if err := c.do(ctx, k, nil, &out); err != nil {
		return nil, err
	}
	return DecodeRemote(out), nil
}

// Update changes the given top-level fields of a member (PATCH); the others are left as they are.
func (c *Client) Update(ctx context.Context, e Endpoint, parent, addr string, body Body) (*Remote, error) {
	var out Body
	k := call{op: "update " + e.Kind, method: http.MethodPatch, path: e.memberPath(parent, addr), member: true, route: e.memberRoute("")}
	if err := c.do(ctx, k, body, &out); err != nil {
		return nil, err
	}
	return DecodeRemote(out), nil
}

// Delete deletes a member (DELETE). A 404 is returned as a KindNotFound error; callers that take
// "already gone" for success check IsNotFound (and confirm with CheckEndpoint).
func (c *Client) Delete(ctx context.Context, e Endpoint, parent, addr string) error {
	k := call{op: "delete " + e.Kind, method: http.MethodDelete, path: e.memberPath(parent, addr), member: true, route: e.memberRoute("")}
	return c.do(ctx, k, nil, nil)
}

// Post sends a body to a path under a member, such as a schedule's /execution, and returns the
// answer. A nil body sends none (the execution of a schedule takes none).
func (c *Client) Post(ctx context.Context, e Endpoint, parent, addr, sub, op string, body Body) (Body, error) {
	var out Body
	var in any // a nil Body would be sent as "null"
	if body != nil {
		in = body
	}
	k := call{op: op, method: http.MethodPost, path: e.memberPath(parent, addr) + "/" + sub, member: true, route: e.memberRoute(sub)}
	if err := c.do(ctx, k, in, &out); err != nil {
		return nil, err
	}
	return out, nil
}
