package managed

// Findings of the attack review of #18 (REVIEW.md on branch attack), each with the test that
// failed on the code it reviewed; kept as the regression tests of their fixes.

import (
	"context"
	"errors"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
	"github.com/orq-ai/orq-operator/internal/agentdiff"
	"github.com/orq-ai/orq-operator/internal/orqclient"
)

// R1: a create the 429 gate held back was never sent, yet the marker written before it (with the
// finalizer) proves the next pass's read "a create whose answer was lost": an agent someone else
// made at the key meanwhile, equal to the body, is claimed (and later PATCHed and DELETEd).
// The gate can stay closed for up to 15 minutes, and a 429 is exactly what two operators (or two
// clusters applying one manifest) sharing a workspace's quota meet.
func TestR1ACreateTheGateNeverSentIsNoEvidence(t *testing.T) {
	cases := []struct {
		name    string
		prepare func(a *orqv1alpha1.Agent)
	}{
		{"a new Agent; another cluster creates the same manifest's agent meanwhile", func(*orqv1alpha1.Agent) {}},
		// The documented way to take over a studio agent without Adopt is not this: Observe until
		// pendingChanges is empty, then Manage, stalls AdoptionRequired. With a 429 it takes it.
		{"an observed Agent whose spec was made to match, switched to Manage", func(a *orqv1alpha1.Agent) {
			a.Status = orqv1alpha1.AgentStatus{ResourceStatus: orqv1alpha1.ResourceStatus{ObservedGeneration: 0, RemoteUpdated: "t0", Key: a.RemoteKey()}}
			meta.SetStatusCondition(&a.Status.Conditions, metav1.Condition{Type: orqv1alpha1.ConditionReady, Status: metav1.ConditionTrue, Reason: orqv1alpha1.ReasonSynced, Message: "m"})
			meta.SetStatusCondition(&a.Status.Conditions, metav1.Condition{Type: orqv1alpha1.ConditionSynced, Status: metav1.ConditionTrue, Reason: orqv1alpha1.ReasonSynced, Message: "m"})
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a := sampleAgent("ns", "bot")
			a.UID = "uid-1"
			tc.prepare(a)
			foreign := foreignCopy(remoteFor(t, a), "01FOREIGN")
			api := &fakeAPI{t: t,
				CreateFn: func(context.Context, orqclient.Body) (*orqclient.Agent, error) { return nil, gateHeld },
				GetFn:    func(context.Context, string) (*orqclient.Agent, error) { return foreign, nil },
			}
			r := newTestReconciler(reconcilerFields{Client: newFakeClient(t, a), API: api})
			if _, _, err := reconcileOnce(t, r, a); err != nil {
				t.Fatal(err)
			}
			if n := api.calls()["create"]; n > 1 {
				t.Fatalf("%d creates attempted, want at most 1 (held back by the gate; an Agent that observed the agent reads first)", n)
			}
			// The gate opens; the foreign agent is at the key.
			api.CreateFn = conflict
			stored, _, _ := reconcileOnce(t, r, a)
			if stored.Status.ID == foreign.ID {
				t.Errorf("claimed %s, someone else's agent, on the marker of a create that was never sent", foreign.ID)
			}
		})
	}
}

// R1, delete path: the same unsent create's marker makes the deletion of the Agent DELETE the
// foreign agent ("I applied it to the wrong cluster, let me delete it").
func TestR1DeletingAfterAnUnsentCreateDeletesNothingForeign(t *testing.T) {
	a := sampleAgent("ns", "bot")
	a.UID = "uid-1"
	foreign := foreignCopy(remoteFor(t, a), "01FOREIGN")
	api := &fakeAPI{t: t,
		CreateFn: func(context.Context, orqclient.Body) (*orqclient.Agent, error) { return nil, gateHeld },
		GetFn:    func(context.Context, string) (*orqclient.Agent, error) { return foreign, nil },
		DeleteFn: func(context.Context, string) error { return nil },
	}
	r := newTestReconciler(reconcilerFields{Client: newFakeClient(t, a), API: api})
	stored, _, _ := reconcileOnce(t, r, a) // finalizer and marker written; the POST held back
	if err := r.Delete(context.Background(), stored); err != nil {
		t.Fatal(err)
	}
	if _, _, err := reconcileOnce(t, r, a); err != nil {
		t.Fatal(err)
	}
	if n := api.calls()["delete"]; n != 0 {
		t.Errorf("DELETE sent for %s, someone else's agent: this Agent never sent a create", foreign.ID)
	}
}

// R2: spend's comment says a refusal in status makes an uncleared marker no evidence, but
// pendingCreate only knows AdoptionRequired. After a 4xx (here 403) whose clear failed, a
// restart (or a leader hand-over) forgets the in-memory spent set, and the marker proves the
// next read: an agent equal to the body that someone else made is claimed.
func TestR2ARefusedCreateWhoseClearFailedProvesNothingAfterARestart(t *testing.T) {
	a := sampleAgent("ns", "bot")
	a.UID = "uid-1"
	writes := &metadataWrites{fail: func(obj client.Object, p client.Patch) error {
		if data, _ := p.Data(obj); strings.Contains(string(data), `"`+orqv1alpha1.AnnotationCreateAttempt+`":null`) {
			return errors.New("the apiserver timed out")
		}
		return nil
	}}
	c := writes.client(t, a)
	first := newTestReconciler(reconcilerFields{Client: c, API: &fakeAPI{t: t, CreateFn: func(context.Context, orqclient.Body) (*orqclient.Agent, error) {
		return nil, apiError(orqclient.KindUnauthorized, 403) // the key may not create in this project
	}}})
	stored, _, _ := reconcileOnce(t, first, a)
	if reasonIfTrue(meta.FindStatusCondition(stored.Status.Conditions, orqv1alpha1.ConditionStalled)) != orqv1alpha1.ReasonUnauthorized {
		t.Fatalf("first pass: %+v", stored.Status.Conditions)
	}
	// A new process; meanwhile someone with a key that may created the same manifest's agent.
	foreign := foreignCopy(remoteFor(t, a), "01FOREIGN")
	restarted := newTestReconciler(reconcilerFields{Client: c, API: &fakeAPI{t: t,
		GetFn:    func(context.Context, string) (*orqclient.Agent, error) { return foreign, nil },
		CreateFn: conflict,
	}})
	stored, _, _ = reconcileOnce(t, restarted, stored)
	if stored.Status.ID == foreign.ID {
		t.Errorf("claimed %s after a restart, on the marker of a create orq refused (403)", foreign.ID)
	}
}

// R4: after a create of unknown outcome (a timeout), the retry's read comes before that create
// lands (slow orq, a 504 from a gateway while orq finishes); its POST then meets a 409 from the
// first create. createConflicted spends the marker that still stands for the first create, and
// the Agent stalls AdoptionRequired on its own agent; deleting it leaves the agent in orq.
// The evidence at hand is exactly that of the documented window (one read after a create of
// unknown outcome, equal to the body), so this is a choice to make, not a proof of safety.
func TestR4A409AfterOwnCreateOfUnknownOutcomeIsNotForeign(t *testing.T) {
	a := sampleAgent("ns", "bot")
	a.UID = "uid-1"
	mine := foreignCopy(remoteFor(t, a), "01MINE")
	timeout := &orqclient.Error{Kind: orqclient.KindUnavailable, Op: "create agent", Message: "request timed out"}
	landed := false
	api := &fakeAPI{t: t,
		CreateFn: func(context.Context, orqclient.Body) (*orqclient.Agent, error) {
			if landed {
				return nil, apiError(orqclient.KindConflict, 409)
			}
			return nil, timeout
		},
		GetFn: func(context.Context, string) (*orqclient.Agent, error) {
			if !landed {
				landed = true // the first create lands just after this read
				return nil, apiError(orqclient.KindNotFound, 404)
			}
			return mine, nil
		},
	}
	r := newTestReconciler(reconcilerFields{Client: newFakeClient(t, a), API: api})
	_, _, _ = reconcileOnce(t, r, a) // POST: timeout
	stored, _, _ := reconcileOnce(t, r, a)
	if stored.Status.ID != mine.ID {
		t.Errorf("status.id %q, Stalled %q: its own create (equal to the body, marker pending) is left as foreign",
			stored.Status.ID, reasonIfTrue(meta.FindStatusCondition(stored.Status.Conditions, orqv1alpha1.ConditionStalled)))
	}
}

// hashOf is the hash of the request an Agent's spec makes.
func hashOf(t *testing.T, a *orqv1alpha1.Agent) string {
	t.Helper()
	return agentdiff.Hash(mustDesired(t, a))
}

// R10: the create's answer came back (201, id known), only the status write recording it failed
// (an apiserver timeout). The process knows the agent is its own, but nothing keeps that: the next
// pass has only the marker, which proves nothing once the spec changed (a second commit synced by
// Argo CD a moment later), so the Agent stalls AdoptionRequired on the agent it just created, and
// its deletion leaves it in orq. README counts this as "a lost create", but no answer was lost.
func TestR10AKnownCreateWhoseStatusWriteFailedStaysOwn(t *testing.T) {
	a := sampleAgent("ns", "bot")
	a.UID = "uid-1"
	var made *orqclient.Agent
	api := &fakeAPI{t: t,
		CreateFn: func(_ context.Context, body orqclient.Body) (*orqclient.Agent, error) {
			raw := orqclient.Body{"_id": "01MINE", "updated": "t0"}
			for k, v := range body {
				raw[k] = v
			}
			made = orqclient.DecodeAgent(raw)
			return made, nil
		},
		GetFn: func(context.Context, string) (*orqclient.Agent, error) { return made, nil },
		UpdateFn: func(_ context.Context, _ string, body orqclient.Body) (*orqclient.Agent, error) {
			raw := orqclient.Body{}
			for k, v := range made.Raw {
				raw[k] = v
			}
			for k, v := range body {
				raw[k] = v
			}
			return orqclient.DecodeAgent(raw), nil
		},
	}
	c := newFakeClient(t, a)
	r := newTestReconciler(reconcilerFields{Client: &failingStatusWrites{Client: c}, API: api})
	if _, _, err := reconcileOnce(t, r, a); err == nil {
		t.Fatal("want the failed status write retried")
	}
	stored := &orqv1alpha1.Agent{}
	if err := c.Get(context.Background(), client.ObjectKeyFromObject(a), stored); err != nil {
		t.Fatal(err)
	}
	stored.Spec.Instructions = "The next commit's instructions."
	if err := c.Update(context.Background(), stored); err != nil {
		t.Fatal(err)
	}
	r.Client = c // the apiserver answers again
	stored, _, _ = reconcileOnce(t, r, stored)
	if stored.Status.ID != "01MINE" {
		t.Errorf("status.id %q, Stalled %q: the agent this process created (and knew it) is left as foreign",
			stored.Status.ID, reasonIfTrue(meta.FindStatusCondition(stored.Status.Conditions, orqv1alpha1.ConditionStalled)))
	}
}

// R11: spend forgets a marker as soon as its clear succeeds (r.spent.remove), trusting the cache
// to show the clear at the next pass. The informer lags the pass's own writes: a pass that runs
// right after (its key was queued during the pass: a twin's status change through keySharers, a
// Secret or ConfigMap event) reads the Agent as it was, marker on and status not yet
// AdoptionRequired, and the marker proves the read: the agent the 409 proved foreign is claimed.
func TestR11ASpentMarkerStaysSpentWhileTheCacheLags(t *testing.T) {
	a := sampleAgent("ns", "bot")
	a.UID = "uid-1"
	twin := foreignCopy(remoteFor(t, a), "01TWIN") // equal to the body
	api := &fakeAPI{t: t, CreateFn: conflict, GetFn: func(context.Context, string) (*orqclient.Agent, error) { return twin, nil }}
	var beforeClear *orqv1alpha1.Agent
	writes := &metadataWrites{fail: func(obj client.Object, p client.Patch) error {
		if data, _ := p.Data(obj); strings.Contains(string(data), `"`+orqv1alpha1.AnnotationCreateAttempt+`":null`) && beforeClear == nil {
			beforeClear = obj.(*orqv1alpha1.Agent).DeepCopy() // what the cache still shows for a moment
		}
		return nil
	}}
	r := newTestReconciler(reconcilerFields{Client: writes.client(t, a), API: api})
	stored, _, _ := reconcileOnce(t, r, a)
	if reasonIfTrue(meta.FindStatusCondition(stored.Status.Conditions, orqv1alpha1.ConditionStalled)) != orqv1alpha1.ReasonAdoptionRequired || beforeClear == nil {
		t.Fatalf("first pass: want the 409, the clear and AdoptionRequired; got %+v", stored.Status.Conditions)
	}
	ctx := context.Background()
	p := r.start(beforeClear, false) // the next pass, from the lagging cache
	r.run(ctx, p, r.stepsFor(beforeClear))
	if p.claimedID == twin.ID {
		t.Errorf("claimed %s, the agent a 409 proved foreign, from a cache that had not yet seen the marker cleared", twin.ID)
	}
}

// syncedAt is a stored Agent whose status shows spec generation gen applied to agent id.
func syncedAt(t *testing.T, a *orqv1alpha1.Agent, gen int64, id string) {
	a.Generation = gen
	a.Finalizers = []string{orqv1alpha1.FinalizerName}
	a.Status = orqv1alpha1.AgentStatus{ResourceStatus: orqv1alpha1.ResourceStatus{ID: id, Key: a.RemoteKey(), ObservedGeneration: gen, AppliedHash: hashOf(t, a), RemoteUpdated: "t0"}}
	for _, typ := range []string{orqv1alpha1.ConditionReady, orqv1alpha1.ConditionSynced} {
		meta.SetStatusCondition(&a.Status.Conditions, metav1.Condition{Type: typ, Status: metav1.ConditionTrue, Reason: orqv1alpha1.ReasonSynced, Message: "m", ObservedGeneration: gen})
	}
}

// R3: writeMarker (and clearMarker, via spend) patch the Agent without a resourceVersion, and the
// answer replaces p.agent: a spec edited while the pass ran (kubectl apply during a re-create)
// comes back in it. The pass then creates the old body, yet reports the new generation as
// observed, Ready and Synced ("matches the spec"): kstatus, Flux and Argo CD read the new spec as
// applied until the next pass.
func TestR3AStatusNeverClaimsAGenerationThePassDidNotApply(t *testing.T) {
	a := sampleAgent("ns", "bot")
	a.UID = "uid-1"
	syncedAt(t, a, 1, "01OLD")
	oldHash := a.Status.AppliedHash
	edit := func(ctx context.Context, c client.WithWatch, key client.ObjectKey) {
		cur := &orqv1alpha1.Agent{}
		if err := c.Get(ctx, key, cur); err != nil {
			t.Fatal(err)
		}
		cur.Spec.Instructions = "New instructions, applied while the pass ran."
		cur.Generation = 2 // as the apiserver would
		if err := c.Update(ctx, cur); err != nil {
			t.Fatal(err)
		}
	}
	c := interceptor.NewClient(newFakeClient(t, a).(client.WithWatch), interceptor.Funcs{
		Patch: func(ctx context.Context, c client.WithWatch, obj client.Object, patch client.Patch, opts ...client.PatchOption) error {
			if data, _ := patch.Data(obj); strings.Contains(string(data), orqv1alpha1.AnnotationCreateAttempt+`":"`) {
				edit(ctx, c, client.ObjectKeyFromObject(obj)) // the user's apply lands just before the marker
			}
			return c.Patch(ctx, obj, patch, opts...)
		},
	})
	api := &fakeAPI{t: t,
		GetFn: answerNotFound, // deleted in orq: the pass re-creates it
		CreateFn: func(_ context.Context, body orqclient.Body) (*orqclient.Agent, error) {
			raw := orqclient.Body{"_id": "01NEW", "updated": "t1"}
			for k, v := range body {
				raw[k] = v
			}
			return orqclient.DecodeAgent(raw), nil
		},
	}
	r := newTestReconciler(reconcilerFields{Client: c, API: api})
	stored, _, err := reconcileOnce(t, r, a)
	if err != nil {
		t.Fatal(err)
	}
	synced := meta.FindStatusCondition(stored.Status.Conditions, orqv1alpha1.ConditionSynced)
	if stored.Status.ObservedGeneration == 2 && stored.Status.AppliedHash == oldHash {
		t.Errorf("observedGeneration 2 with the hash of generation 1's request; Synced %s %q at generation %d",
			synced.Status, synced.Message, synced.ObservedGeneration)
	}
}

// R12: the status is written by name, with a merge patch that carries no UID or resourceVersion.
// An Agent without the finalizer (Observe, suspended from its creation, a KeyConflict loser
// before its first write) can be deleted and re-created under the same name while its pass reads
// orq; the old pass then writes its findings (Ready, Synced, observedGeneration, appliedHash, the
// remote's version) into the new object, which no pass has looked at.
func TestR12AStatusWriteNeverLandsOnTheAgentThatReplacedIt(t *testing.T) {
	a := sampleAgent("ns", "bot")
	a.UID = "uid-old"
	a.Generation = 1
	a.Spec.ManagementPolicy = orqv1alpha1.ManagementPolicyObserve
	c := newFakeClient(t, a)
	remote := remoteFor(t, a)
	api := &fakeAPI{t: t, GetFn: func(ctx context.Context, _ string) (*orqclient.Agent, error) {
		// While orq answers, the Agent is deleted (no finalizer: at once) and applied again.
		if err := c.Delete(ctx, a.DeepCopy()); err != nil {
			t.Fatal(err)
		}
		fresh := sampleAgent("ns", "bot")
		fresh.UID = "uid-new"
		fresh.Generation = 1
		if err := c.Create(ctx, fresh); err != nil {
			t.Fatal(err)
		}
		return remote, nil
	}}
	r := newTestReconciler(reconcilerFields{Client: c, API: api})
	stored, _, _ := reconcileOnce(t, r, a)
	if stored.UID == "uid-new" && len(stored.Status.Conditions) > 0 {
		t.Errorf("the new Agent (never reconciled) carries the old pass's status: observedGeneration %d, %d conditions, appliedHash %q",
			stored.Status.ObservedGeneration, len(stored.Status.Conditions), stored.Status.AppliedHash)
	}
}
