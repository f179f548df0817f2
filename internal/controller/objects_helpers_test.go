package controller

import (
	"context"
	"encoding/json"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	eventsv1 "k8s.io/api/events/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
	"github.com/orq-ai/orq-operator/internal/managed"
)

// The helpers of the specs that hold for objects of any kind.

// waitObjectReady waits until an object is Ready for its current generation, and refreshes it.
func waitObjectReady(ctx context.Context, o client.Object) {
	GinkgoHelper()
	Eventually(func(g Gomega) {
		g.Expect(k8s.Get(ctx, client.ObjectKeyFromObject(o), o)).To(Succeed())
		st := o.(managed.Object).ManagedStatus()
		ready := meta.FindStatusCondition(st.Conditions, orqv1alpha1.ConditionReady)
		g.Expect(ready).NotTo(BeNil())
		g.Expect(ready.Status).To(Equal(metav1.ConditionTrue), "Ready: %s: %s", ready.Reason, ready.Message)
		g.Expect(st.ObservedGeneration).To(Equal(o.GetGeneration()))
	}, timeout, poll).Should(Succeed())
}

// waitObjectCondition waits until a condition of an object has this status and reason.
func waitObjectCondition(ctx context.Context, o client.Object, typ string, status metav1.ConditionStatus, reason string) *metav1.Condition {
	GinkgoHelper()
	var c *metav1.Condition
	Eventually(func(g Gomega) {
		g.Expect(k8s.Get(ctx, client.ObjectKeyFromObject(o), o)).To(Succeed())
		c = meta.FindStatusCondition(o.(managed.Object).ManagedStatus().Conditions, typ)
		g.Expect(c).NotTo(BeNil(), "no %s condition", typ)
		g.Expect(c.Status).To(Equal(status), "%s: %s: %s", typ, c.Reason, c.Message)
		g.Expect(c.Reason).To(Equal(reason), "%s: %s", typ, c.Message)
	}, timeout, poll).Should(Succeed())
	return c
}

// waitObjectGone waits until an object no longer exists.
func waitObjectGone(ctx context.Context, o client.Object) {
	GinkgoHelper()
	Eventually(func() bool {
		return apierrors.IsNotFound(k8s.Get(ctx, client.ObjectKeyFromObject(o), o.DeepCopyObject().(client.Object)))
	}, timeout, poll).Should(BeTrue(), "%T %s is gone", o, o.GetName())
}

// eventNotes lists the notes of the events about an object so far.
func eventNotes(ctx context.Context, o client.Object) []string {
	GinkgoHelper()
	var list eventsv1.EventList
	Expect(k8s.List(ctx, &list, client.InNamespace(o.GetNamespace()))).To(Succeed())
	var out []string
	for _, e := range list.Items {
		if e.Regarding.Name == o.GetName() {
			out = append(out, e.Reason+": "+e.Note)
		}
	}
	return out
}

// eventuallyObjectEvent waits for an event with this reason about an object.
func eventuallyObjectEvent(ctx context.Context, o client.Object, reason string) {
	GinkgoHelper()
	Eventually(func() []string { return eventNotes(ctx, o) }, timeout, poll).Should(ContainElement(HavePrefix(reason + ":")))
}

// objectStrings is an object as JSON, for a search of what it shows.
func objectStrings(o client.Object) []string {
	raw, err := json.Marshal(o)
	Expect(err).NotTo(HaveOccurred())
	return []string{string(raw)}
}
