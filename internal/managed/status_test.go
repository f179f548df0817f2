package managed

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
	"github.com/orq-ai/orq-operator/internal/orqclient"
)

// failedPass computes the status and the result of a pass of a that failed with err.
func failedPass(a *orqv1alpha1.Agent, err error) (reconcile.Result, error) {
	r := newTestReconciler(reconcilerFields{})
	p := &pass{obj: a, stored: a.DeepCopy(), end: endFailed, err: err}
	r.computeStatus(p)
	return r.result(context.Background(), p)
}

func TestFailureSetsConditionsByHandling(t *testing.T) {
	cases := []struct {
		err           error
		wantStalled   bool
		wantRequeue   time.Duration
		wantTerminal  bool
		wantReturnErr bool
	}{
		{apiError(orqclient.KindInvalid, 400), true, 0, true, true},
		{apiError(orqclient.KindUnauthorized, 403), true, unauthorizedRetry, false, false},
		{apiError(orqclient.KindRateLimited, 429), false, 3 * time.Second, false, false},
		{&orqclient.Error{Kind: orqclient.KindUnavailable, StatusCode: 500}, false, 0, false, true},
	}
	for _, tc := range cases {
		t.Run(string(orqclient.KindOf(tc.err)), func(t *testing.T) {
			a := sampleAgent("ns", "a")
			a.Generation = 4
			res, err := failedPass(a, tc.err)
			if (err != nil) != tc.wantReturnErr || errors.Is(err, reconcile.TerminalError(nil)) != tc.wantTerminal {
				t.Errorf("err = %v", err)
			}
			if res.RequeueAfter != tc.wantRequeue {
				t.Errorf("RequeueAfter = %s, want %s", res.RequeueAfter, tc.wantRequeue)
			}
			ready := meta.FindStatusCondition(a.Status.Conditions, orqv1alpha1.ConditionReady)
			if ready == nil || ready.Status != metav1.ConditionFalse || ready.Message != tc.err.Error() {
				t.Errorf("Ready = %+v", ready)
			}
			stalled := meta.IsStatusConditionTrue(a.Status.Conditions, orqv1alpha1.ConditionStalled)
			reconciling := meta.IsStatusConditionTrue(a.Status.Conditions, orqv1alpha1.ConditionReconciling)
			if stalled != tc.wantStalled || reconciling == tc.wantStalled {
				t.Errorf("Stalled = %v, Reconciling = %v", stalled, reconciling)
			}
			if tc.wantStalled != (a.Status.ObservedGeneration == 4) {
				t.Errorf("observedGeneration = %d: set only when the generation is fully processed", a.Status.ObservedGeneration)
			}
		})
	}
}

// #12.13: no API answer can make a condition too long for the API server (32768 characters).
func TestConditionMessagesAreBounded(t *testing.T) {
	long := &orqclient.Error{Kind: orqclient.KindInvalid, Op: "create agent", StatusCode: 400, Message: strings.Repeat("é field is wrong; ", 4000)}
	a := sampleAgent("ns", "a")
	_, _ = failedPass(a, long)
	for _, c := range a.Status.Conditions {
		if len(c.Message) > maxMessage || !strings.HasPrefix(c.Message, "orq API: create agent: 400") || !strings.Contains(c.Message, "more bytes)") {
			t.Errorf("%s: %d bytes, %q…", c.Type, len(c.Message), c.Message[:min(80, len(c.Message))])
		}
		if !strings.HasSuffix(strings.Split(c.Message, "…")[0], "é") && strings.ContainsRune(c.Message, '\uFFFD') {
			t.Errorf("%s: cut inside a character", c.Type)
		}
	}
	if got := bounded("short"); got != "short" {
		t.Errorf("bounded(short) = %q", got)
	}
}

// #12.13: however many Agents a team references, the message names a few and counts the rest.
func TestListSomeNamesAFewAndCountsTheRest(t *testing.T) {
	var items []string
	for i := range 50 {
		items = append(items, fmt.Sprintf("Agent ns/member-%d is not Ready", i))
	}
	got := listSome(items)
	if !strings.HasSuffix(got, "; and 47 more") || strings.Count(got, "is not Ready") != maxListed {
		t.Errorf("listSome = %q", got)
	}
	if got := listSome(items[:2]); got != items[0]+"; "+items[1] {
		t.Errorf("listSome of two = %q", got)
	}
}
