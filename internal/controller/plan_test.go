package controller

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"sigs.k8s.io/controller-runtime/pkg/client"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
	"github.com/orq-ai/orq-operator/internal/manifest"
	"github.com/orq-ai/orq-operator/internal/orqclient"
	"github.com/orq-ai/orq-operator/internal/orqmem"
)

// planManifests are Agents as `kustomize build` would print them, one for each verdict: a new
// agent, one whose prompt changed in orq, one in step, one held by an agent this Agent may not
// adopt, a second Agent of a key (KeyConflict), and a team whose member is new too.
const planManifests = `
apiVersion: orq.ai/v1alpha1
kind: Agent
metadata: {name: plan-new}
spec: {role: Helper, description: New, instructions: Hello., path: Default/plan, model: {id: openai/gpt-4o}}
---
apiVersion: orq.ai/v1alpha1
kind: Agent
metadata: {name: plan-twin}
spec: {key: plan-new, role: Helper, description: Twin, instructions: Hi., path: Default/plan, model: {id: openai/gpt-4o}}
---
apiVersion: orq.ai/v1alpha1
kind: Agent
metadata: {name: plan-changed}
spec: {adoptionPolicy: Adopt, role: Helper, description: Changed, instructions: "Greet.\nAnswer in French.\n", path: Default/plan, model: {id: openai/gpt-4o}}
---
apiVersion: orq.ai/v1alpha1
kind: Agent
metadata: {name: plan-same}
spec: {adoptionPolicy: Adopt, role: Helper, description: Same, instructions: Be brief., path: Default/plan, model: {id: openai/gpt-4o}}
---
apiVersion: orq.ai/v1alpha1
kind: Agent
metadata: {name: plan-foreign}
spec: {role: Helper, description: Foreign, instructions: Mine., path: Default/plan, model: {id: openai/gpt-4o}}
---
apiVersion: orq.ai/v1alpha1
kind: Agent
metadata: {name: plan-lead}
spec:
  role: Lead
  description: Hands off
  instructions: Hand off.
  path: Default/plan
  model: {id: openai/gpt-4o}
  settings: {tools: [{type: retrieve_agents}, {type: call_sub_agent}]}
  teamOfAgents: [{agentRef: {name: plan-member}, role: Member}]
---
apiVersion: orq.ai/v1alpha1
kind: Agent
metadata: {name: plan-member}
spec: {role: Member, description: Member, instructions: Help., path: Default/plan, model: {id: openai/gpt-4o}}
`

var _ = Describe("manager plan", func() {
	It("plans, writing nothing, exactly what the operator then does", func() {
		ctx := context.Background()
		ns := newNamespace(ctx, "plan-")
		decoded, err := manifest.Decode(strings.NewReader(planManifests), "planManifests", ns)
		Expect(err).NotTo(HaveOccurred())
		Expect(decoded.Refused).To(BeEmpty())
		objs := decoded.Objects
		agents := map[string]*orqv1alpha1.Agent{}
		for _, o := range objs {
			agents[o.GetName()] = o.(*orqv1alpha1.Agent)
		}
		createRemote(agents["plan-changed"], func(b map[string]any) { b["instructions"] = "Greet.\nAnswer in English.\n" })
		createRemote(agents["plan-same"], nil)
		foreign := createRemote(agents["plan-foreign"], func(b map[string]any) { b["instructions"] = "Someone else's." })

		api, err := orqclient.New(orqclient.Options{BaseURL: orqURL, APIKey: suiteAPIKey, Timeout: 5 * time.Second})
		Expect(err).NotTo(HaveOccurred())
		before := len(orqAPI.Requests())
		// The cluster's state is known: none of these Agents is in it yet (what --live would read).
		plans, err := Plan(ctx, objs, api, PlanOptions{Live: true})
		Expect(err).NotTo(HaveOccurred())
		for _, r := range orqAPI.Requests()[before:] {
			Expect(r.Method).To(Equal(http.MethodGet), "a plan sent %s %s", r.Method, r.Path)
		}
		got := map[string]AgentPlan{}
		for _, p := range plans {
			got[p.Name] = p
		}
		Expect(got).To(HaveLen(len(agents)))
		expectVerdict(got["plan-new"], VerdictCreate, "")
		expectVerdict(got["plan-member"], VerdictCreate, "")
		expectVerdict(got["plan-lead"], VerdictCreate, "")
		expectVerdict(got["plan-same"], VerdictNoChange, "")
		expectVerdict(got["plan-changed"], VerdictUpdate, "")
		Expect(got["plan-changed"].Changed).To(Equal([]string{"instructions"}))
		Expect(got["plan-changed"].Texts).To(Equal([]TextChange{{Field: "instructions", Before: "Greet.\nAnswer in English.\n", After: "Greet.\nAnswer in French.\n"}}))
		expectVerdict(got["plan-foreign"], VerdictBlocked, orqv1alpha1.ReasonAdoptionRequired)
		expectVerdict(got["plan-twin"], VerdictBlocked, orqv1alpha1.ReasonKeyConflict)

		By("planning without the cluster's state: ownership not checked")
		unchecked, err := Plan(ctx, objs, api, PlanOptions{})
		Expect(err).NotTo(HaveOccurred())
		for _, p := range unchecked {
			switch p.Name {
			case "plan-foreign": // planned as the update it would be if this Agent held it
				expectVerdict(p, VerdictUpdate, "")
				Expect(p.Unverified).To(Equal("ownership not checked: no cluster state; use --live"))
			default:
				Expect(p).To(Equal(got[p.Name]), "only the agent whose ownership is unknown plans differently")
			}
		}

		By("applying the same manifests to the cluster")
		applied := len(orqAPI.Requests())
		for _, name := range []string{"plan-new", "plan-twin", "plan-changed", "plan-same", "plan-foreign", "plan-lead", "plan-member"} {
			a := agents[name].DeepCopy()
			a.UID = ""
			Expect(k8s.Create(ctx, a)).To(Succeed())
			agents[name] = a
		}
		for _, name := range []string{"plan-new", "plan-changed", "plan-same", "plan-lead", "plan-member"} {
			waitReady(ctx, agents[name])
		}
		waitStalled(ctx, agents["plan-foreign"], orqv1alpha1.ReasonAdoptionRequired)
		waitStalled(ctx, agents["plan-twin"], orqv1alpha1.ReasonKeyConflict)

		By("counting what the operator sent, key by key")
		sent := orqAPI.Requests()[applied:]
		for name, p := range got {
			posts, patches := sentFor(sent, http.MethodPost, p.Key), sentFor(sent, http.MethodPatch, p.Key)
			switch p.Verdict {
			case VerdictCreate:
				Expect(posts).To(HaveLen(1), "%s: one create", name)
				Expect(patches).To(BeEmpty(), "%s: no update", name)
			case VerdictUpdate:
				Expect(posts).To(BeEmpty(), "%s: no create", name)
				Expect(bodyKeys(patches)).To(ContainElement("instructions"), "%s: one update, of instructions", name)
			case VerdictNoChange:
				Expect(append(posts, patches...)).To(BeEmpty(), "%s: no write", name)
			case VerdictBlocked:
				Expect(patches).To(BeEmpty(), "%s: no update", name)
			}
			Expect(sentFor(sent, http.MethodDelete, p.Key)).To(BeEmpty(), "%s", name)
		}
		remote, _ := remoteAgent("plan-foreign")
		Expect(remote["instructions"]).To(Equal("Someone else's."))
		Expect(remote["_id"]).To(Equal(foreign["_id"]))
		Expect(k8s.Get(ctx, client.ObjectKeyFromObject(agents["plan-lead"]), agents["plan-lead"])).To(Succeed())
		Expect(agents["plan-lead"].Status.TeamKeys).To(Equal([]string{"plan-member"}))
	})
})

func expectVerdict(p AgentPlan, v Verdict, reason string) {
	GinkgoHelper()
	Expect(p.Verdict).To(Equal(v), "%s: %s: %s", p.Name, p.Reason, p.Message)
	Expect(p.Reason).To(Equal(reason), "%s", p.Name)
}

// sentFor returns the requests of one method about one key: by path, or by the key of a create
// (its own, not a team member's).
func sentFor(reqs []orqmem.Request, method, key string) []orqmem.Request {
	var out []orqmem.Request
	for _, r := range reqs {
		var body struct {
			Key string `json:"key"`
		}
		created := r.Path == "/v2/agents" && json.Unmarshal(r.Body, &body) == nil && body.Key == key
		if r.Method == method && (r.Path == "/v2/agents/"+key || created) {
			out = append(out, r)
		}
	}
	return out
}
