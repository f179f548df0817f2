package controller

import (
	"context"
	"net/http"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
	"github.com/orq-ai/orq-operator/internal/managed"
)

// The conformance suite: what every kind the operator manages does, as users expect it of the
// Agent (#19), run for each kind of Kinds() with its fixture (conformance_fixtures_test.go).
// These specs create, change and correct; conformance_ownership_test.go holds those of policies,
// ownership and deletion.
var _ = Describe("conformance of every kind", func() {
	for _, name := range Kinds().Names() {
		kind, _ := Kinds().Get(name)
		fx, ok := conformanceFixtures[name]
		Describe(name, func() {
			if !ok {
				It("has a conformance fixture", func() {
					Fail("kind " + name + " is registered in Kinds() but has no entry in conformanceFixtures")
				})
				return
			}
			c := conformer{kind: kind, fx: fx}
			lifecycleConformance(c)
			ownershipConformance(c)
		})
	}
})

// lifecycleConformance registers the specs of creating, changing, correcting and suspending.
func lifecycleConformance(c conformer) {
	ctx := context.Background()
	fx := c.fx

	It("is created once: Ready, status.id recorded, observedGeneration set", func() {
		_, o := c.newObject(ctx, "create")
		orqAPI.ResetRequests()
		c.createReady(ctx, o)
		st := o.ManagedStatus()
		Expect(st.ID).NotTo(BeEmpty())
		Expect(st.ObservedGeneration).To(Equal(o.GetGeneration()))
		Expect(st.Key).To(Equal(o.RemoteKey()))
		remote, ok := c.remote(o)
		Expect(ok).To(BeTrue(), "the remote object of status.id exists")
		Expect(remote).To(HaveKeyWithValue(fx.field, fx.want))
		Expect(c.writes(o, nil, http.MethodPost)).To(HaveLen(1), "exactly one create call")
		eventuallyObjectEvent(ctx, o, orqv1alpha1.ReasonCreated)
	})

	It("sends a spec change as one update of the changed fields, then writes nothing at steady state", func() {
		_, o := c.newObject(ctx, "update")
		c.createReady(ctx, o)
		orqAPI.ResetRequests()
		change(ctx, o, func(o managed.Object) { fx.edit(o, "Changed in the spec") })
		Eventually(func() []string { return bodyKeys(c.writes(o, nil, http.MethodPatch)) }, timeout, poll).
			Should(Equal(fx.patchKeys), "one update, of the changed fields only")
		waitObjectReady(ctx, o)
		remote, _ := c.remote(o)
		Expect(remote).To(HaveKeyWithValue(fx.field, "Changed in the spec"))
		Expect(c.writes(o, nil)).To(HaveLen(1), "no other write")

		By("watching it at steady state")
		time.Sleep(500 * time.Millisecond) // the pass that follows the update settles
		refresh(ctx, o)
		resourceVersion := o.GetResourceVersion()
		orqAPI.ResetRequests()
		Consistently(func() int { return len(c.calls(o)) }, 2*suiteSyncPeriod+suiteSyncPeriod/2, poll).Should(BeZero(),
			"no write, and no read of the object alone: the sweep lists the collection")
		Expect(c.listings(o)).To(BeNumerically(">=", 2), "the drift sweep ran meanwhile")
		refresh(ctx, o)
		Expect(o.GetResourceVersion()).To(Equal(resourceVersion), "no write to the object, status included")
	})

	It("puts back a change made in orq, with a DriftCorrected event", func() {
		_, o := c.newObject(ctx, "drift")
		c.createReady(ctx, o)
		orqAPI.ResetRequests()
		Expect(fx.mutate(c.address(o, o.ManagedStatus().ID), func(r map[string]any) { r[fx.field] = "edited in the studio" })).To(BeTrue())
		Eventually(func() any { r, _ := c.remote(o); return r[fx.field] }, timeout, poll).Should(Equal(fx.want))
		eventuallyObjectEvent(ctx, o, orqv1alpha1.ReasonDriftCorrected)
		Expect(c.writes(o, nil)).To(HaveLen(1), "one update puts it back")
		Expect(bodyKeys(c.writes(o, nil))).To(ContainElement(fx.field))
	})

	It("re-creates its remote object deleted in orq, with a Recreated event", func() {
		_, o := c.newObject(ctx, "recreate")
		c.createReady(ctx, o)
		old := o.ManagedStatus().ID
		orqAPI.ResetRequests()
		status := httptestRequest(http.MethodDelete, c.collection(o)+"/"+c.address(o, old))
		Expect(status).To(BeNumerically("<", 300), "deleted in orq, as the studio would")
		Eventually(func(g Gomega) {
			refresh(ctx, o)
			g.Expect(o.ManagedStatus().ID).NotTo(BeEmpty())
			g.Expect(o.ManagedStatus().ID).NotTo(Equal(old))
		}, timeout, poll).Should(Succeed())
		waitObjectReady(ctx, o)
		remote, ok := c.remote(o)
		Expect(ok).To(BeTrue())
		Expect(remote).To(HaveKeyWithValue(fx.field, fx.want))
		Expect(c.creates(o)).To(HaveLen(1), "one create")
		eventuallyObjectEvent(ctx, o, orqv1alpha1.ReasonRecreated)
	})

	if fx.suspendSends != nil {
		It("sends only its deactivation when suspended, and nothing else", func() {
			_, o := c.newObject(ctx, "suspend")
			c.createReady(ctx, o)
			orqAPI.ResetRequests()
			change(ctx, o, func(o managed.Object) { setSpec(o, "Suspend", true) })
			Eventually(func() []string { return bodyKeys(c.writes(o, nil, http.MethodPatch)) }, timeout, poll).
				Should(Equal(fx.suspendSends))
			waitObjectReady(ctx, o)
			Consistently(func() int { return len(c.writes(o, nil)) }, 2*suiteSyncPeriod, poll).Should(Equal(1))
		})
		return
	}
	It("makes no call to orq while suspended, and applies what changed meanwhile once resumed", func() {
		_, o := c.newObject(ctx, "suspend")
		c.createReady(ctx, o)
		orqAPI.ResetRequests()
		change(ctx, o, func(o managed.Object) { setSpec(o, "Suspend", true) })
		waitObjectCondition(ctx, o, orqv1alpha1.ConditionSuspended, metav1.ConditionTrue, orqv1alpha1.ReasonSuspended)
		change(ctx, o, func(o managed.Object) { fx.edit(o, "Changed while suspended") })
		Expect(fx.mutate(c.address(o, o.ManagedStatus().ID), func(r map[string]any) { r[fx.field] = "edited in the studio" })).To(BeTrue())
		Consistently(func() int { return len(c.calls(o)) }, 2*suiteSyncPeriod, poll).Should(BeZero(), "no call at all")
		remote, _ := c.remote(o)
		Expect(remote).To(HaveKeyWithValue(fx.field, "edited in the studio"), "neither the change nor a correction sent")

		change(ctx, o, func(o managed.Object) { setSpec(o, "Suspend", false) })
		waitObjectReady(ctx, o)
		Eventually(func() any { r, _ := c.remote(o); return r[fx.field] }, timeout, poll).Should(Equal("Changed while suspended"))
		Expect(bodyKeys(c.writes(o, nil, http.MethodPatch))).To(Equal(fx.patchKeys), "one update once resumed")
	})
}
