package resilience

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
	"github.com/orq-ai/orq-operator/internal/managed"
	"github.com/orq-ai/orq-operator/internal/orqclient"
	"github.com/orq-ai/orq-operator/internal/orqmem"
)

const (
	timeout = 30 * time.Second
	poll    = 100 * time.Millisecond
)

var _ = Describe("Resilience", func() {
	var (
		ctx context.Context
		ns  string
	)

	BeforeEach(func() {
		ctx = context.Background()
		n := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{GenerateName: "resilience-"}}
		Expect(k8s.Create(ctx, n)).To(Succeed())
		ns = n.Name
		orqAPI.ClearFaults()
		orqAPI.SetLatency(0)
		orqAPI.ResetRequests()
	})

	It("with two replicas, only the leader writes to orq; the other takes over when it goes", func() {
		a := startManager(managerOptions{apiKey: "replica-a", leaderElect: true})
		b := startManager(managerOptions{apiKey: "replica-b", leaderElect: true})
		replicas := map[string]*runningManager{"replica-a": a, "replica-b": b}
		defer func() {
			for _, m := range replicas {
				m.stop()
			}
		}()

		agents := []*orqv1alpha1.Agent{newAgent(ns, "le-one"), newAgent(ns, "le-two"), newAgent(ns, "le-three")}
		for _, agent := range agents {
			Expect(k8s.Create(ctx, agent)).To(Succeed())
		}
		for _, agent := range agents {
			waitReady(ctx, agent)
		}
		tokens := tokensFor("le-")
		Expect(tokens).To(HaveLen(1), "all calls come from one replica: %v", tokens)
		var leader string
		for t := range tokens {
			leader = t
		}

		replicas[leader].stop()
		delete(replicas, leader)
		orqAPI.ResetRequests()
		patch := client.MergeFrom(agents[0].DeepCopy())
		agents[0].Spec.Instructions = "After the fail-over."
		Expect(k8s.Patch(ctx, agents[0], patch)).To(Succeed())
		Eventually(func() any { r, _ := remote("le-one"); return r["instructions"] }, timeout, poll).Should(Equal("After the fail-over."))
		tokens = tokensFor("le-")
		Expect(tokens).To(HaveLen(1))
		Expect(tokens).NotTo(HaveKey(leader), "the new leader writes")
	})

	DescribeTable("a crash at any point of create, update and delete ends in the right state",
		func(point crashPoint, changedWhileDown bool) {
			key := "crash-" + string(point)
			if changedWhileDown {
				key += "-changed"
			}
			crasher := newCrashingAPI(point, key)
			m1 := startManager(managerOptions{apiKey: "crash", wrap: crasher.wrap})
			agent := newAgent(ns, key)
			Expect(k8s.Create(ctx, agent)).To(Succeed())
			switch point {
			case afterUpdate:
				waitReady(ctx, agent)
				patch := client.MergeFrom(agent.DeepCopy())
				agent.Spec.Instructions = "Updated."
				Expect(k8s.Patch(ctx, agent, patch)).To(Succeed())
			case afterDelete:
				waitReady(ctx, agent)
				Expect(k8s.Delete(ctx, agent)).To(Succeed())
			}
			Eventually(crasher.crashed, timeout).Should(BeClosed(), "the crash point was reached")
			m1.stop() // the manager dies with the call answered and nothing recorded after it
			close(crasher.release)
			if changedWhileDown {
				// And the spec moves on while no operator runs: the agent is no longer identical.
				Expect(k8s.Get(ctx, client.ObjectKeyFromObject(agent), agent)).To(Succeed())
				patch := client.MergeFrom(agent.DeepCopy())
				agent.Spec.Instructions = "Changed while the operator was down."
				Expect(k8s.Patch(ctx, agent, patch)).To(Succeed())
			}

			m2 := startManager(managerOptions{apiKey: "crash"})
			defer m2.stop()
			if point == afterDelete {
				waitGone(ctx, agent)
				_, ok := remote(key)
				Expect(ok).To(BeFalse(), "the deletion is not lost")
				return
			}
			if changedWhileDown {
				// The create's answer was lost and the agent no longer equals any body this Agent
				// can prove it sent: a person decides (here: adopt it), the operator never guesses.
				waitStalledOn(ctx, agent, orqv1alpha1.ReasonAdoptionRequired)
				r, _ := remote(key)
				Expect(r["instructions"]).NotTo(Equal("Changed while the operator was down."), "untouched while stalled")
				patch := client.MergeFrom(agent.DeepCopy())
				agent.Spec.AdoptionPolicy = orqv1alpha1.AdoptionPolicyAdopt
				Expect(k8s.Patch(ctx, agent, patch)).To(Succeed())
			}
			waitReady(ctx, agent)
			r, ok := remote(key)
			Expect(ok).To(BeTrue())
			Expect(agent.Status.ID).To(Equal(r["_id"]))
			Expect(meta.FindStatusCondition(agent.Status.Conditions, orqv1alpha1.ConditionStalled)).To(BeNil(), "its own create is not refused as foreign")
			if point == afterUpdate {
				Expect(r["instructions"]).To(Equal("Updated."))
			}
			if changedWhileDown {
				Expect(r["instructions"]).To(Equal("Changed while the operator was down."))
			}
			// No orphan: deleting the Agent removes the agent it created.
			Expect(k8s.Delete(ctx, agent)).To(Succeed())
			waitGone(ctx, agent)
			_, ok = remote(key)
			Expect(ok).To(BeFalse())
		},
		Entry("after the finalizer, before the POST", beforeCreate, false),
		Entry("after the POST, before the status write", afterCreate, false),
		Entry("after the POST, and the spec changed while down", afterCreate, true),
		Entry("after the PATCH, before the status write", afterUpdate, false),
		Entry("after the DELETE, before the finalizer is removed", afterDelete, false),
	)

	It("converges after a storm of 500s, 429s and timeouts, with a bounded number of calls", func() {
		const n = 30
		m := startManager(managerOptions{apiKey: "storm", limiter: orqclient.NewLimiter(50, 10), timeout: 500 * time.Millisecond, workers: 4})
		defer m.stop()

		phases := []struct {
			name  string
			fault orqmem.Fault
			span  time.Duration
		}{
			{"half of all calls answer 500", orqmem.Fault{Status: http.StatusInternalServerError, Every: 2}, 3 * time.Second},
			{"every call answers 429, Retry-After 1s", orqmem.Fault{Status: http.StatusTooManyRequests, RetryAfter: time.Second}, 2 * time.Second},
			{"every call takes 1s, beyond the 500ms timeout", orqmem.Fault{Latency: time.Second}, 2 * time.Second},
		}
		orqAPI.AddFault(phases[0].fault)
		var agents []*orqv1alpha1.Agent
		for i := range n {
			agent := newAgent(ns, fmt.Sprintf("storm-%02d", i))
			Expect(k8s.Create(ctx, agent)).To(Succeed())
			agents = append(agents, agent)
		}
		counts := make([]int, len(phases))
		for i, phase := range phases {
			if i > 0 {
				orqAPI.ClearFaults()
				orqAPI.AddFault(phase.fault)
			}
			before := len(orqAPI.Requests())
			time.Sleep(phase.span)
			counts[i] = len(orqAPI.Requests()) - before
		}
		orqAPI.ClearFaults()
		outage := 0
		for _, c := range counts {
			outage += c
		}

		for _, agent := range agents {
			waitReady(ctx, agent)
		}
		Expect(remoteKeys("storm-")).To(HaveLen(n), "every agent exists once")

		fmt.Fprintf(GinkgoWriter, "\nStorm: %d agents, 4 workers, backoff 1s..5m, client limit 50/s\n", n)
		fmt.Fprintf(GinkgoWriter, "%-48s %8s %10s\n", "phase", "calls", "per agent")
		for i, phase := range phases {
			fmt.Fprintf(GinkgoWriter, "%-48s %8d %10.2f\n", phase.name+" ("+phase.span.String()+")", counts[i], float64(counts[i])/n)
		}
		fmt.Fprintf(GinkgoWriter, "%-48s %8d %10.2f\n", "whole outage (7s)", outage, float64(outage)/n)
		AddReportEntry("storm calls during the outage", outage)

		// Bounded: exponential backoff, and the 429 gate shared by every worker.
		Expect(outage).To(BeNumerically("<=", 8*n), "calls during the outage")
		Expect(counts[1]).To(BeNumerically("<=", 3*4), "inside 429 windows only the workers waiting at the gate's reopening try again")

		for _, agent := range agents {
			Expect(k8s.Delete(ctx, agent)).To(Succeed())
		}
		for _, agent := range agents {
			waitGone(ctx, agent)
		}
		Expect(remoteKeys("storm-")).To(BeEmpty(), "no remote agent is leaked")
	})

	It("restarts with synced agents without reading them one by one, and corrects what changed meanwhile", func() {
		const n = 20
		m := startManager(managerOptions{apiKey: "restart", workers: 4})
		var agents []*orqv1alpha1.Agent
		for i := range n {
			agent := newAgent(ns, fmt.Sprintf("restart-%02d", i))
			Expect(k8s.Create(ctx, agent)).To(Succeed())
			agents = append(agents, agent)
		}
		for _, agent := range agents {
			waitReady(ctx, agent)
		}
		m.stop()
		Expect(orqAPI.MutateAgent("restart-07", func(a map[string]any) { a["role"] = "changed while the operator was down" })).To(BeTrue())
		orqAPI.ResetRequests()

		m = startManager(managerOptions{apiKey: "restart", workers: 4})
		defer m.stop()
		Eventually(func() any { a, _ := orqAPI.Agent("restart-07"); return a["role"] }, 10*time.Second, 100*time.Millisecond).
			Should(Equal(agents[7].Spec.Role), "the first sweep, at start, finds the change")
		time.Sleep(time.Second)
		perAgent, lists := 0, 0
		for _, r := range orqAPI.Requests() {
			switch {
			case r.Path == "/v2/agents" && r.Method == http.MethodGet:
				lists++
			case strings.HasPrefix(r.Path, "/v2/agents/restart-") && r.Path != "/v2/agents/restart-07":
				perAgent++
			}
		}
		fmt.Fprintf(GinkgoWriter, "\nRestart with %d synced agents: %d list pages, %d requests about unchanged agents\n", n, lists, perAgent)
		Expect(perAgent).To(BeZero(), "unchanged agents are neither read nor written after a restart")
		Expect(lists).To(BeNumerically(">=", 1))
		patches := 0
		for _, r := range orqAPI.Requests() {
			if r.Method == http.MethodPatch && r.Path == "/v2/agents/restart-07" {
				patches++
			}
		}
		Expect(patches).To(Equal(1), "one PATCH puts the changed agent back")
	})

	It("never lets the API key reach logs, events, status or errors, whatever the error", func() {
		const key = "sk-LEAKCHECK-0123456789abcdef"
		logs := &syncBuffer{}
		m := startManager(managerOptions{apiKey: key, logs: logs, timeout: 300 * time.Millisecond})
		defer m.stop()

		scenarios := []struct {
			name   string
			setup  func()
			reason string
		}{
			{"400 echoing the key", func() {
				orqAPI.AddFault(orqmem.Fault{Method: http.MethodPost, Status: http.StatusBadRequest, Message: "bad body sent with " + key})
			}, orqv1alpha1.ReasonAPIRejected},
			{"500 echoing the key", func() {
				orqAPI.AddFault(orqmem.Fault{Method: http.MethodPost, Status: http.StatusInternalServerError, Message: "upstream failed for Bearer " + key})
			}, orqv1alpha1.ReasonAPIUnavailable},
			{"401", func() { orqAPI.SetAPIKeys("another-key") }, orqv1alpha1.ReasonUnauthorized},
			{"429 echoing the key", func() {
				orqAPI.AddFault(orqmem.Fault{Method: http.MethodPost, Status: http.StatusTooManyRequests, RetryAfter: time.Second, Message: key})
			}, orqv1alpha1.ReasonRateLimited},
			{"timeout", func() { orqAPI.AddFault(orqmem.Fault{Method: http.MethodPost, Latency: time.Second}) }, orqv1alpha1.ReasonAPIUnavailable},
		}
		for i, sc := range scenarios {
			By(sc.name)
			sc.setup()
			agent := newAgent(ns, fmt.Sprintf("leak-%d", i))
			Expect(k8s.Create(ctx, agent)).To(Succeed())
			Eventually(func(g Gomega) {
				g.Expect(k8s.Get(ctx, client.ObjectKeyFromObject(agent), agent)).To(Succeed())
				ready := meta.FindStatusCondition(agent.Status.Conditions, orqv1alpha1.ConditionReady)
				g.Expect(ready).NotTo(BeNil())
				g.Expect(ready.Reason).To(Equal(sc.reason))
			}, timeout, poll).Should(Succeed())
			orqAPI.ClearFaults()
			orqAPI.SetAPIKeys()
		}

		var agents orqv1alpha1.AgentList
		Expect(k8s.List(ctx, &agents, client.InNamespace(ns))).To(Succeed())
		statuses, err := json.Marshal(agents)
		Expect(err).NotTo(HaveOccurred())
		Expect(string(statuses)).To(ContainSubstring("[redacted]"), "the echoed key was replaced")
		Expect(string(statuses)).NotTo(ContainSubstring(key))
		Eventually(func(g Gomega) {
			var events eventsv1.EventList
			g.Expect(k8s.List(ctx, &events, client.InNamespace(ns))).To(Succeed())
			g.Expect(events.Items).NotTo(BeEmpty())
			raw, _ := json.Marshal(events)
			g.Expect(string(raw)).NotTo(ContainSubstring(key))
		}, timeout, poll).Should(Succeed())
		Expect(logs.String()).To(ContainSubstring("leak-0"), "the logs were captured")
		Expect(logs.String()).NotTo(ContainSubstring(key))
	})
})

func newAgent(ns, name string) *orqv1alpha1.Agent {
	return &orqv1alpha1.Agent{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: orqv1alpha1.AgentSpec{
			Role: "Support", Description: "Answers questions", Instructions: "Help {{customer}}.",
			Path: "Default Project/support", Model: orqv1alpha1.ModelConfig{ID: "openai/gpt-4o"},
			Settings: orqv1alpha1.AgentSettings{Tools: []orqv1alpha1.AgentTool{{Type: "current_date"}}},
		},
	}
}

func waitReady(ctx context.Context, agent *orqv1alpha1.Agent) {
	GinkgoHelper()
	Eventually(func(g Gomega) {
		g.Expect(k8s.Get(ctx, client.ObjectKeyFromObject(agent), agent)).To(Succeed())
		g.Expect(meta.IsStatusConditionTrue(agent.Status.Conditions, orqv1alpha1.ConditionReady)).To(BeTrue())
		g.Expect(agent.Status.ObservedGeneration).To(Equal(agent.Generation))
	}, timeout, poll).Should(Succeed())
}

func waitGone(ctx context.Context, agent *orqv1alpha1.Agent) {
	GinkgoHelper()
	Eventually(func() bool {
		return apierrors.IsNotFound(k8s.Get(ctx, client.ObjectKeyFromObject(agent), &orqv1alpha1.Agent{}))
	}, timeout, poll).Should(BeTrue())
}

// remote returns the stored agent, decoded as a client would.
func remote(key string) (map[string]any, bool) {
	a, ok := orqAPI.Agent(key)
	if !ok {
		return nil, false
	}
	raw, _ := json.Marshal(a)
	var out map[string]any
	_ = json.Unmarshal(raw, &out)
	return out, true
}

func remoteKeys(prefix string) []string {
	var out []string
	for _, k := range orqAPI.Keys() {
		if strings.HasPrefix(k, prefix) {
			out = append(out, k)
		}
	}
	return out
}

// tokensFor returns the bearer tokens of the recorded requests about keys with this prefix.
func tokensFor(prefix string) map[string]int {
	out := map[string]int{}
	for _, r := range orqAPI.Requests() {
		if strings.Contains(r.Path, "/"+prefix) || strings.Contains(string(r.Body), `"key":"`+prefix) {
			out[r.Token]++
		}
	}
	return out
}

// crashPoint is where a crashingAPI stops the world.
type crashPoint string

const (
	beforeCreate crashPoint = "before-create"
	afterCreate  crashPoint = "after-create"
	afterUpdate  crashPoint = "after-update"
	afterDelete  crashPoint = "after-delete"
)

var errCrashed = errors.New("the manager crashed here")

// crashingAPI passes calls through, and at its crash point (for one key, once) blocks the
// reconcile there until the test has stopped the manager: what was sent is sent, nothing after it
// is recorded.
type crashingAPI struct {
	managed.API
	point   crashPoint
	key     string
	once    sync.Once
	crashed chan struct{}
	release chan struct{}
}

func newCrashingAPI(point crashPoint, key string) *crashingAPI {
	return &crashingAPI{point: point, key: key, crashed: make(chan struct{}), release: make(chan struct{})}
}

func (c *crashingAPI) wrap(api managed.API) managed.API {
	c.API = api
	return c
}

// crashHere blocks the first time it is reached, then reports the crash.
func (c *crashingAPI) crashHere(point crashPoint, key string) error {
	if point != c.point || key != c.key {
		return nil
	}
	first := false
	c.once.Do(func() { first = true; close(c.crashed) })
	if !first {
		return nil
	}
	<-c.release
	return errCrashed
}

func (c *crashingAPI) Create(ctx context.Context, e orqclient.Endpoint, parent string, body orqclient.Body) (*orqclient.Remote, error) {
	key, _ := body["key"].(string)
	if err := c.crashHere(beforeCreate, key); err != nil {
		return nil, err
	}
	a, err := c.API.Create(ctx, e, parent, body)
	if err == nil {
		if cerr := c.crashHere(afterCreate, key); cerr != nil {
			return nil, cerr
		}
	}
	return a, err
}

func (c *crashingAPI) Update(ctx context.Context, e orqclient.Endpoint, parent, key string, body orqclient.Body) (*orqclient.Remote, error) {
	a, err := c.API.Update(ctx, e, parent, key, body)
	if err == nil {
		if cerr := c.crashHere(afterUpdate, key); cerr != nil {
			return nil, cerr
		}
	}
	return a, err
}

func (c *crashingAPI) Delete(ctx context.Context, e orqclient.Endpoint, parent, key string) error {
	err := c.API.Delete(ctx, e, parent, key)
	if err == nil {
		if cerr := c.crashHere(afterDelete, key); cerr != nil {
			return cerr
		}
	}
	return err
}

// waitStalledOn waits until the Agent is Stalled with this reason.
func waitStalledOn(ctx context.Context, agent *orqv1alpha1.Agent, reason string) {
	GinkgoHelper()
	Eventually(func(g Gomega) {
		g.Expect(k8s.Get(ctx, client.ObjectKeyFromObject(agent), agent)).To(Succeed())
		c := meta.FindStatusCondition(agent.Status.Conditions, orqv1alpha1.ConditionStalled)
		g.Expect(c).NotTo(BeNil())
		g.Expect(c.Reason).To(Equal(reason), c.Message)
	}, timeout, poll).Should(Succeed())
}
