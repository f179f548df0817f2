package orqclient

import (
	"errors"
	"fmt"
	"net/http"
	"time"
)

// Kind classifies an API error once, where it enters the operator. Callers branch on the kind,
// never on status codes or message text.
type Kind string

const (
	// KindNotFound: the agent does not exist: the orq API's own 404 to a request naming it (see
	// notfound.go).
	KindNotFound Kind = "NotFound"
	// KindConflict: an agent with the key already exists (409).
	KindConflict Kind = "Conflict"
	// KindInvalid: the API refused the request body (400, 422); retrying the same body is useless.
	KindInvalid Kind = "Invalid"
	// KindUnauthorized: the API key is missing, wrong or lacks permission (401, 403).
	KindUnauthorized Kind = "Unauthorized"
	// KindRateLimited: too many requests (429); RetryAfter says when to come back.
	KindRateLimited Kind = "RateLimited"
	// KindUnavailable: the API could not answer (5xx, 408, timeouts, network errors, unreadable
	// answers).
	KindUnavailable Kind = "Unavailable"
	// KindMisconfigured: something other than the orq API answered, or not where it should (the
	// base URL is probably wrong): a redirect (not followed), a 404 that is not the API's own or
	// that answers a list or a create, a 2xx list answer that is not a list.
	KindMisconfigured Kind = "Misconfigured"
)

// Error is an error of the orq API. Its text carries the operation, the status and the API's own
// message; it never carries the API key or request headers.
type Error struct {
	Kind       Kind
	Op         string // for example "create agent"
	StatusCode int    // 0 when no HTTP answer was received
	Message    string // the API's message, or the transport error
	RetryAfter time.Duration
	// Unsent tells that the request certainly never reached the server: no connection could be
	// made (connection refused, no such host).
	Unsent bool
}

func (e *Error) Error() string {
	if e.StatusCode == 0 {
		return fmt.Sprintf("orq API: %s: %s", e.Op, e.Message)
	}
	return fmt.Sprintf("orq API: %s: %d %s: %s", e.Op, e.StatusCode, http.StatusText(e.StatusCode), e.Message)
}

// KindOf returns the kind of an error of this package, or "" for any other error.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return ""
}

// IsNotFound tells whether err says the agent does not exist (the orq API's own 404).
func IsNotFound(err error) bool { return KindOf(err) == KindNotFound }

// IsConflict tells whether err is an API 409.
func IsConflict(err error) bool { return KindOf(err) == KindConflict }

// RetryAfter returns how long the API asked to wait, or 0.
func RetryAfter(err error) time.Duration {
	var e *Error
	if errors.As(err, &e) {
		return e.RetryAfter
	}
	return 0
}

// kindForStatus maps an HTTP status code to its kind.
func kindForStatus(code int) Kind {
	switch {
	case code == http.StatusNotFound:
		return KindNotFound
	case code == http.StatusConflict:
		return KindConflict
	case code == http.StatusUnauthorized || code == http.StatusForbidden:
		return KindUnauthorized
	case code == http.StatusTooManyRequests:
		return KindRateLimited
	case code == http.StatusBadRequest || code == http.StatusUnprocessableEntity:
		return KindInvalid
	case code >= 500 || code == http.StatusRequestTimeout || code == http.StatusTooEarly:
		return KindUnavailable
	case code >= 300 && code < 400:
		return KindMisconfigured
	case code >= 400:
		// Other client errors (405, 413, ...) will not pass by retrying the same request.
		return KindInvalid
	default:
		return KindUnavailable
	}
}

// NotSent tells whether a request was never sent: the rate limiter's gate held it back, or no
// connection could be made.
func NotSent(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.StatusCode == 0 && (e.Kind == KindRateLimited || e.Unsent)
}

// Refused tells whether a failed request certainly had no effect: it was answered with a 4xx
// (refused before anything was done), or never sent (the rate limiter's gate held it). A timeout
// (408 and 425 included), a reset or a 5xx may have had its effect.
func Refused(err error) bool {
	var e *Error
	if !errors.As(err, &e) {
		return false
	}
	if e.StatusCode == http.StatusRequestTimeout || e.StatusCode == http.StatusTooEarly {
		return false
	}
	return (e.StatusCode >= 400 && e.StatusCode < 500) || NotSent(err)
}
