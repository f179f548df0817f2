package managed

import (
	"errors"
	"fmt"
	"time"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
	"github.com/orq-ai/orq-operator/internal/orqclient"
)

// handling is how a failed pass is retried: one rule per error, decided where the error is made.
type handling int

const (
	// retryable: the failure should pass by itself (5xx, timeouts, network, Kubernetes errors);
	// the error is returned, so the work queue retries with exponential backoff.
	retryable handling = iota
	// waiting: the API asked to come back later (429), or the pass waits a known time; requeue
	// after its delay, no error.
	waiting
	// terminal: nothing changes until the spec does (400/422, an invalid spec) or an object whose
	// watch wakes this one; no requeue.
	terminal
	// stalledSlow: cannot progress without a change outside the spec (the API key is refused, a
	// foreign remote object holds the key); retried slowly.
	stalledSlow
	// waitingOnCluster: waits for another object of the cluster (a referenced object, a Secret),
	// whose watch wakes it; re-checked every sync period as a safety net. Reconciling, not
	// Stalled: applying things in any order is normal.
	waitingOnCluster
)

// Retry delays, all in one place.
const (
	// backoffBase and backoffMax bound the exponential backoff of retryable failures.
	backoffBase = time.Second
	backoffMax  = 5 * time.Minute
	// defaultRateLimitDelay is used when a 429 carries no Retry-After.
	defaultRateLimitDelay = 30 * time.Second
	// unauthorizedRetry is the slow retry of a refused API key or a misconfigured base URL.
	unauthorizedRetry = 5 * time.Minute
	// sweepRetry is how soon a drift sweep of a workspace that failed is tried again (doubling at
	// each failure in a row, up to the sync period).
	sweepRetry = 30 * time.Second
	// proofRetry is how often a deleted object tries again to read what its lost create's body
	// was built from (see waitForProof).
	proofRetry = 30 * time.Second
	// proofWait bounds how long it does.
	proofWait = 10 * time.Minute
)

// stepError is a failure of a step, with the condition reason it reports and its handling.
type stepError struct {
	reason   string
	handling handling
	after    time.Duration // waiting, stalledSlow: when to come back; 0: the sync period
	err      error
}

func (e *stepError) Error() string { return e.err.Error() }
func (e *stepError) Unwrap() error { return e.err }

// failure makes a stepError; the message is formatted as by fmt.Errorf.
func failure(h handling, reason, format string, args ...any) error {
	return &stepError{reason: reason, handling: h, err: fmt.Errorf(format, args...)}
}

// classify returns the handling of any error: a stepError as made, an orq API error by its kind
// (classified once, in orqclient), anything else (Kubernetes) retried with backoff.
func classify(err error) stepError {
	var se *stepError
	if errors.As(err, &se) {
		return *se
	}
	c := stepError{err: err, handling: retryable, reason: orqv1alpha1.ReasonProgressing}
	switch orqclient.KindOf(err) {
	case orqclient.KindInvalid:
		c.handling, c.reason = terminal, orqv1alpha1.ReasonAPIRejected
	case orqclient.KindUnauthorized:
		c.handling, c.reason, c.after = stalledSlow, orqv1alpha1.ReasonUnauthorized, unauthorizedRetry
	case orqclient.KindMisconfigured:
		c.handling, c.reason, c.after = stalledSlow, orqv1alpha1.ReasonAPIMisconfigured, unauthorizedRetry
	case orqclient.KindRateLimited:
		c.handling, c.reason, c.after = waiting, orqv1alpha1.ReasonRateLimited, orqclient.RetryAfter(err)
		if c.after <= 0 {
			c.after = defaultRateLimitDelay
		}
	case orqclient.KindUnavailable, orqclient.KindNotFound, orqclient.KindConflict:
		c.reason = orqv1alpha1.ReasonAPIUnavailable
		if after := orqclient.RetryAfter(err); after > 0 {
			// A 503 with Retry-After: come back when the API said.
			c.handling, c.after = waiting, after
		}
	}
	return c
}

// reasonOf is the condition reason an error reports.
func reasonOf(err error) string { return classify(err).reason }
