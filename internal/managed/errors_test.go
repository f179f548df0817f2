package managed

import (
	"errors"
	"fmt"
	"testing"
	"time"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
	"github.com/orq-ai/orq-operator/internal/orqclient"
)

func TestClassify(t *testing.T) {
	cases := []struct {
		err      error
		handling handling
		reason   string
		after    time.Duration
	}{
		{apiError(orqclient.KindInvalid, 400), terminal, orqv1alpha1.ReasonAPIRejected, 0},
		{apiError(orqclient.KindUnauthorized, 401), stalledSlow, orqv1alpha1.ReasonUnauthorized, unauthorizedRetry},
		{apiError(orqclient.KindRateLimited, 429), waiting, orqv1alpha1.ReasonRateLimited, 3 * time.Second},
		{&orqclient.Error{Kind: orqclient.KindRateLimited}, waiting, orqv1alpha1.ReasonRateLimited, defaultRateLimitDelay},
		{apiError(orqclient.KindUnavailable, 503), waiting, orqv1alpha1.ReasonAPIUnavailable, 3 * time.Second},
		{&orqclient.Error{Kind: orqclient.KindUnavailable, StatusCode: 500}, retryable, orqv1alpha1.ReasonAPIUnavailable, 0},
		{apiError(orqclient.KindMisconfigured, 301), stalledSlow, orqv1alpha1.ReasonAPIMisconfigured, unauthorizedRetry},
		{&orqclient.Error{Kind: orqclient.KindNotFound, StatusCode: 404}, retryable, orqv1alpha1.ReasonAPIUnavailable, 0},
		{errors.New("kube said no"), retryable, orqv1alpha1.ReasonProgressing, 0},
		// An error made by a step keeps its reason and handling, however it is wrapped.
		{fmt.Errorf("context: %w", failure(waitingOnCluster, orqv1alpha1.ReasonSecretNotFound, "no Secret")), waitingOnCluster, orqv1alpha1.ReasonSecretNotFound, 0},
		{failure(stalledSlow, orqv1alpha1.ReasonAdoptionRequired, "foreign"), stalledSlow, orqv1alpha1.ReasonAdoptionRequired, 0},
	}
	for _, tc := range cases {
		got := classify(tc.err)
		if got.handling != tc.handling || got.reason != tc.reason || got.after != tc.after {
			t.Errorf("classify(%v) = %v %s %s, want %v %s %s", tc.err, got.handling, got.reason, got.after, tc.handling, tc.reason, tc.after)
		}
	}
}
