package resilience

import (
	"context"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

var _ = Describe("kstatus before the operator runs", func() {
	It("reads an Agent no operator has processed yet as InProgress, not Current", func() {
		ctx := context.Background()
		n := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{GenerateName: "kstatus-"}}
		Expect(k8s.Create(ctx, n)).To(Succeed())
		// No manager runs between the tests of this suite.
		Expect(k8s.Create(ctx, newAgent(n.Name, "unprocessed"))).To(Succeed())

		u := &unstructured.Unstructured{}
		u.SetAPIVersion("orq.ai/v1alpha1")
		u.SetKind("Agent")
		Expect(k8s.Get(ctx, client.ObjectKey{Namespace: n.Name, Name: "unprocessed"}, u)).To(Succeed())
		observed, found, err := unstructured.NestedInt64(u.Object, "status", "observedGeneration")
		Expect(err).NotTo(HaveOccurred())
		Expect(found).To(BeTrue())
		Expect(observed).To(BeZero())
		res, err := status.Compute(u)
		Expect(err).NotTo(HaveOccurred())
		Expect(res.Status).To(Equal(status.InProgressStatus), res.Message)
	})
})
