package managed

import (
	"sync"

	"k8s.io/apimachinery/pkg/types"
)

// createdIDs are the ids of the remote objects this process created, by object UID, until the
// object's status is seen recording them: a create whose answer came back, but whose status write
// failed, stays this object's own even if its spec changes before the next pass (review R10).
type createdIDs struct {
	mu  sync.Mutex
	ids map[types.UID]string
}

func (c *createdIDs) add(o Object, id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ids == nil {
		c.ids = map[types.UID]string{}
	}
	c.ids[o.GetUID()] = id
}

// is tells whether this process created the remote object id for o.
func (c *createdIDs) is(o Object, id string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return id != "" && c.ids[o.GetUID()] == id
}

// seen forgets an id once o's status records it (or records another: then it is no longer o's).
func (c *createdIDs) seen(o Object) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if id, ok := c.ids[o.GetUID()]; ok && o.ManagedStatus().ID != "" && o.ManagedStatus().ID == id {
		delete(c.ids, o.GetUID())
	}
}
