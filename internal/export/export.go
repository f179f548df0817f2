// Package export turns the objects of an orq.ai workspace into manifests of the operator's kinds
// (MemoryStores, KnowledgeBases, Tools, Agents, AgentSchedules), so that an existing workspace can be brought
// under GitOps: applied to a cluster, the manifests adopt the remote objects as they are, without
// a single write to orq. Each kind has its exporter, in a file of its own; an Agent names the
// objects exported with it by reference (refs.go, team.go).
package export

import (
	"context"
	"fmt"
	"sort"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
	"github.com/orq-ai/orq-operator/internal/orqclient"
)

// Lister lists every member of a collection of a workspace.
type Lister interface {
	ListAll(ctx context.Context, e orqclient.Endpoint, parent string) ([]orqclient.Remote, error)
}

var _ Lister = (*orqclient.Client)(nil)

// Options say what the manifests hold beyond what orq returns.
type Options struct {
	// Namespace is written into each manifest; "" writes none.
	Namespace string
	// MemoryStorePath is the spec.path of every MemoryStore: orq does not return a memory
	// store's path (see memorystore.go).
	MemoryStorePath string
}

// Manifest is one exported object, and what must be done before it is applied.
type Manifest struct {
	// Object is a *Agent, *Tool, *KnowledgeBase, *MemoryStore or *AgentSchedule, its apiVersion
	// and kind set.
	Object client.Object
	// Key and ID identify its remote object (a schedule has no key).
	Key, ID string
	// Notes say what to create or check before applying it (a Secret orq never shows the value
	// of); they are written as comments above it.
	Notes []string
}

// Kind is the kind of the manifest's object.
func (m Manifest) Kind() string { return m.Object.GetObjectKind().GroupVersionKind().Kind }

// Result is an export: the manifests, in the order in which the kinds are exported, and the
// remote objects left out, each with why.
type Result struct {
	Manifests []Manifest
	Skipped   []string
}

// exporter exports the remote objects of one kind.
type exporter struct {
	kind      string // of the manifests: "Tool"
	one, many string // in the summary: "tool", "tools"
	// list reads the remote objects. A kind nested under another (an agent's schedules) lists
	// under each object exported before it, found in done.
	list func(ctx context.Context, l Lister, done *exported) ([]orqclient.Remote, error)
	// export makes the manifests of the remote objects, which come sorted by key. done holds
	// what the kinds before it exported, which its objects may name by reference.
	export func(remotes []orqclient.Remote, done *exported) ([]Manifest, error)
}

// exporters run in this order, which is the order of the output: a kind comes after the kinds
// its objects name, so that a stream applied in order creates what is named first (the operator
// does not need it: an Agent waits for what it names). The AgentSchedule exporter comes last, and
// lists the schedules under each Agent in done.
var exporters = []exporter{memoryStoreExporter, knowledgeBaseExporter, toolExporter, agentExporter, scheduleExporter}

// Manifests exports every object of the workspace, kind by kind: each with spec.key set to its
// key, adoptionPolicy Adopt, server-only fields and the API's defaults left out, and a name
// derived from its key, unique in its kind.
func Manifests(ctx context.Context, l Lister, o Options) (*Result, error) {
	done := &exported{opts: o}
	for _, e := range exporters {
		remotes, err := e.list(ctx, l, done)
		if err != nil {
			return nil, fmt.Errorf("listing the %s: %w", e.many, err)
		}
		sort.SliceStable(remotes, func(i, j int) bool { return remotes[i].Key < remotes[j].Key })
		ms, err := e.export(remotes, done)
		if err != nil {
			return nil, err
		}
		done.manifests = append(done.manifests, ms...)
	}
	return &Result{Manifests: done.manifests, Skipped: done.skipped}, nil
}

// Summary counts the manifests of each kind: "2 memory stores, 1 knowledge base, 0 tools, 3
// agents, 1 schedule".
func (r *Result) Summary() string {
	var parts []string
	for _, e := range exporters {
		n := 0
		for _, m := range r.Manifests {
			if m.Kind() == e.kind {
				n++
			}
		}
		noun := e.many
		if n == 1 {
			noun = e.one
		}
		parts = append(parts, fmt.Sprintf("%d %s", n, noun))
	}
	return strings.Join(parts, ", ")
}

// listAll lists a top-level collection.
func listAll(e orqclient.Endpoint) func(context.Context, Lister, *exported) ([]orqclient.Remote, error) {
	return func(ctx context.Context, l Lister, _ *exported) ([]orqclient.Remote, error) {
		return l.ListAll(ctx, e, "")
	}
}

// exported is the state of one export: the options, and what the kinds exported so far.
type exported struct {
	opts      Options
	manifests []Manifest
	skipped   []string
}

// find returns the manifest of a kind whose remote object matches.
func (d *exported) find(kind string, match func(Manifest) bool) (Manifest, bool) {
	for _, m := range d.manifests {
		if m.Kind() == kind && match(m) {
			return m, true
		}
	}
	return Manifest{}, false
}

// byKey returns the manifest of a kind whose remote object has this key.
func (d *exported) byKey(kind, key string) (Manifest, bool) {
	return d.find(kind, func(m Manifest) bool { return key != "" && m.Key == key })
}

// skip records a remote object left out, and why.
func (d *exported) skip(format string, args ...any) {
	d.skipped = append(d.skipped, fmt.Sprintf(format, args...))
}

// meta is the metadata of an exported object.
func (d *exported) meta(name string) metav1.ObjectMeta {
	return metav1.ObjectMeta{Name: name, Namespace: d.opts.Namespace}
}

// typeMeta is the apiVersion and kind of an exported object.
func typeMeta(kind string) metav1.TypeMeta {
	return metav1.TypeMeta{APIVersion: orqv1alpha1.GroupVersion.String(), Kind: kind}
}

// adopt is the lifecycle of an exported object: it takes its remote object over as it is.
func adopt() orqv1alpha1.Lifecycle {
	return orqv1alpha1.Lifecycle{Policies: orqv1alpha1.Policies{AdoptionPolicy: orqv1alpha1.AdoptionPolicyAdopt}}
}

// observe is the lifecycle of an exported object that holds what orq never shows (a Secret's
// value, a memory store's path): it adopts, but only observes until its user has checked it, as
// the operator would otherwise send what it cannot compare at once.
func observe() orqv1alpha1.Lifecycle {
	l := adopt()
	l.ManagementPolicy = orqv1alpha1.ManagementPolicyObserve
	return l
}
