package orqclient

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strings"
	"sync"
	"time"
)

// KeyHash identifies an API key without revealing it: "sha256:" and the first 16 hex digits of
// the SHA-256 of the key as it is sent (surrounding whitespace trimmed).
func KeyHash(apiKey string) string {
	sum := keyDigest(apiKey)
	return "sha256:" + hex.EncodeToString(sum[:8])
}

// keyDigest is the full SHA-256 of the key as sent: the Pool's index, where the 64 bits of
// KeyHash would leave a (remote) chance of two keys sharing one client.
func keyDigest(apiKey string) [sha256.Size]byte {
	return sha256.Sum256([]byte(strings.TrimSpace(apiKey)))
}

// idleSource is how long a source may go unused before the Pool forgets it: longer than any
// Retry-After (maxRetryAfter), so that a client dropped with its Limiter had its gate open.
const idleSource = time.Hour

// Pool hands out one Client per API key: a key is a workspace with its own quota, so every
// source holding the key (several Secrets, the operator's own key) shares the Client and its
// Limiter, and a 429 holds them all back. The Pool follows which key each source (for example
// one Secret key) holds: when that changes (a rotation), the source gets the new key's Client.
//
// A Client is dropped when no source uses it any more: at once when its last source moves to
// another key, or when its sources have not asked for it for idleSource (an Agent deleted, a
// Secret no longer referenced). A pinned Client (Pin) is never dropped.
type Pool struct {
	// Options of every Client; APIKey and Limiter are set per Client. A nil Transport is one
	// transport shared by the Pool's Clients.
	Options Options
	// NewLimiter makes the Limiter of each Client; nil: no Limiter.
	NewLimiter func() *Limiter

	mu        sync.Mutex
	clients   map[[sha256.Size]byte]*pooled
	sources   map[string]*source
	transport http.RoundTripper
	swept     time.Time
	now       func() time.Time // time.Now when nil
}

type pooled struct {
	client *Client
	users  int // sources holding the key
	pinned bool
}

type source struct {
	key      [sha256.Size]byte
	lastUsed time.Time
}

// For returns the Client of apiKey, for source.
func (p *Pool) For(src, apiKey string) (*Client, error) {
	key := keyDigest(apiKey)
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.clock()
	p.forgetIdle(now)
	if s, ok := p.sources[src]; ok && s.key == key {
		s.lastUsed = now
		return p.clients[key].client, nil
	}
	c, err := p.get(key, apiKey)
	if err != nil {
		return nil, err
	}
	p.leave(src)
	c.users++
	if p.sources == nil {
		p.sources = map[string]*source{}
	}
	p.sources[src] = &source{key: key, lastUsed: now}
	return c.client, nil
}

// Pin returns the Client of apiKey and keeps it for the Pool's life: for a key held outside the
// Pool, such as the operator's own, so that Secrets holding the same key share its Limiter.
func (p *Pool) Pin(apiKey string) (*Client, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	c, err := p.get(keyDigest(apiKey), apiKey)
	if err != nil {
		return nil, err
	}
	c.pinned = true
	return c.client, nil
}

// Len is the number of Clients held.
func (p *Pool) Len() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.clients)
}

// get returns the pooled Client of key, made when there is none.
func (p *Pool) get(key [sha256.Size]byte, apiKey string) (*pooled, error) {
	if c, ok := p.clients[key]; ok {
		return c, nil
	}
	o := p.Options
	o.APIKey = apiKey
	o.Limiter = nil
	if p.NewLimiter != nil {
		o.Limiter = p.NewLimiter()
	}
	if o.Transport == nil {
		if p.transport == nil {
			p.transport = newTransport()
		}
		o.Transport = p.transport
	}
	client, err := New(o)
	if err != nil {
		return nil, err
	}
	if p.clients == nil {
		p.clients = map[[sha256.Size]byte]*pooled{}
	}
	c := &pooled{client: client}
	p.clients[key] = c
	return c, nil
}

// leave forgets source, and drops its Client if no source uses it any more.
func (p *Pool) leave(src string) {
	s, ok := p.sources[src]
	if !ok {
		return
	}
	delete(p.sources, src)
	if c := p.clients[s.key]; c != nil {
		c.users--
		if c.users <= 0 && !c.pinned {
			delete(p.clients, s.key)
		}
	}
}

// forgetIdle forgets the sources unused for idleSource; it looks at most every minute.
func (p *Pool) forgetIdle(now time.Time) {
	if now.Sub(p.swept) < time.Minute {
		return
	}
	p.swept = now
	for src, s := range p.sources {
		if now.Sub(s.lastUsed) > idleSource {
			p.leave(src)
		}
	}
}

func (p *Pool) clock() time.Time {
	if p.now != nil {
		return p.now()
	}
	return time.Now()
}
