package controller

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
	"github.com/orq-ai/orq-operator/internal/orqmem"
)

// Scheduled agent runs as code (#20): an AgentSchedule under its Agent's key.
var _ = Describe("An AgentSchedule", func() {
	var ctx context.Context

	BeforeEach(func() { ctx = context.Background() })

	It("is created once its Agent is Ready, suspends and resumes with nothing else sent, and puts back a change made in the studio", func() {
		ns := newNamespace(ctx, "sched-life-")
		orqAPI.ResetRequests()
		schedule := weeklySchedule(ns, "sched-weekly", "sched-agent")
		Expect(k8s.Create(ctx, schedule)).To(Succeed()) // first: it waits for its Agent
		c := waitObjectCondition(ctx, schedule, orqv1alpha1.ConditionResolvedRefs, metav1.ConditionFalse, orqv1alpha1.ReasonDependencyNotReady)
		Expect(c.Message).To(ContainSubstring("sched-agent"))

		agent := sampleAgent(ns, "sched-agent")
		Expect(k8s.Create(ctx, agent)).To(Succeed())
		waitReady(ctx, agent)
		waitObjectReady(ctx, schedule)
		Expect(schedule.Status.ID).NotTo(BeEmpty())
		Expect(schedule.Status.AgentKey).To(Equal("sched-agent"))
		Expect(schedule.Status.IsActive).To(Equal(ptr.To(true)))
		Expect(schedule.Status.Generation).To(Equal(int64(1)))
		remote := remoteSchedule(schedule.Status.ID)
		Expect(remote).To(And(HaveKeyWithValue("expression", "0 0 9 * * 1"), HaveKeyWithValue("display_name", "Weekly report"),
			HaveKeyWithValue("is_active", true)))
		Expect(remote["payload"]).To(HaveKeyWithValue("variables", HaveKeyWithValue("region", "EMEA")))
		Expect(requests(http.MethodPost, "/v3/agents/sched-agent/schedules")).To(HaveLen(1), "one create, after the Agent")
		Expect(refused()).To(BeEmpty())

		By("suspending it")
		orqAPI.ResetRequests()
		setSuspend(ctx, schedule, true)
		item := "/v3/agents/sched-agent/schedules/" + schedule.Status.ID
		Eventually(func() []string { return bodyKeys(requests(http.MethodPatch, item)) }, timeout, poll).Should(Equal([]string{"is_active"}))
		Expect(remoteSchedule(schedule.Status.ID)).To(HaveKeyWithValue("is_active", false))
		Eventually(func() *bool {
			_ = k8s.Get(ctx, client.ObjectKeyFromObject(schedule), schedule)
			return schedule.Status.IsActive
		},
			timeout, poll).Should(Equal(ptr.To(false)))
		waitObjectReady(ctx, schedule)

		By("resuming it")
		orqAPI.ResetRequests()
		setSuspend(ctx, schedule, false)
		Eventually(func() any { return remoteSchedule(schedule.Status.ID)["is_active"] }, timeout, poll).Should(BeTrue())
		Expect(bodyKeys(requests(http.MethodPatch, item))).To(Equal([]string{"is_active"}))

		By("changing its cadence in the studio")
		Expect(orqAPI.MutateSchedule(schedule.Status.ID, func(s map[string]any) { s["expression"] = "0 0 * * * *" })).To(BeTrue())
		Eventually(func() any { return remoteSchedule(schedule.Status.ID)["expression"] }, timeout, poll).Should(Equal("0 0 9 * * 1"),
			"the drift sweep finds it and puts it back")
		eventuallyObjectEvent(ctx, schedule, orqv1alpha1.ReasonDriftCorrected)
	})

	It("is refused at admission with an expression orq does not run, saying which shapes it takes", func() {
		ns := newNamespace(ctx, "sched-cron-")
		schedule := weeklySchedule(ns, "sched-bad", "nobody")
		schedule.Spec.Expression = "*/5 * * * *"
		err := k8s.Create(ctx, schedule)
		Expect(err).To(HaveOccurred())
		Expect(err.Error()).To(And(ContainSubstring("spec.expression"), ContainSubstring("0 0 9 * * 1")))
	})

	It("stalls on a pin to a version orq does not know, without a loop, and runs it once the Agent publishes it", func() {
		ns := newNamespace(ctx, "sched-pin-")
		agent := sampleAgent(ns, "sched-pinned")
		agent.Annotations = map[string]string{orqv1alpha1.AnnotationRevision: "4f2c9e1"}
		Expect(k8s.Create(ctx, agent)).To(Succeed())
		waitReady(ctx, agent)
		Expect(agent.Status.Version).To(Equal("1.0.0"))

		orqAPI.ResetRequests()
		schedule := weeklySchedule(ns, "sched-pin", "sched-pinned")
		schedule.Spec.AgentTag = "1.1.0"
		Expect(k8s.Create(ctx, schedule)).To(Succeed())
		c := waitObjectCondition(ctx, schedule, orqv1alpha1.ConditionStalled, metav1.ConditionTrue, orqv1alpha1.ReasonUnknownReference)
		Expect(c.Message).To(And(ContainSubstring(`"1.1.0"`), ContainSubstring("1.0.0")), "orq's message names the tag and the versions")
		creates := func() int { return len(requests(http.MethodPost, "/v3/agents/sched-pinned/schedules")) }
		Consistently(creates, 2*suiteSyncPeriod, poll).Should(BeNumerically("<=", 3), "retried at the sync period, not in a loop")

		By("publishing the version the schedule is pinned to")
		patch := client.MergeFrom(agent.DeepCopy())
		agent.Spec.Instructions = "Write the weekly report for {{customer}}."
		agent.Spec.VersionIncrement = "minor"
		Expect(k8s.Patch(ctx, agent, patch)).To(Succeed())
		waitReady(ctx, agent)
		Expect(agent.Status.Version).To(Equal("1.1.0"))
		Expect(agent.Status.Releases).NotTo(BeEmpty())
		Expect(agent.Status.Releases[0]).To(And(HaveField("Version", "1.1.0"), HaveField("Generation", agent.Generation),
			HaveField("Revision", "4f2c9e1")))
		published := requests(http.MethodPatch, "/v2/agents/sched-pinned")
		Expect(published).NotTo(BeEmpty())
		var sent map[string]any
		Expect(json.Unmarshal(published[len(published)-1].Body, &sent)).To(Succeed())
		Expect(sent).To(HaveKeyWithValue("versionDescription", "revision 4f2c9e1"),
			"the revision describes the version the spec gives no description")

		waitObjectReady(ctx, schedule)
		Expect(remoteSchedule(schedule.Status.ID)).To(HaveKeyWithValue("agent_tag", "1.1.0"))

		By("publishing another version: the schedule stays pinned")
		patch = client.MergeFrom(agent.DeepCopy())
		agent.Spec.Instructions = "Write the weekly report for {{customer}}, briefly."
		Expect(k8s.Patch(ctx, agent, patch)).To(Succeed())
		waitReady(ctx, agent)
		Expect(agent.Status.Version).To(Equal("1.2.0"))
		Expect(agent.Status.Releases).To(HaveLen(2))
		Consistently(func() any { return remoteSchedule(schedule.Status.ID)["agent_tag"] }, suiteSyncPeriod, poll).Should(Equal("1.1.0"))
	})

	It("sends variables from a Secret in orq's secret form, again when the Secret changes, and never shows them", func() {
		ns := newNamespace(ctx, "sched-secret-")
		Expect(k8s.Create(ctx, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "report-token"},
			Data: map[string][]byte{"token": []byte("s3cret-first")}})).To(Succeed())
		agent := sampleAgent(ns, "sched-secretive")
		schedule := weeklySchedule(ns, "sched-secret", "sched-secretive")
		schedule.Spec.Payload.VariablesFrom = []orqv1alpha1.ScheduleVariableSource{
			{Name: "token", SecretKeyRef: orqv1alpha1.SecretKeyReference{Name: "report-token", Key: "token"}}}
		Expect(k8s.Create(ctx, agent)).To(Succeed())
		Expect(k8s.Create(ctx, schedule)).To(Succeed())
		waitObjectReady(ctx, schedule)
		variable := func() any {
			return remoteSchedule(schedule.Status.ID)["payload"].(map[string]any)["variables"].(map[string]any)["token"]
		}
		Expect(variable()).To(Equal(map[string]any{"secret": true, "value": "s3cret-first"}))

		secret := &corev1.Secret{}
		Expect(k8s.Get(ctx, client.ObjectKey{Namespace: ns, Name: "report-token"}, secret)).To(Succeed())
		secret.Data["token"] = []byte("s3cret-second")
		Expect(k8s.Update(ctx, secret)).To(Succeed())
		Eventually(variable, timeout, poll).Should(HaveKeyWithValue("value", "s3cret-second"), "re-sent when the Secret changes")

		waitObjectReady(ctx, schedule)
		raw := strings.Join(objectStrings(schedule), "\n") + strings.Join(eventNotes(ctx, schedule), "\n")
		Expect(raw).NotTo(ContainSubstring("s3cret"), "in no status, event or annotation")
	})

	It("recognises its create whose answer was lost among its agent's schedules, even suspended", func() {
		ns := newNamespace(ctx, "sched-lost-")
		agent := sampleAgent(ns, "sched-lost")
		Expect(k8s.Create(ctx, agent)).To(Succeed())
		waitReady(ctx, agent)
		collection := "/v3/agents/sched-lost/schedules"
		_, err := orqAPI.SeedSchedule("sched-lost", `{"type":"cron","expression":"0 0 9 * * 1","display_name":"Weekly report","payload":{"input":"Studio run"}}`)
		Expect(err).NotTo(HaveOccurred(), "the studio's schedule of the same name and cadence, another payload")

		orqAPI.AddFault(orqmem.Fault{Method: http.MethodPost, Path: collection, Status: http.StatusGatewayTimeout, Times: 1, AfterHandling: true})
		DeferCleanup(orqAPI.ClearFaults)
		schedule := weeklySchedule(ns, "sched-lost", "sched-lost")
		schedule.Spec.Suspend = true // created active, then deactivated: the lost create made an active one
		Expect(k8s.Create(ctx, schedule)).To(Succeed())
		waitObjectReady(ctx, schedule)
		Expect(orqAPI.Schedules("sched-lost")).To(HaveLen(2), "no second create")
		Expect(requests(http.MethodPost, collection)).To(HaveLen(1))
		Expect(remoteSchedule(schedule.Status.ID)).To(And(HaveKeyWithValue("is_active", false),
			HaveKeyWithValue("payload", HaveKeyWithValue("variables", HaveKeyWithValue("region", "EMEA")))))
	})

	It("stalls AdoptionRequired naming both ids when two schedules equal its lost create, and takes the one left", func() {
		ns := newNamespace(ctx, "sched-twins-")
		agent := sampleAgent(ns, "sched-twins")
		Expect(k8s.Create(ctx, agent)).To(Succeed())
		waitReady(ctx, agent)
		collection := "/v3/agents/sched-twins/schedules"
		schedule := weeklySchedule(ns, "sched-twin", "sched-twins")
		body, err := json.Marshal(map[string]any{"type": "cron", "expression": schedule.Spec.Expression, "display_name": "Weekly report",
			"payload": map[string]any{"input": "Write the weekly report", "variables": map[string]any{"region": "EMEA"}}})
		Expect(err).NotTo(HaveOccurred())
		twin, err := orqAPI.SeedSchedule("sched-twins", string(body))
		Expect(err).NotTo(HaveOccurred())

		orqAPI.AddFault(orqmem.Fault{Method: http.MethodPost, Path: collection, Status: http.StatusGatewayTimeout, Times: 1, AfterHandling: true})
		DeferCleanup(orqAPI.ClearFaults)
		Expect(k8s.Create(ctx, schedule)).To(Succeed())
		c := waitObjectCondition(ctx, schedule, orqv1alpha1.ConditionStalled, metav1.ConditionTrue, orqv1alpha1.ReasonAdoptionRequired)
		schedules := orqAPI.Schedules("sched-twins")
		Expect(schedules).To(HaveLen(2))
		for _, s := range schedules {
			Expect(c.Message).To(ContainSubstring(s["_id"].(string)))
		}
		Consistently(func() []orqmem.Request { return requests(http.MethodPost, collection) }, suiteSyncPeriod, poll).Should(HaveLen(1),
			"never a second create while it cannot tell")

		By("deleting the studio's twin in orq")
		Expect(httptestRequest(http.MethodDelete, collection+"/"+twin["_id"].(string))).To(Equal(http.StatusNoContent))
		waitObjectReady(ctx, schedule)
		Expect(orqAPI.Schedules("sched-twins")).To(ConsistOf(HaveKeyWithValue("_id", schedule.Status.ID)))
		Expect(requests(http.MethodPost, collection)).To(HaveLen(1))
	})

	It("adopts a schedule by its id, and only with Adopt", func() {
		ns := newNamespace(ctx, "sched-adopt-")
		agent := sampleAgent(ns, "sched-adopter")
		Expect(k8s.Create(ctx, agent)).To(Succeed())
		waitReady(ctx, agent)
		existing, err := orqAPI.SeedSchedule("sched-adopter", `{"type":"cron","expression":"0 0 * * * *","display_name":"Hourly","payload":{"input":"Hourly run"}}`)
		Expect(err).NotTo(HaveOccurred())
		id := existing["_id"].(string)
		orqAPI.ResetRequests()

		schedule := weeklySchedule(ns, "sched-adopted", "sched-adopter")
		schedule.Spec.ScheduleID = id
		Expect(k8s.Create(ctx, schedule)).To(Succeed())
		waitObjectCondition(ctx, schedule, orqv1alpha1.ConditionStalled, metav1.ConditionTrue, orqv1alpha1.ReasonAdoptionRequired)

		patch := client.MergeFrom(schedule.DeepCopy())
		schedule.Spec.AdoptionPolicy = orqv1alpha1.AdoptionPolicyAdopt
		Expect(k8s.Patch(ctx, schedule, patch)).To(Succeed())
		waitObjectReady(ctx, schedule)
		Expect(schedule.Status.ID).To(Equal(id))
		Expect(remoteSchedule(id)).To(HaveKeyWithValue("expression", "0 0 9 * * 1"), "corrected to the spec")
		Expect(requests(http.MethodPost, "/v3/agents/sched-adopter/schedules")).To(BeEmpty())
	})

	It("keeps its Agent in orq, InUse, and is deleted first when both go, with no request refused", func() {
		ns := newNamespace(ctx, "sched-delete-")
		agent := sampleAgent(ns, "sched-owner")
		schedule := weeklySchedule(ns, "sched-owned", "sched-owner")
		Expect(k8s.Create(ctx, agent)).To(Succeed())
		Expect(k8s.Create(ctx, schedule)).To(Succeed())
		waitObjectReady(ctx, schedule)
		orqAPI.ResetRequests()

		By("deleting the Agent alone")
		Expect(k8s.Delete(ctx, agent)).To(Succeed())
		c := waitObjectCondition(ctx, agent, orqv1alpha1.ConditionReady, metav1.ConditionFalse, orqv1alpha1.ReasonInUse)
		Expect(c.Message).To(ContainSubstring("AgentSchedule " + ns + "/sched-owned"))
		_, ok := remoteAgent("sched-owner")
		Expect(ok).To(BeTrue())

		By("deleting the schedule")
		Expect(k8s.Delete(ctx, schedule)).To(Succeed())
		waitObjectGone(ctx, schedule)
		waitObjectGone(ctx, agent)
		_, ok = remoteAgent("sched-owner")
		Expect(ok).To(BeFalse())
		_, ok = orqAPI.Schedule(schedule.Status.ID)
		Expect(ok).To(BeFalse())
		Expect(refused()).NotTo(ContainElement(ContainSubstring("sched-owner")), "the schedule is deleted before its agent")
	})
})

// weeklySchedule runs agent every Monday at 09:00 UTC with a plain variable.
func weeklySchedule(ns, name, agent string) *orqv1alpha1.AgentSchedule {
	return &orqv1alpha1.AgentSchedule{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}, Spec: orqv1alpha1.AgentScheduleSpec{
		AgentRef: orqv1alpha1.LocalAgentReference{Name: agent}, DisplayName: "Weekly report", Expression: "0 0 9 * * 1",
		Payload: orqv1alpha1.SchedulePayload{
			Input:     &apiextensionsv1.JSON{Raw: []byte(`"Write the weekly report"`)},
			Variables: map[string]apiextensionsv1.JSON{"region": {Raw: []byte(`"EMEA"`)}},
		},
	}}
}

// remoteSchedule is a schedule as the in-memory API holds it, decoded as a client would.
func remoteSchedule(id string) map[string]any {
	GinkgoHelper()
	s, ok := orqAPI.Schedule(id)
	Expect(ok).To(BeTrue(), "schedule %s", id)
	raw, err := json.Marshal(s)
	Expect(err).NotTo(HaveOccurred())
	var out map[string]any
	Expect(json.Unmarshal(raw, &out)).To(Succeed())
	return out
}

// setSuspend sets spec.suspend of a schedule.
func setSuspend(ctx context.Context, s *orqv1alpha1.AgentSchedule, suspend bool) {
	GinkgoHelper()
	Expect(k8s.Get(ctx, client.ObjectKeyFromObject(s), s)).To(Succeed())
	patch := client.MergeFrom(s.DeepCopy())
	s.Spec.Suspend = suspend
	Expect(k8s.Patch(ctx, s, patch)).To(Succeed())
}
