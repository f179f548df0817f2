package orqclient

import (
	"context"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// defaultGateDelay closes the gate after a 429 that carries no Retry-After.
const defaultGateDelay = time.Second

// Limiter paces the requests of every worker to the orq API: a token bucket (qps, burst), and a
// gate that a 429 closes until its Retry-After has passed. While the gate is closed no request is
// sent: each call fails at once with a KindRateLimited error saying how long is left, so callers
// requeue instead of blocking a worker.
type Limiter struct {
	bucket *rate.Limiter

	mu          sync.Mutex
	closedUntil time.Time
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

// acquire returns how long the gate stays closed (then nothing may be sent), or waits for a
// token of the bucket and returns 0.
func (l *Limiter) acquire(ctx context.Context) (time.Duration, error) {
	if closed := l.closedFor(); closed > 0 {
		return closed, nil
	}
	start := time.Now()
	err := l.bucket.Wait(ctx)
	if l.OnWait != nil {
		l.OnWait(time.Since(start))
	}
	if err != nil {
		return 0, err
	}
	// A 429 may have closed the gate while this request waited for its token.
	return l.closedFor(), nil
}

// closedFor is how long the gate stays closed.
func (l *Limiter) closedFor() time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.closedUntil.Sub(l.now())
}

// closeFor closes the gate for d (at least), for every worker.
func (l *Limiter) closeFor(d time.Duration) {
	if d <= 0 {
		d = defaultGateDelay
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if until := l.now().Add(d); until.After(l.closedUntil) {
		l.closedUntil = until
	}
}
