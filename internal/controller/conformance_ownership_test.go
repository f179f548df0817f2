package controller

import (
	"context"
	"net/http"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client/apiutil"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
)

// ownershipConformance registers the specs of the policies, of ownership and of deletion.
func ownershipConformance(c conformer) {
	ctx := context.Background()
	fx := c.fx

	It("managementPolicy Observe never writes, and reports how the remote object differs", func() {
		_, o := c.newObject(ctx, "observe")
		id := fx.seedForeign(o)
		untilNextSecond()
		orqAPI.ResetRequests()
		setSpec(o, "ManagementPolicy", orqv1alpha1.ManagementPolicyObserve)
		Expect(k8s.Create(ctx, o)).To(Succeed())
		Eventually(func(g Gomega) {
			refresh(ctx, o)
			st := o.ManagedStatus()
			g.Expect(meta.IsStatusConditionTrue(st.Conditions, orqv1alpha1.ConditionReady)).To(BeTrue(), "the remote object exists")
			synced := meta.FindStatusCondition(st.Conditions, orqv1alpha1.ConditionSynced)
			g.Expect(synced).NotTo(BeNil())
			g.Expect(synced.Status).To(Equal(metav1.ConditionFalse))
			g.Expect(synced.Reason).To(Equal(orqv1alpha1.ReasonDrifted))
			g.Expect(st.PendingChanges).To(Equal([]string{fx.field}))
			g.Expect(st.ID).To(BeEmpty(), "observing does not make it this object's")
		}, timeout, poll).Should(Succeed())
		eventuallyObjectEvent(ctx, o, orqv1alpha1.ReasonDriftDetected)
		Consistently(func() int { return len(c.writes(o, []string{id})) }, 2*suiteSyncPeriod, poll).Should(BeZero(), "never a write")

		Expect(k8s.Delete(ctx, o)).To(Succeed())
		waitObjectGone(ctx, o)
		remote, ok := fx.inspect(c.address(o, id))
		Expect(ok).To(BeTrue(), "an observed remote object is never deleted")
		Expect(remote).To(HaveKeyWithValue(fx.field, foreignValue))
		Expect(c.writes(o, []string{id})).To(BeEmpty())
	})

	It("deletionPolicy Orphan leaves its remote object in orq; Delete deletes it", func() {
		ns, orphan := c.newObject(ctx, "orphan")
		deleted := c.newObjectIn(ctx, ns, "delete")
		setSpec(orphan, "DeletionPolicy", orqv1alpha1.DeletionPolicyOrphan)
		c.createReady(ctx, orphan)
		c.createReady(ctx, deleted)
		orqAPI.ResetRequests()
		Expect(k8s.Delete(ctx, orphan)).To(Succeed())
		Expect(k8s.Delete(ctx, deleted)).To(Succeed())
		waitObjectGone(ctx, orphan)
		waitObjectGone(ctx, deleted)

		_, ok := c.remote(orphan)
		Expect(ok).To(BeTrue(), "an orphaned remote object stays in orq")
		Expect(c.writes(orphan, nil)).To(BeEmpty())
		eventuallyObjectEvent(ctx, orphan, orqv1alpha1.ReasonOrphaned)
		_, ok = c.remote(deleted)
		Expect(ok).To(BeFalse())
		Expect(c.writes(deleted, nil, http.MethodDelete)).To(HaveLen(1), "one delete, of the recorded id")
		eventuallyObjectEvent(ctx, deleted, orqv1alpha1.ReasonDeleted)
	})

	It("leaves a foreign remote object at its place untouched, AdoptionRequired, and takes it over with Adopt", func() {
		_, o := c.newObject(ctx, "foreign")
		id := fx.seedForeign(o)
		before, _ := fx.inspect(c.address(o, id))
		untilNextSecond()
		orqAPI.ResetRequests()
		Expect(k8s.Create(ctx, o)).To(Succeed())
		stalled := waitObjectStalled(ctx, o, orqv1alpha1.ReasonAdoptionRequired)
		Expect(stalled.Message).To(ContainSubstring("adoptionPolicy: Adopt"))
		Expect(o.ManagedStatus().ID).To(BeEmpty())
		Consistently(func() int { return len(c.writes(o, []string{id}, http.MethodPatch, http.MethodDelete)) }, suiteSyncPeriod, poll).
			Should(BeZero(), "a foreign remote object is never changed")
		Expect(c.creates(o)).To(BeEmpty(), "nothing created beside it")
		after, _ := fx.inspect(c.address(o, id))
		Expect(after).To(Equal(before), "untouched")

		change(ctx, o, adopt)
		waitObjectReady(ctx, o)
		Expect(o.ManagedStatus().ID).To(Equal(id))
		remote, _ := c.remote(o)
		Expect(remote).To(HaveKeyWithValue(fx.field, fx.want), "corrected to the spec")
		Expect(c.creates(o)).To(BeEmpty())
		eventuallyObjectEvent(ctx, o, orqv1alpha1.ReasonAdopted)
	})

	It("lets one object hold its remote object: a later one claiming it stalls KeyConflict, and goes without it", func() {
		ns, first := c.newObject(ctx, "holder")
		c.createReady(ctx, first)
		time.Sleep(1100 * time.Millisecond) // creationTimestamp has a resolution of one second
		second := c.newObjectIn(ctx, ns, "claimant")
		fx.sameKey(first, second)
		fx.edit(second, "Claimed by a second object")
		adopt(second) // as every exported manifest has
		orqAPI.ResetRequests()
		Expect(k8s.Create(ctx, second)).To(Succeed())

		stalled := waitObjectStalled(ctx, second, orqv1alpha1.ReasonKeyConflict)
		Expect(stalled.Message).To(ContainSubstring(ns + "/" + first.GetName()))
		Consistently(func(g Gomega) {
			refresh(ctx, first)
			g.Expect(meta.IsStatusConditionTrue(first.ManagedStatus().Conditions, orqv1alpha1.ConditionReady)).To(BeTrue())
			r, _ := c.remote(first)
			g.Expect(r).To(HaveKeyWithValue(fx.field, fx.want), "no tug of war")
		}, 2*suiteSyncPeriod, poll).Should(Succeed())
		Expect(c.writes(first, nil)).To(BeEmpty())
		Expect(second.ManagedStatus().ID).To(BeEmpty())

		By("deleting the later one")
		Expect(k8s.Delete(ctx, second)).To(Succeed())
		waitObjectGone(ctx, second)
		_, ok := c.remote(first)
		Expect(ok).To(BeTrue(), "the holder's remote object stays")
		Expect(c.writes(first, nil)).To(BeEmpty())
		waitObjectReady(ctx, first)
	})

	if fx.referrer == nil {
		It("is kept InUse while another object names it", func() {
			Skip(c.kind.Name() + ": no kind references it (see its fixture)")
		})
		return
	}
	It("is kept InUse while another object names it, naming the referrer, and goes after it", func() {
		ns, target := c.newObject(ctx, "target")
		c.createReady(ctx, target)
		name, key := c.names("user")
		user := fx.referrer(ns, name, key, target.GetName())
		Expect(k8s.Create(ctx, user)).To(Succeed())
		waitObjectReady(ctx, user)

		Expect(k8s.Delete(ctx, target)).To(Succeed())
		inUse := waitObjectCondition(ctx, target, orqv1alpha1.ConditionReady, metav1.ConditionFalse, orqv1alpha1.ReasonInUse)
		gvk, err := apiutil.GVKForObject(user, k8s.Scheme())
		Expect(err).NotTo(HaveOccurred())
		Expect(inUse.Message).To(ContainSubstring(gvk.Kind + " " + ns + "/" + name))
		_, ok := c.remote(target)
		Expect(ok).To(BeTrue(), "not deleted from orq while named")

		Expect(k8s.Delete(ctx, user)).To(Succeed())
		waitObjectGone(ctx, user)
		waitObjectGone(ctx, target)
		_, ok = c.remote(target)
		Expect(ok).To(BeFalse(), "deleted once nothing names it")
	})
}
