package controller

import (
	"context"
	"net/http"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
	"github.com/orq-ai/orq-operator/internal/managed"
	"github.com/orq-ai/orq-operator/internal/orqmem"
)

// The conformance specs whose point is that nothing is sent for a while: at steady state, while
// suspended, under managementPolicy Observe, beside a foreign remote object, and in a
// KeyConflict. Waiting is what they cost, so every kind shares one window: BeforeAll brings each
// kind's objects to the state under test, the window lasts until the drift sweep has listed each
// kind's collection twice (two sync periods), and each kind's specs then check what was sent in
// it, and go on from there.
var _ = Describe("Conformance of every kind, at rest", Ordered, func() {
	ctx := context.Background()
	rests := map[string]*atRest{}
	var window []orqmem.Request

	BeforeAll(func() {
		names := fixtureNames()
		for _, name := range names {
			By(name + ": objects at steady state, suspended, and holding a key; foreign remote objects")
			rests[name] = startRest(ctx, name)
		}
		for _, name := range names {
			rests[name].settle(ctx)
		}
		untilNextSecond() // a foreign remote object is looked up by a listing begun after it; a claimant is younger
		for _, name := range names {
			By(name + ": objects observing, beside a foreign remote object, and claiming a held key")
			rests[name].stall(ctx)
		}
		start := mark()
		for _, name := range names {
			rests[name].steadyVersion = rests[name].steadyResourceVersion(ctx)
		}
		Eventually(func() bool {
			reqs := since(start)
			for _, r := range rests {
				if r.c.listingsIn(reqs, r.steady) < 2 {
					return false
				}
			}
			return true
		}, timeout, poll).Should(BeTrue(), "the drift sweep lists each collection twice")
		window = since(start)
	})

	for _, name := range fixtureNames() {
		Describe(name, func() {
			restConformance(ctx, name, func() *atRest { return rests[name] }, func() []orqmem.Request { return window })
		})
	}
})

// restConformance registers the specs of one kind that check the shared window.
func restConformance(ctx context.Context, name string, restOf func() *atRest, window func() []orqmem.Request) {
	fx := conformanceFixtures[name]

	It("writes nothing at steady state after an update, and reads it only in the sweep's listings", func() {
		r := restOf()
		Expect(r.c.callsIn(window(), r.steady)).To(BeEmpty(), "no call about the object alone")
		refresh(ctx, r.steady)
		Expect(r.steady.GetResourceVersion()).To(Equal(r.steadyVersion), "no write to the object, status included")
		remote, _ := r.c.remote(r.steady)
		Expect(remote).To(HaveKeyWithValue(fx.field, "Changed in the spec"))
	})

	if fx.suspendSends != nil {
		It("sends only its deactivation when suspended, and nothing else", func() {
			r := restOf()
			Expect(bodyKeys(r.c.writesIn(since(r.suspendedAt), r.suspended, nil))).To(Equal(fx.suspendSends),
				"one write from suspending on, of these fields")
			Expect(r.c.writesIn(window(), r.suspended, nil)).To(BeEmpty())
		})
	} else {
		It("makes no call to orq while suspended, and applies what changed meanwhile once resumed", func() {
			r, o := restOf(), restOf().suspended
			Expect(r.c.callsIn(since(r.suspendedAt), o)).To(BeEmpty(), "no call at all, through the window")
			remote, _ := r.c.remote(o)
			Expect(remote).To(HaveKeyWithValue(fx.field, "edited in the studio"), "neither the change nor a correction sent")

			resumed := mark()
			change(ctx, o, func(o managed.Object) { setSpec(o, "Suspend", false) })
			waitObjectReady(ctx, o)
			Eventually(func() any { r, _ := restOf().c.remote(o); return r[fx.field] }, timeout, poll).Should(Equal("Changed while suspended"))
			Expect(bodyKeys(r.c.writesIn(since(resumed), o, nil, http.MethodPatch))).To(Equal(fx.patchKeys), "one update once resumed")
		})
	}

	It("managementPolicy Observe never writes, reports how the remote object differs, and leaves it when deleted", func() {
		r, o := restOf(), restOf().observed
		refresh(ctx, o)
		st := o.ManagedStatus()
		Expect(meta.IsStatusConditionTrue(st.Conditions, orqv1alpha1.ConditionReady)).To(BeTrue(), "the remote object exists")
		Expect(st.PendingChanges).To(Equal([]string{fx.field}))
		Expect(st.ID).To(BeEmpty(), "observing does not make it this object's")
		eventuallyObjectEvent(ctx, o, orqv1alpha1.ReasonDriftDetected)
		Expect(r.c.writesIn(since(r.stalledAt), o, []string{r.observedID})).To(BeEmpty(), "never a write")

		Expect(k8s.Delete(ctx, o)).To(Succeed())
		waitObjectGone(ctx, o)
		remote, ok := fx.inspect(r.c.address(o, r.observedID))
		Expect(ok).To(BeTrue(), "an observed remote object is never deleted")
		Expect(remote).To(HaveKeyWithValue(fx.field, foreignValue))
		Expect(r.c.writesIn(since(r.stalledAt), o, []string{r.observedID})).To(BeEmpty())
	})

	It("leaves a foreign remote object at its place untouched, AdoptionRequired, and takes it over with Adopt", func() {
		r, o := restOf(), restOf().foreign
		refresh(ctx, o)
		stalled := meta.FindStatusCondition(o.ManagedStatus().Conditions, orqv1alpha1.ConditionStalled)
		Expect(stalled.Message).To(ContainSubstring("adoptionPolicy: Adopt"))
		Expect(o.ManagedStatus().ID).To(BeEmpty())
		Expect(r.c.writesIn(since(r.stalledAt), o, []string{r.foreignID}, http.MethodPatch, http.MethodDelete)).
			To(BeEmpty(), "a foreign remote object is never changed")
		Expect(r.c.createsIn(since(r.stalledAt), o)).To(BeEmpty(), "nothing created beside it")
		after, _ := fx.inspect(r.c.address(o, r.foreignID))
		Expect(after).To(Equal(r.foreignBefore), "untouched")

		adopted := mark()
		change(ctx, o, adopt)
		waitObjectReady(ctx, o)
		Expect(o.ManagedStatus().ID).To(Equal(r.foreignID))
		remote, _ := r.c.remote(o)
		Expect(remote).To(HaveKeyWithValue(fx.field, fx.want), "corrected to the spec")
		Expect(r.c.createsIn(since(adopted), o)).To(BeEmpty())
		eventuallyObjectEvent(ctx, o, orqv1alpha1.ReasonAdopted)
	})

	keyConflict := "lets one object hold its remote object: a later one claiming it stalls KeyConflict, and goes without it"
	if bug := fx.knownBugs[specKeyConflict]; bug != "" {
		PIt(keyConflict + " (known bug: " + bug + ")")
		return
	}
	It(keyConflict, func() {
		r, first, second := restOf(), restOf().holder, restOf().claimant
		refresh(ctx, second)
		stalled := meta.FindStatusCondition(second.ManagedStatus().Conditions, orqv1alpha1.ConditionStalled)
		Expect(stalled.Message).To(ContainSubstring(first.GetNamespace() + "/" + first.GetName()))
		Expect(second.ManagedStatus().ID).To(BeEmpty())
		refresh(ctx, first)
		Expect(meta.IsStatusConditionTrue(first.ManagedStatus().Conditions, orqv1alpha1.ConditionReady)).To(BeTrue())
		remote, _ := r.c.remote(first)
		Expect(remote).To(HaveKeyWithValue(fx.field, fx.want), "no tug of war")
		Expect(r.c.writesIn(since(r.stalledAt), first, nil)).To(BeEmpty())

		By("deleting the later one")
		deleted := mark()
		Expect(k8s.Delete(ctx, second)).To(Succeed())
		waitObjectGone(ctx, second)
		_, ok := r.c.remote(first)
		Expect(ok).To(BeTrue(), "the holder's remote object stays")
		Expect(r.c.writesIn(since(deleted), first, nil)).To(BeEmpty())
		waitObjectReady(ctx, first)
	})
}

// specKeyConflict names the KeyConflict spec in a fixture's knownBugs.
const specKeyConflict = "KeyConflict"

// atRest are one kind's objects of the shared window, and what the specs compare with.
type atRest struct {
	c                                                      conformer
	steady, suspended, observed, foreign, holder, claimant managed.Object
	observedID, foreignID                                  string
	foreignBefore                                          map[string]any
	steadyVersion                                          string
	// suspendedAt marks the requests from the suspension on (a kind that sends nothing
	// suspended: from the Suspended condition on).
	suspendedAt int
	// stalledAt marks the requests from the creation of the observing, foreign and claiming
	// objects on.
	stalledAt int
}

// startRest creates, in a new namespace, the objects of kind name that become Ready, and seeds
// the foreign remote objects.
func startRest(ctx context.Context, name string) *atRest {
	GinkgoHelper()
	kind, _ := Kinds().Get(name)
	r := &atRest{c: conformer{kind: kind, fx: conformanceFixtures[name]}}
	ns, steady := r.c.newObject(ctx, "steady")
	r.steady = steady
	r.suspended = r.c.newObjectIn(ctx, ns, "suspend")
	r.holder = r.c.newObjectIn(ctx, ns, "holder")
	r.observed = r.c.newObjectIn(ctx, ns, "observe")
	r.foreign = r.c.newObjectIn(ctx, ns, "foreign")
	r.observedID = r.c.fx.seedForeign(r.observed)
	r.foreignID = r.c.fx.seedForeign(r.foreign)
	r.foreignBefore, _ = r.c.fx.inspect(r.c.address(r.foreign, r.foreignID))
	for _, o := range []managed.Object{r.steady, r.suspended, r.holder} {
		Expect(k8s.Create(ctx, o)).To(Succeed())
	}
	return r
}

// settle waits for the Ready objects, updates the steady one and suspends the suspended one (a
// change of spec and one made in orq follow, for the suspend spec to see neither sent).
func (r *atRest) settle(ctx context.Context) {
	GinkgoHelper()
	fx := r.c.fx
	for _, o := range []managed.Object{r.steady, r.suspended, r.holder} {
		waitObjectReady(ctx, o)
	}
	updated := mark()
	change(ctx, r.steady, func(o managed.Object) { fx.edit(o, "Changed in the spec") })
	Eventually(func() int { return len(r.c.writesIn(since(updated), r.steady, nil, http.MethodPatch)) }, timeout, poll).Should(Equal(1))

	r.suspendedAt = mark()
	change(ctx, r.suspended, func(o managed.Object) { setSpec(o, "Suspend", true) })
	if fx.suspendSends != nil {
		Eventually(func() int { return len(r.c.writesIn(since(r.suspendedAt), r.suspended, nil)) }, timeout, poll).Should(BeNumerically(">=", 1))
		waitObjectReady(ctx, r.suspended)
		return
	}
	waitObjectCondition(ctx, r.suspended, orqv1alpha1.ConditionSuspended, metav1.ConditionTrue, orqv1alpha1.ReasonSuspended)
	r.suspendedAt = mark()
	change(ctx, r.suspended, func(o managed.Object) { fx.edit(o, "Changed while suspended") })
	Expect(fx.mutate(r.c.address(r.suspended, r.suspended.ManagedStatus().ID), func(m map[string]any) { m[fx.field] = "edited in the studio" })).To(BeTrue())
}

// stall creates the objects that must send nothing: observing a foreign remote object, beside
// another one, and claiming the holder's; and waits for the state each one reports.
func (r *atRest) stall(ctx context.Context) {
	GinkgoHelper()
	fx := r.c.fx
	r.stalledAt = mark()
	setSpec(r.observed, "ManagementPolicy", orqv1alpha1.ManagementPolicyObserve)
	Expect(k8s.Create(ctx, r.observed)).To(Succeed())
	Expect(k8s.Create(ctx, r.foreign)).To(Succeed())
	if fx.knownBugs[specKeyConflict] == "" {
		refresh(ctx, r.holder)
		r.claimant = r.c.newObjectIn(ctx, r.holder.GetNamespace(), "claimant")
		fx.sameKey(r.holder, r.claimant)
		fx.edit(r.claimant, "Claimed by a second object")
		adopt(r.claimant) // as every exported manifest has
		Expect(k8s.Create(ctx, r.claimant)).To(Succeed())
		waitObjectStalled(ctx, r.claimant, orqv1alpha1.ReasonKeyConflict)
	}
	waitObjectCondition(ctx, r.observed, orqv1alpha1.ConditionSynced, metav1.ConditionFalse, orqv1alpha1.ReasonDrifted)
	waitObjectStalled(ctx, r.foreign, orqv1alpha1.ReasonAdoptionRequired)
}

// steadyResourceVersion is the steady object's resourceVersion now.
func (r *atRest) steadyResourceVersion(ctx context.Context) string {
	GinkgoHelper()
	refresh(ctx, r.steady)
	return r.steady.GetResourceVersion()
}

// fixtureNames are the kinds of Kinds() that have a conformance fixture (the others fail the
// suite in conformance_test.go).
func fixtureNames() []string {
	var out []string
	for _, name := range Kinds().Names() {
		if conformanceFixtures[name] != nil {
			out = append(out, name)
		}
	}
	return out
}
