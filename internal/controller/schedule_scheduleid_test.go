package controller

import (
	"context"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// S9 (review 2): "spec.scheduleId cannot change" was a transition rule on the optional field, which
// Kubernetes checks only when both the old and the new object hold the field: an update could add
// an id to adopt to an AgentSchedule that manages its own schedule, or remove it.
var _ = Describe("An AgentSchedule's scheduleId", func() {
	It("can be neither added nor removed once the AgentSchedule exists", func() {
		ctx := context.Background()
		ns := newNamespace(ctx, "sched-id-")
		own := weeklySchedule(ns, "sched-own", "no-such-agent") // waits for its Agent: nothing runs
		Expect(k8s.Create(ctx, own)).To(Succeed())
		patch := client.MergeFrom(own.DeepCopy()) // no resourceVersion: the operator's status writes cannot conflict
		own.Spec.ScheduleID = "sched_01ADOPT"
		err := k8s.Patch(ctx, own, patch)
		Expect(err).To(HaveOccurred(), "an id to adopt was added to an AgentSchedule that exists")
		Expect(err.Error()).To(ContainSubstring("spec.scheduleId cannot change"))

		adopting := weeklySchedule(ns, "sched-adopting", "no-such-agent")
		adopting.Spec.ScheduleID = "sched_01ADOPT"
		Expect(k8s.Create(ctx, adopting)).To(Succeed())
		patch = client.MergeFrom(adopting.DeepCopy())
		adopting.Spec.ScheduleID = ""
		err = k8s.Patch(ctx, adopting, patch)
		Expect(err).To(HaveOccurred(), "the id to adopt was removed")
		Expect(err.Error()).To(ContainSubstring("spec.scheduleId cannot change"))
	})
})
