package orqclient

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"sync"
)

// KeyHash identifies an API key without revealing it: "sha256:" and the first 16 hex digits of
// the SHA-256 of the key as it is sent (surrounding whitespace trimmed).
func KeyHash(apiKey string) string {
	sum := sha256.Sum256([]byte(strings.TrimSpace(apiKey)))
	return "sha256:" + hex.EncodeToString(sum[:8])
}

// Pool hands out one Client per source of API keys (for example one Secret key), made from
// shared Options with the source's key. When the key of a source changes (a rotation), the next
// call gets a new Client, with the new key and its own Limiter; the old one is dropped.
type Pool struct {
	// Options of every Client; APIKey and Limiter are set per Client.
	Options Options
	// NewLimiter makes the Limiter of each Client (an API key is a workspace, with its own
	// quota); nil: no Limiter.
	NewLimiter func() *Limiter

	mu      sync.Mutex
	clients map[string]pooled
}

type pooled struct {
	hash   string
	client *Client
}

// For returns the Client of source, for apiKey.
func (p *Pool) For(source, apiKey string) (*Client, error) {
	hash := KeyHash(apiKey)
	p.mu.Lock()
	defer p.mu.Unlock()
	if c, ok := p.clients[source]; ok && c.hash == hash {
		return c.client, nil
	}
	o := p.Options
	o.APIKey = apiKey
	o.Limiter = nil
	if p.NewLimiter != nil {
		o.Limiter = p.NewLimiter()
	}
	c, err := New(o)
	if err != nil {
		return nil, err
	}
	if p.clients == nil {
		p.clients = map[string]pooled{}
	}
	p.clients[source] = pooled{hash: hash, client: c}
	return c, nil
}

// Len is the number of Clients held.
func (p *Pool) Len() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.clients)
}
