package controller

import (
	"errors"
	"time"

	"github.com/orq-ai/orq-operator/internal/orqclient"
)

// outcome is how a failed step is handled: one class per error, each with its requeue rule.
type outcome int

const (
	// retryable: the failure should pass by itself (5xx, timeouts, network, Kubernetes errors);
	// the error is returned, so the work queue retries with exponential backoff.
	retryable outcome = iota
	// waiting: the API asked to come back later (429); requeue after its delay, no error.
	waiting
	// terminal: nothing changes until the spec does (400/422, invalid spec), or an object whose
	// watch wakes the Agent (a referenced Agent); no requeue.
	terminal
	// stalledSlow: cannot progress without a change outside the spec (the API key is refused, a
	// foreign agent holds the key); retried slowly.
	stalledSlow
	// waitingOnCluster: waits for another object of the cluster (a referenced Agent, a Secret),
	// whose watch wakes it; re-checked every sync period as a safety net. Reconciling, not Stalled:
	// applying things in any order is normal.
	waitingOnCluster
)

const (
	// defaultRateLimitDelay is used when a 429 carries no Retry-After.
	defaultRateLimitDelay = 30 * time.Second
	// unauthorizedRetry is the slow retry of a refused API key.
	unauthorizedRetry = 5 * time.Minute
)

// classification says how to handle an error, and what to report.
type classification struct {
	outcome outcome
	reason  string
	after   time.Duration
}

var (
	// errInvalidSpec marks a spec that cannot be turned into an API request.
	errInvalidSpec = errors.New("invalid spec")
	// errAdoptionRequired marks a remote agent this Agent did not create and may not adopt.
	errAdoptionRequired = errors.New("adoption required")
)

// operatorErrors classify the errors of the operator's own steps, first match wins.
var operatorErrors = []struct {
	err error
	classification
}{
	{errInvalidSpec, classification{outcome: terminal, reason: ReasonInvalidSpec}},
	// Woken by the referenced Agents' changes, or by the Secret's watch; the sync period is a
	// safety net.
	{errDependencyNotReady, classification{outcome: waitingOnCluster, reason: ReasonDependencyNotReady}},
	{errSecretNotFound, classification{outcome: waitingOnCluster, reason: ReasonSecretNotFound}},
	{errRefNotPermitted, classification{outcome: terminal, reason: ReasonRefNotPermitted}},
	{errReferenceCycle, classification{outcome: terminal, reason: ReasonReferenceCycle}},
	{errSecretUnreadable, classification{outcome: stalledSlow, reason: ReasonSecretUnreadable}},
	{errNoCredentials, classification{outcome: terminal, reason: ReasonNoCredentials}},
	// Re-checked every sync period, in case the foreign agent goes away.
	{errAdoptionRequired, classification{outcome: stalledSlow, reason: ReasonAdoptionRequired}},
}

// classify maps an error to its handling, once.
func classify(err error) classification {
	for _, e := range operatorErrors {
		if errors.Is(err, e.err) {
			return e.classification
		}
	}
	switch orqclient.KindOf(err) {
	case orqclient.KindInvalid:
		return classification{outcome: terminal, reason: ReasonAPIRejected}
	case orqclient.KindUnauthorized:
		return classification{outcome: stalledSlow, reason: ReasonUnauthorized, after: unauthorizedRetry}
	case orqclient.KindMisconfigured:
		return classification{outcome: stalledSlow, reason: ReasonAPIMisconfigured, after: unauthorizedRetry}
	case orqclient.KindRateLimited:
		after := orqclient.RetryAfter(err)
		if after <= 0 {
			after = defaultRateLimitDelay
		}
		return classification{outcome: waiting, reason: ReasonRateLimited, after: after}
	case orqclient.KindUnavailable, orqclient.KindNotFound, orqclient.KindConflict:
		if after := orqclient.RetryAfter(err); after > 0 {
			// A 503 with Retry-After: come back when the API said.
			return classification{outcome: waiting, reason: ReasonAPIUnavailable, after: after}
		}
		return classification{outcome: retryable, reason: ReasonAPIUnavailable}
	default:
		return classification{outcome: retryable, reason: ReasonProgressing}
	}
}
