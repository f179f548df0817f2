package controller

import (
	"context"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"sigs.k8s.io/controller-runtime/pkg/client"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
	"github.com/orq-ai/orq-operator/internal/managed"
)

// conformanceFixture is what the conformance specs (conformance_*_test.go) need to know of one
// kind: how to build a valid object, where its remote object lives in the in-memory API, and where
// the kind legitimately differs. A kind registered in Kinds() without a fixture here fails the
// suite: adding a kind means adding one entry to conformanceFixtures.
type conformanceFixture struct {
	// prepare creates in ns what an object named name needs before it can be Ready (a schedule's
	// Agent); nil when it needs nothing.
	prepare func(ctx context.Context, ns, name, key string)
	// build returns a valid object named name in ns, whose remote key is key (a kind without keys
	// ignores it).
	build func(ns, name, key string) managed.Object
	// parent is the key of the remote object o's remote object lives under; "" for a top-level
	// collection.
	parent func(o managed.Object) string
	// inspect reads, and mutate edits as the orq studio would, the remote object at addr (its key
	// or id, as the kind's collection addresses its members).
	inspect func(addr string) (map[string]any, bool)
	mutate  func(addr string, f func(map[string]any)) bool
	// field is a top-level API field the spec sets, want its value in a built object, and edit
	// sets it in the spec to another value.
	field, want string
	edit        func(o managed.Object, value string)
	// patchKeys are the top-level keys of the one update an edit of field sends: field, and what
	// every update of the kind carries.
	patchKeys []string
	// seedForeign makes, outside Kubernetes, a remote object where o's would go, whose field
	// differs from the spec, and returns its id. A kind without keys names it by that id in o's
	// spec, as `manager export` writes it.
	seedForeign func(o managed.Object) string
	// sameKey makes second (in first's namespace) claim the place of first's remote object.
	sameKey func(first, second managed.Object)
	// referrer is an object named name in ns that names the object target and so keeps it InUse;
	// nil when no kind references this one.
	referrer func(ns, name, key, target string) client.Object
	// suspendSends is nil when spec.suspend stops every call to orq; else the keys of the one
	// update suspending sends.
	suspendSends []string
	// knownBugs marks specs (specKeyConflict) Pending, with the bug that fails them: each one is
	// an open bug to fix, never a difference of the kind.
	knownBugs map[string]string
}

// conformanceFixtures holds the fixture of every kind of Kinds(), by its name. (The in-memory API
// starts with the suite: its methods are called through closures.)
var conformanceFixtures = map[string]*conformanceFixture{
	"Agent": {
		build: func(ns, name, key string) managed.Object {
			a := sampleAgent(ns, name)
			a.Spec.Key = key
			return a
		},
		inspect:   func(key string) (map[string]any, bool) { return remoteAgent(key) },
		mutate:    func(key string, f func(map[string]any)) bool { return orqAPI.MutateAgent(key, f) },
		field:     "role",
		want:      "Customer support",
		edit:      func(o managed.Object, v string) { o.(*orqv1alpha1.Agent).Spec.Role = v },
		patchKeys: []string{"role"},
		seedForeign: func(o managed.Object) string {
			a := o.(*orqv1alpha1.Agent)
			remote := createRemote(a, func(b map[string]any) { b["role"] = foreignValue })
			return remote["_id"].(string)
		},
		sameKey: func(first, second managed.Object) {
			second.(*orqv1alpha1.Agent).Spec.Key = first.RemoteKey()
		},
		// A schedule lives under its Agent's agent: the Agent is InUse while it has one.
		referrer: func(ns, name, _, target string) client.Object { return weeklySchedule(ns, name, target) },
	},
	"Tool": {
		build: func(ns, name, key string) managed.Object {
			t := functionTool(ns, name)
			t.Spec.Key = key
			return t
		},
		inspect: func(id string) (map[string]any, bool) { return orqAPI.Tool(id) },
		mutate:  func(id string, f func(map[string]any)) bool { return orqAPI.MutateTool(id, f) },
		field:   "description",
		want:    "Looks up an order",
		edit:    func(o managed.Object, v string) { o.(*orqv1alpha1.Tool).Spec.Description = v },
		// Every update of a tool carries its type (the update is a union by type).
		patchKeys: []string{"description", "type"},
		seedForeign: func(o managed.Object) string {
			return seedOrFail(orqAPI.SeedTool(`{"key":"` + o.RemoteKey() +
				`","description":"` + foreignValue + `","type":"function","path":"Default/tools","function":{"name":"lookup_order","strict":false}}`))
		},
		sameKey: func(first, second managed.Object) { second.(*orqv1alpha1.Tool).Spec.Key = first.RemoteKey() },
		referrer: func(ns, name, key, target string) client.Object {
			a := sampleAgent(ns, name)
			a.Spec.Key = key
			a.Spec.Settings.Tools = []orqv1alpha1.AgentTool{{Type: "function", ToolRef: &orqv1alpha1.ObjectReference{Name: target}}}
			return a
		},
	},
	"KnowledgeBase": {
		build: func(ns, name, key string) managed.Object {
			k := internalKB(ns, name)
			k.Spec.Key, k.Spec.Description = key, "Answers to frequent questions"
			return k
		},
		inspect: func(id string) (map[string]any, bool) { return orqAPI.KnowledgeBase(id) },
		mutate:  func(id string, f func(map[string]any)) bool { return orqAPI.MutateKnowledgeBase(id, f) },
		field:   "description",
		want:    "Answers to frequent questions",
		edit:    func(o managed.Object, v string) { o.(*orqv1alpha1.KnowledgeBase).Spec.Description = v },
		// Every update of a knowledge base carries its type (the update is a union by type).
		patchKeys: []string{"description", "type"},
		seedForeign: func(o managed.Object) string {
			return seedOrFail(orqAPI.SeedKnowledgeBase(`{"key":"` + o.RemoteKey() +
				`","type":"internal","description":"` + foreignValue + `","embedding_model":"openai/text-embedding-3-small",` +
				`"path":"Default/knowledge","retrieval_settings":{"top_k":8}}`))
		},
		sameKey: func(first, second managed.Object) { second.(*orqv1alpha1.KnowledgeBase).Spec.Key = first.RemoteKey() },
		referrer: func(ns, name, key, target string) client.Object {
			a := sampleAgent(ns, name)
			a.Spec.Key = key
			a.Spec.KnowledgeBases = []orqv1alpha1.AgentKnowledgeBase{{KnowledgeBaseRef: &orqv1alpha1.ObjectReference{Name: target}}}
			return a
		},
	},
	"MemoryStore": {
		build: func(ns, name, key string) managed.Object {
			m := memoryStore(ns, name)
			m.Spec.Key = key
			return m
		},
		inspect: func(key string) (map[string]any, bool) { return orqAPI.MemoryStore(key) },
		mutate:  func(key string, f func(map[string]any)) bool { return orqAPI.MutateMemoryStore(key, f) },
		// orq does not echo a memory store's path: drift is made and seen in description, and
		// path, which cannot be compared, is sent again with any change of the spec (Unechoed).
		field:     "description",
		want:      "What each customer prefers",
		edit:      func(o managed.Object, v string) { o.(*orqv1alpha1.MemoryStore).Spec.Description = v },
		patchKeys: []string{"description", "path"},
		seedForeign: func(o managed.Object) string {
			return seedOrFail(orqAPI.SeedMemoryStore(`{"key":"` + o.RemoteKey() +
				`","description":"` + foreignValue + `","embedding_config":{"model":"openai/text-embedding-3-small"},"path":"Default"}`))
		},
		sameKey: func(first, second managed.Object) { second.(*orqv1alpha1.MemoryStore).Spec.Key = first.RemoteKey() },
		referrer: func(ns, name, key, target string) client.Object {
			a := sampleAgent(ns, name)
			a.Spec.Key = key
			a.Spec.MemoryStoreRefs = []orqv1alpha1.ObjectReference{{Name: target}}
			return a
		},
	},
	"AgentSchedule": {
		// A schedule lives under an Agent of its namespace: each object gets an Agent of its own.
		prepare: func(ctx context.Context, ns, name, key string) {
			GinkgoHelper()
			a := sampleAgent(ns, scheduleAgent(name))
			a.Spec.Key = key + "_agent"
			Expect(k8s.Create(ctx, a)).To(Succeed())
			waitReady(ctx, a)
		},
		build: func(ns, name, _ string) managed.Object {
			return weeklySchedule(ns, name, scheduleAgent(name))
		},
		parent:    scheduleParent,
		inspect:   func(id string) (map[string]any, bool) { return orqAPI.Schedule(id) },
		mutate:    func(id string, f func(map[string]any)) bool { return orqAPI.MutateSchedule(id, f) },
		field:     "display_name",
		want:      "Weekly report",
		edit:      func(o managed.Object, v string) { o.(*orqv1alpha1.AgentSchedule).Spec.DisplayName = v },
		patchKeys: []string{"display_name"},
		// A schedule has no key: the foreign schedule is named by id, in spec.scheduleId.
		seedForeign: func(o managed.Object) string {
			id := seedOrFail(orqAPI.SeedSchedule(scheduleParent(o), `{"type":"cron","expression":"0 0 9 * * 1",`+
				`"display_name":"`+foreignValue+`","payload":{"input":"Write the weekly report","variables":{"region":"EMEA"}}}`))
			o.(*orqv1alpha1.AgentSchedule).Spec.ScheduleID = id
			return id
		},
		// Without keys, two schedules claim one place by naming one schedule: the second names,
		// by spec.scheduleId, the schedule the first one created.
		sameKey: func(first, second managed.Object) {
			f, s := first.(*orqv1alpha1.AgentSchedule), second.(*orqv1alpha1.AgentSchedule)
			s.Spec.AgentRef, s.Spec.ScheduleID = f.Spec.AgentRef, f.Status.ID
		},
		// Nothing references a schedule: no kind names one, so it is never InUse.
		referrer: nil,
		// spec.suspend deactivates a schedule in orq (is_active false) rather than stopping the
		// calls: the one update suspending sends.
		suspendSends: []string{"is_active"},
	},
}

// foreignValue is field's value in a remote object seeded outside Kubernetes: the one way it
// differs from the spec.
const foreignValue = "made in the studio"

// scheduleAgent names the Agent of the schedule name.
func scheduleAgent(name string) string { return name + "-agent" }

// scheduleParent is the key of the agent a schedule lives under.
func scheduleParent(o managed.Object) string {
	GinkgoHelper()
	a := &orqv1alpha1.Agent{}
	ref := client.ObjectKey{Namespace: o.GetNamespace(), Name: o.(*orqv1alpha1.AgentSchedule).Spec.AgentRef.Name}
	Expect(k8s.Get(context.Background(), ref, a)).To(Succeed())
	return a.RemoteKey()
}

// seedOrFail is the id of a remote object seeded in the in-memory API.
func seedOrFail(doc map[string]any, err error) string {
	GinkgoHelper()
	Expect(err).NotTo(HaveOccurred())
	id, _ := doc["_id"].(string)
	Expect(id).NotTo(BeEmpty())
	return id
}
