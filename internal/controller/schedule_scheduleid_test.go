package controller

import (
	"context"
	"net/http"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"sigs.k8s.io/controller-runtime/pkg/client"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
	"github.com/orq-ai/orq-operator/internal/orqmem"
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

var _ = Describe("An AgentSchedule adopting a schedule by its id", func() {
	It("creates its own once orq no longer has that one, and a lost answer to that create makes no second", func() {
		ctx := context.Background()
		ns := newNamespace(ctx, "sched-gone-")
		agent := sampleAgent(ns, "sched-gone")
		Expect(k8s.Create(ctx, agent)).To(Succeed())
		waitReady(ctx, agent)
		collection := "/v3/agents/sched-gone/schedules"
		existing, err := orqAPI.SeedSchedule("sched-gone", `{"type":"cron","expression":"0 0 * * * *","display_name":"Hourly","payload":{"input":"Hourly run"}}`)
		Expect(err).NotTo(HaveOccurred())
		adopted := existing["_id"].(string)

		schedule := weeklySchedule(ns, "sched-gone", "sched-gone")
		schedule.Spec.ScheduleID = adopted
		schedule.Spec.AdoptionPolicy = orqv1alpha1.AdoptionPolicyAdopt
		Expect(k8s.Create(ctx, schedule)).To(Succeed())
		waitObjectReady(ctx, schedule)
		Expect(schedule.Status.ID).To(Equal(adopted))

		By("deleting the adopted schedule in orq, and losing the answer to the create that replaces it")
		orqAPI.ResetRequests()
		orqAPI.AddFault(orqmem.Fault{Method: http.MethodPost, Path: collection, Status: http.StatusGatewayTimeout, Times: 1, AfterHandling: true})
		DeferCleanup(orqAPI.ClearFaults)
		Expect(httptestRequest(http.MethodDelete, collection+"/"+adopted)).To(Equal(http.StatusNoContent))
		Eventually(func() string {
			Expect(k8s.Get(ctx, client.ObjectKeyFromObject(schedule), schedule)).To(Succeed())
			return schedule.Status.ID
		}, timeout, poll).ShouldNot(Or(BeEmpty(), Equal(adopted)))
		waitObjectReady(ctx, schedule)
		Expect(orqAPI.Schedules("sched-gone")).To(ConsistOf(HaveKeyWithValue("_id", schedule.Status.ID)), "one schedule runs, the one it records")
		Expect(requests(http.MethodPost, collection)).To(HaveLen(1), "the lost create was recognised, not sent again")
	})
})
