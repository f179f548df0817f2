package orqclient

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// The client does not retry by itself: a failed request returns its *Error, and the caller
// (the controller's queue) comes back later. These are the only delays the client decides.
const (
	// defaultGateDelay closes the Limiter's gate after a 429 that carries no Retry-After, and is
	// the wait told to requests held back while a probe is under way.
	defaultGateDelay = time.Second
	// maxRetryAfter bounds the delay an answer can ask for.
	maxRetryAfter = 15 * time.Minute
)

// parseRetryAfter reads a Retry-After header, delay-seconds or an HTTP date, bounded by
// maxRetryAfter; 0 when absent or unreadable.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	var d time.Duration
	if secs, err := strconv.ParseUint(v, 10, 32); err == nil {
		d = time.Duration(secs) * time.Second
	} else if t, err := http.ParseTime(v); err == nil && t.After(now) {
		d = t.Sub(now)
	}
	return min(d, maxRetryAfter)
}
