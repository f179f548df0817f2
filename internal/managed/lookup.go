package managed

import (
	"context"
	"sync"
	"time"

	"github.com/orq-ai/orq-operator/internal/orqclient"
)

// lookupMaxAge is how old a listing may be and still tell a first create whether its key is free.
// orq answers a create at a taken key with a 409 only for agents; for the other keyed kinds a
// first create reads first, and a listing of the collection (ceil(M/200) pages) that began after
// the object was created, at most this long ago, serves every create of that collection
// meanwhile: a burst of N objects applied together costs one listing, not N reads. An object
// made at the key after the listing is the same race as between any read and the create that
// follows it (creation times have a resolution of one second): orq refuses the duplicate key,
// and the create's answer is handled as a taken key.
const lookupMaxAge = 5 * time.Second

// keyLookups finds the id of the remote object at a key, in the collections whose first creates
// read first, sharing listings between the lookups of one collection (see lookupMaxAge). One
// listing of a collection runs at a time; a lookup that needs a fresher one waits for it. A
// listing is released once lookupMaxAge old, as no lookup can use it then: a burst of creates
// leaves no listing of its collection (M keys and ids) in memory afterwards.
type keyLookups struct {
	mu          sync.Mutex
	collections map[string]*collectionKeys
	// afterFunc runs f once d has passed (time.AfterFunc when nil); tests set it.
	afterFunc func(d time.Duration, f func())
}

// collectionKeys is the last listing of one collection: its members' ids by key, and when it
// began.
type collectionKeys struct {
	mu      sync.Mutex
	started time.Time
	ids     map[string]string
}

// find returns the id of the member at key ("" for none), from a listing that began at or after
// notBefore. workspace identifies the API key, so that collections of two workspaces never mix.
func (l *keyLookups) find(ctx context.Context, api API, workspace string, e orqclient.Endpoint, parent, key string, notBefore time.Time) (string, error) {
	c := l.collection(workspace + " " + e.Path + " " + parent)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ids != nil && !c.started.Before(notBefore) {
		return c.ids[key], nil
	}
	started := time.Now()
	ids := map[string]string{}
	err := orqclient.EachPage(ctx, orqclient.MaxPageSize, func(ctx context.Context, o orqclient.ListOptions) ([]orqclient.Version, bool, error) {
		page, err := api.ListVersions(ctx, e, parent, o)
		if err != nil {
			return nil, false, err
		}
		return page.Versions, page.HasMore, nil
	}, func(v orqclient.Version) string { return v.ID }, func(v orqclient.Version) { ids[v.Key] = v.ID })
	if err != nil {
		return "", err
	}
	c.started, c.ids = started, ids
	l.after(lookupMaxAge, func() { c.release(started) })
	return ids[key], nil
}

func (l *keyLookups) after(d time.Duration, f func()) {
	if l.afterFunc != nil {
		l.afterFunc(d, f)
		return
	}
	time.AfterFunc(d, f)
}

// release forgets the listing that began at started, unless a newer one replaced it. It waits
// for a listing under way, which then keeps its own release.
func (c *collectionKeys) release(started time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.started.Equal(started) {
		c.ids = nil
	}
}

func (l *keyLookups) collection(name string) *collectionKeys {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.collections == nil {
		l.collections = map[string]*collectionKeys{}
	}
	c, ok := l.collections[name]
	if !ok {
		c = &collectionKeys{}
		l.collections[name] = c
	}
	return c
}
