package controller

import (
	"context"
	"net/http"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client/apiutil"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
)

// ownershipConformance registers the specs of the policies, of ownership and of deletion.
func ownershipConformance(c conformer) {
	ctx := context.Background()
	fx := c.fx

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
