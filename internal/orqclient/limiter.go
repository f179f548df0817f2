package orqclient

import (
	"context"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Limiter paces the requests of every worker to the orq API: a token bucket (qps, burst), and a
// gate that a 429 closes until its Retry-After has passed. While the gate is closed no request is
// sent: each call fails at once with a KindRateLimited error saying how long is left, so callers
// requeue instead of blocking a worker. When the gate reopens, one request goes first, as a
// probe; the others are held back until its answer shows the limit has passed (any answer but a
// 429), so that a still-limited API sees one request per Retry-After, not one per worker.
type Limiter struct {
	bucket *rate.Limiter

	mu          sync.Mutex
	closedUntil time.Time
	limited     bool // a 429 was answered, and no other answer since
	probing     bool // the request that tests whether the limit has passed is under way
	now         func() time.Time

	// OnWait, when set, is told how long each request waited for a token.
	OnWait func(time.Duration)
}

// NewLimiter returns a limiter of qps requests a second with bursts of burst; qps <= 0 means no
// pacing (the 429 gate still applies).
func NewLimiter(qps float64, burst int) *Limiter {
	limit := rate.Limit(qps)
	if qps <= 0 {
		limit = rate.Inf
	}
	if burst < 1 {
		burst = 1
	}
	return &Limiter{bucket: rate.NewLimiter(limit, burst), now: time.Now}
}

// acquire returns how long to hold the request back (then nothing may be sent), or waits for a
// token of the bucket and returns 0; probe tells that the request tests the reopened gate, and
// its answer must be given to done.
func (l *Limiter) acquire(ctx context.Context) (wait time.Duration, probe bool, err error) {
	if wait, _ = l.admit(false); wait > 0 {
		return wait, false, nil // no token is taken while the gate is closed
	}
	start := time.Now()
	err = l.bucket.Wait(ctx)
	if l.OnWait != nil {
		l.OnWait(time.Since(start))
	}
	if err != nil {
		return 0, false, err
	}
	// A 429 may have closed the gate, or another request become the probe, while this one
	// waited for its token.
	wait, probe = l.admit(true)
	return wait, probe, nil
}

// admit decides, under the lock, whether a request may go: not while the gate is closed, nor
// while a probe is under way. After the gate reopened, the first request admitted with take
// becomes the probe.
func (l *Limiter) admit(take bool) (time.Duration, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if closed := l.closedUntil.Sub(l.now()); closed > 0 {
		return closed, false
	}
	switch {
	case !l.limited:
		return 0, false
	case l.probing:
		return defaultGateDelay, false
	default:
		l.probing = take
		return 0, take
	}
}

// done records the outcome of a request: answered (any HTTP answer), or rateLimited (a 429, which
// closes the gate through closeFor). An answer other than a 429 opens the gate to every request.
func (l *Limiter) done(probe, answered, rateLimited bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if answered && !rateLimited {
		l.limited = false
	}
	if probe {
		l.probing = false
	}
}

// closeFor closes the gate for d (at least), for every worker.
func (l *Limiter) closeFor(d time.Duration) {
	if d <= 0 {
		d = defaultGateDelay
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.limited = true
	if until := l.now().Add(d); until.After(l.closedUntil) {
		l.closedUntil = until
	}
}
