package controller

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	eventsv1 "k8s.io/api/events/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
	"github.com/orq-ai/orq-operator/internal/agentdiff"
)

var _ = Describe("Agent lifecycle policies", func() {
	var (
		ctx context.Context
		ns  string
	)

	BeforeEach(func() {
		ctx = context.Background()
		ns = newNamespace(ctx, "lifecycle-")
	})

	It("deletionPolicy Orphan leaves the remote agent in orq; Delete removes it", func() {
		orphan := sampleAgent(ns, "orphan-me")
		orphan.Spec.DeletionPolicy = orqv1alpha1.DeletionPolicyOrphan
		deleted := sampleAgent(ns, "delete-me")
		Expect(k8s.Create(ctx, orphan)).To(Succeed())
		Expect(k8s.Create(ctx, deleted)).To(Succeed())
		waitReady(ctx, orphan)
		waitReady(ctx, deleted)

		Expect(k8s.Delete(ctx, orphan)).To(Succeed())
		Expect(k8s.Delete(ctx, deleted)).To(Succeed())
		waitGone(ctx, orphan)
		waitGone(ctx, deleted)

		_, ok := remoteAgent("orphan-me")
		Expect(ok).To(BeTrue(), "an orphaned agent stays in orq")
		Expect(requests(http.MethodDelete, "/v2/agents/orphan-me")).To(BeEmpty())
		_, ok = remoteAgent("delete-me")
		Expect(ok).To(BeFalse())
		eventuallyEvent(ctx, orphan, orqv1alpha1.ReasonOrphaned)
	})

	It("managementPolicy Observe reports what differs and never writes to orq", func() {
		remote := createRemote(sampleAgent(ns, "observed"), func(b map[string]any) { b["instructions"] = "edited in the studio" })
		orqAPI.ResetRequests()

		agent := sampleAgent(ns, "observed")
		agent.Spec.ManagementPolicy = orqv1alpha1.ManagementPolicyObserve
		Expect(k8s.Create(ctx, agent)).To(Succeed())
		Eventually(func(g Gomega) {
			g.Expect(k8s.Get(ctx, client.ObjectKeyFromObject(agent), agent)).To(Succeed())
			g.Expect(agent.Status.PendingChanges).To(Equal([]string{"instructions"}))
			g.Expect(meta.IsStatusConditionTrue(agent.Status.Conditions, orqv1alpha1.ConditionReady)).To(BeTrue(), "the agent exists")
			synced := meta.FindStatusCondition(agent.Status.Conditions, orqv1alpha1.ConditionSynced)
			g.Expect(synced).NotTo(BeNil())
			g.Expect(synced.Status).To(Equal(metav1.ConditionFalse))
			g.Expect(synced.Reason).To(Equal(orqv1alpha1.ReasonDrifted))
			g.Expect(agent.Status.Version).To(Equal(remote["version"]))
			g.Expect(agent.Status.ID).To(BeEmpty(), "observing an agent does not make it this Agent's")
		}, timeout, poll).Should(Succeed())
		eventuallyEvent(ctx, agent, orqv1alpha1.ReasonDriftDetected)

		time.Sleep(2 * suiteSyncPeriod)
		for _, method := range []string{http.MethodPost, http.MethodPatch, http.MethodDelete} {
			Expect(writesFor("observed", method)).To(BeZero(), "Observe never sends %s", method)
		}

		// Switching to Manage does not take over an agent this Agent neither created nor adopted.
		patch := client.MergeFrom(agent.DeepCopy())
		agent.Spec.ManagementPolicy = orqv1alpha1.ManagementPolicyManage
		Expect(k8s.Patch(ctx, agent, patch)).To(Succeed())
		waitStalled(ctx, agent, orqv1alpha1.ReasonAdoptionRequired)
		Expect(writesFor("observed", http.MethodPatch)).To(BeZero())

		Expect(k8s.Delete(ctx, agent)).To(Succeed())
		waitGone(ctx, agent)
		Expect(writesFor("observed", http.MethodDelete)).To(BeZero(), "an agent this Agent did not create is not deleted")
		after, ok := remoteAgent("observed")
		Expect(ok).To(BeTrue())
		Expect(after["instructions"]).To(Equal("edited in the studio"))
	})

	It("managementPolicy Observe of an agent that does not exist stalls without creating it", func() {
		agent := sampleAgent(ns, "observed-missing")
		agent.Spec.ManagementPolicy = orqv1alpha1.ManagementPolicyObserve
		Expect(k8s.Create(ctx, agent)).To(Succeed())
		waitStalled(ctx, agent, orqv1alpha1.ReasonRemoteNotFound)
		Expect(meta.IsStatusConditionFalse(agent.Status.Conditions, orqv1alpha1.ConditionReady)).To(BeTrue())
		Expect(creates("observed-missing")).To(BeEmpty())
		_, ok := remoteAgent("observed-missing")
		Expect(ok).To(BeFalse())
	})

	It("suspend makes no call to orq until it is false again", func() {
		orqAPI.ResetRequests()
		agent := sampleAgent(ns, "suspended")
		agent.Spec.Suspend = true
		Expect(k8s.Create(ctx, agent)).To(Succeed())
		Eventually(func(g Gomega) {
			g.Expect(k8s.Get(ctx, client.ObjectKeyFromObject(agent), agent)).To(Succeed())
			g.Expect(meta.IsStatusConditionTrue(agent.Status.Conditions, orqv1alpha1.ConditionSuspended)).To(BeTrue())
		}, timeout, poll).Should(Succeed())
		Consistently(func() int { return callsFor("suspended") }, 2*suiteSyncPeriod, poll).Should(BeZero())

		patch := client.MergeFrom(agent.DeepCopy())
		agent.Spec.Suspend = false
		Expect(k8s.Patch(ctx, agent, patch)).To(Succeed())
		waitReady(ctx, agent)
		Expect(meta.FindStatusCondition(agent.Status.Conditions, orqv1alpha1.ConditionSuspended)).To(BeNil())
		_, ok := remoteAgent("suspended")
		Expect(ok).To(BeTrue())
	})

	It("refuses a foreign agent with adoptionPolicy Fail, and takes it over with Adopt", func() {
		createRemote(sampleAgent(ns, "foreign"), func(b map[string]any) { b["role"] = "Someone else's agent" })
		time.Sleep(1100 * time.Millisecond) // creationTimestamp has a resolution of one second
		orqAPI.ResetRequests()

		agent := sampleAgent(ns, "foreign")
		Expect(k8s.Create(ctx, agent)).To(Succeed())
		Expect(waitStalled(ctx, agent, orqv1alpha1.ReasonAdoptionRequired).Message).To(ContainSubstring("adoptionPolicy: Adopt"))
		Expect(writesFor("foreign", http.MethodPatch)).To(BeZero(), "a foreign agent is never overwritten")
		remote, _ := remoteAgent("foreign")
		Expect(remote["role"]).To(Equal("Someone else's agent"))

		patch := client.MergeFrom(agent.DeepCopy())
		agent.Spec.AdoptionPolicy = orqv1alpha1.AdoptionPolicyAdopt
		Expect(k8s.Patch(ctx, agent, patch)).To(Succeed())
		waitReady(ctx, agent)
		remote, _ = remoteAgent("foreign")
		Expect(remote["role"]).To(Equal("Customer support"), "corrected to the spec after adoption")
		eventuallyEvent(ctx, agent, orqv1alpha1.ReasonAdopted)
	})

	It("lets the oldest of two Agents with one key manage it; the other takes over when it goes", func() {
		other := newNamespace(ctx, "lifecycle-other-")

		first := sampleAgent(ns, "shared-key")
		Expect(k8s.Create(ctx, first)).To(Succeed())
		waitReady(ctx, first)
		time.Sleep(1100 * time.Millisecond) // creationTimestamp has a resolution of one second
		second := sampleAgent(other, "second")
		second.Spec.Key = "shared-key"
		second.Spec.Role = "A different role"
		Expect(k8s.Create(ctx, second)).To(Succeed())

		Expect(waitStalled(ctx, second, orqv1alpha1.ReasonKeyConflict).Message).To(ContainSubstring(ns + "/shared-key"))
		Consistently(func() any { r, _ := remoteAgent("shared-key"); return r["role"] }, 2*suiteSyncPeriod, poll).
			Should(Equal("Customer support"), "the two Agents do not fight")

		Expect(k8s.Delete(ctx, first)).To(Succeed())
		waitGone(ctx, first)
		waitReady(ctx, second)
		Eventually(func() any { r, _ := remoteAgent("shared-key"); return r["role"] }, timeout, poll).Should(Equal("A different role"))
	})

	It("syncs at once when orq.ai/reconcile-requested-at changes, and echoes it", func() {
		agent := sampleAgent(ns, "forced")
		agent.Annotations = map[string]string{orqv1alpha1.AnnotationSyncInterval: "1h"}
		Expect(k8s.Create(ctx, agent)).To(Succeed())
		waitReady(ctx, agent)
		Expect(orqAPI.MutateAgent("forced", func(a map[string]any) { a["role"] = "edited in the studio" })).To(BeTrue())
		Consistently(func() any { r, _ := remoteAgent("forced"); return r["role"] }, 2*suiteSyncPeriod, poll).
			Should(Equal("edited in the studio"), "the per-Agent sync interval (1h) applies")

		patch := client.MergeFrom(agent.DeepCopy())
		agent.Annotations[orqv1alpha1.AnnotationReconcileRequestedAt] = "2026-11-24T12:00:00Z"
		Expect(k8s.Patch(ctx, agent, patch)).To(Succeed())
		Eventually(func() any { r, _ := remoteAgent("forced"); return r["role"] }, timeout, poll).Should(Equal("Customer support"))
		Eventually(func(g Gomega) {
			g.Expect(k8s.Get(ctx, client.ObjectKeyFromObject(agent), agent)).To(Succeed())
			g.Expect(agent.Status.LastHandledReconcileAt).To(Equal("2026-11-24T12:00:00Z"))
		}, timeout, poll).Should(Succeed())
		eventuallyEvent(ctx, agent, orqv1alpha1.ReasonDriftCorrected)
	})

	It("publishes a new version with versionIncrement", func() {
		agent := sampleAgent(ns, "versioned")
		Expect(k8s.Create(ctx, agent)).To(Succeed())
		waitReady(ctx, agent)
		Expect(agent.Status.Version).To(Equal("1.0.0"))

		patch := client.MergeFrom(agent.DeepCopy())
		agent.Spec.Instructions = "New behaviour."
		agent.Spec.VersionIncrement = "minor"
		agent.Spec.VersionDescription = "Shorter answers"
		Expect(k8s.Patch(ctx, agent, patch)).To(Succeed())
		Eventually(func(g Gomega) {
			g.Expect(k8s.Get(ctx, client.ObjectKeyFromObject(agent), agent)).To(Succeed())
			g.Expect(agent.Status.Version).To(Equal("1.1.0"))
		}, timeout, poll).Should(Succeed())
		patches := requests(http.MethodPatch, "/v2/agents/versioned")
		Expect(patches).To(HaveLen(1))
		var body map[string]any
		Expect(json.Unmarshal(patches[0].Body, &body)).To(Succeed())
		Expect(body).To(Equal(map[string]any{"instructions": "New behaviour.", "versionIncrement": "minor", "versionDescription": "Shorter answers"}))
	})
})

// createRemote creates an agent directly in the in-memory API, as the orq studio or an earlier
// run would, from the request the operator would send for a (possibly edited).
func createRemote(a *orqv1alpha1.Agent, edit func(map[string]any)) map[string]any {
	GinkgoHelper()
	body, err := agentdiff.Desired(a)
	Expect(err).NotTo(HaveOccurred())
	if edit != nil {
		edit(body)
	}
	raw, err := json.Marshal(body)
	Expect(err).NotTo(HaveOccurred())
	req, err := http.NewRequest(http.MethodPost, orqURL+"/v2/agents", bytes.NewReader(raw))
	Expect(err).NotTo(HaveOccurred())
	req.Header.Set("Authorization", "Bearer "+suiteAPIKey)
	resp, err := http.DefaultClient.Do(req)
	Expect(err).NotTo(HaveOccurred())
	defer resp.Body.Close()
	Expect(resp.StatusCode).To(Equal(http.StatusCreated))
	var out map[string]any
	Expect(json.NewDecoder(resp.Body).Decode(&out)).To(Succeed())
	return out
}

// callsFor counts the recorded requests that concern one key.
func callsFor(key string) int {
	n := 0
	for _, r := range orqAPI.Requests() {
		if strings.HasSuffix(r.Path, "/"+key) || bytes.Contains(r.Body, []byte(`"key":"`+key+`"`)) {
			n++
		}
	}
	return n
}

// waitGone waits until the Agent no longer exists.
func waitGone(ctx context.Context, agent *orqv1alpha1.Agent) {
	GinkgoHelper()
	Eventually(func() bool {
		return apierrors.IsNotFound(k8s.Get(ctx, client.ObjectKeyFromObject(agent), &orqv1alpha1.Agent{}))
	}, timeout, poll).Should(BeTrue())
}

// waitStalled waits until the Agent is Stalled with this reason, and returns the condition.
func waitStalled(ctx context.Context, agent *orqv1alpha1.Agent, reason string) *metav1.Condition {
	GinkgoHelper()
	return waitCondition(ctx, agent, orqv1alpha1.ConditionStalled, metav1.ConditionTrue, reason)
}

// eventReasons returns the reasons of the events recorded about an Agent so far.
func eventReasons(ctx context.Context, agent *orqv1alpha1.Agent) []string {
	GinkgoHelper()
	var list eventsv1.EventList
	Expect(k8s.List(ctx, &list, client.InNamespace(agent.Namespace))).To(Succeed())
	var reasons []string
	for _, e := range list.Items {
		if e.Regarding.Name == agent.Name {
			reasons = append(reasons, e.Reason)
		}
	}
	return reasons
}

// eventuallyEvent waits for an event with this reason about the Agent (events are recorded
// asynchronously).
func eventuallyEvent(ctx context.Context, agent *orqv1alpha1.Agent, reason string) {
	GinkgoHelper()
	Eventually(func() []string { return eventReasons(ctx, agent) }, timeout, poll).Should(ContainElement(reason))
}
