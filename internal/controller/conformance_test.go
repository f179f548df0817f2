package controller

import (
	"context"
	"net/http"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
	"github.com/orq-ai/orq-operator/internal/managed"
)

// The conformance suite: what every kind the operator manages does, as users expect it of the
// Agent (#19), run for each kind of Kinds() with its fixture (conformance_fixtures_test.go).
// These specs create, change and correct; conformance_ownership_test.go holds those of deletion
// and references, and conformance_rest_test.go those that check nothing is sent for a while.
var _ = Describe("Conformance of every kind", func() {
	for _, name := range Kinds().Names() {
		kind, _ := Kinds().Get(name)
		fx := conformanceFixtures[name]
		Describe(name, func() {
			if fx == nil {
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

	It("sends a spec change as one update of the changed fields, and nothing else", func() {
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
}
