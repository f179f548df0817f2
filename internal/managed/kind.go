// Package managed is the reconcile core of every kind the operator manages: a pass through ordered
// steps over one scope (pass.go), one ownership proof used by create, adoption and deletion
// (ownership.go, marker.go), key conflicts, references and in-use blocking, drift sweeps, status
// computed and written once, and dry-run plans. It knows nothing of any kind: each kind is a thin
// adapter (a Kind, in internal/kinds/<kind>) that turns its spec into a request, compares it with
// an answer, and reports its own status fields. docs/architecture.md shows where each concern
// lives.
package managed

import (
	"context"
	"slices"

	"sigs.k8s.io/controller-runtime/pkg/client"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
	"github.com/orq-ai/orq-operator/internal/orqclient"
)

// Object is an object of a managed kind, as the API package defines it (api/v1alpha1/managed.go).
type Object interface {
	client.Object
	// RemoteKey is the key of the remote object ("" for a kind without keys).
	RemoteKey() string
	ManagedPolicies() orqv1alpha1.Policies
	// Suspended tells that the operator makes no call to orq for the object.
	Suspended() bool
	// CredentialsRef is the Secret of the object's API key; nil for the operator's own key (or,
	// for a kind with a parent, the parent's credentials).
	CredentialsRef() *orqv1alpha1.SecretKeyReference
	// ReferenceConsent lists the namespaces whose objects may reference this one ("*": all), besides
	// its own (spec.allowReferencesFrom).
	ReferenceConsent() []string
	// ManagedStatus is the part of the status the core fills.
	ManagedStatus() *orqv1alpha1.ResourceStatus
}

// Kind is what the core needs of one kind: its objects, its collection in orq, how its spec
// becomes a request, and how an answer compares with it. Optional abilities are interfaces of
// their own (Parented, Holder, Dropper, Observer, Planner).
type Kind interface {
	// Name is the kind's name in the API: "Agent", "Tool".
	Name() string
	// New returns an empty object of the kind, and NewList an empty list of them.
	New() Object
	NewList() client.ObjectList
	// Items returns the objects of a list made by NewList.
	Items(list client.ObjectList) []Object
	// Endpoint is the kind's collection in orq.
	Endpoint() orqclient.Endpoint
	// Finalizer keeps an object until its remote object is deleted or let go.
	Finalizer() string
	// References lists what the spec names: objects of managed kinds, Secrets, ConfigMaps.
	References(o Object) []Reference
	// Desired turns the spec into the request the remote object is to hold, reading what it
	// references through in. A reference that does not resolve yet is recorded by in, not
	// returned as an error; an error is a spec that cannot become a request (InvalidSpec).
	Desired(ctx context.Context, in *Inputs, o Object) (Desired, error)
	// Compare lists, sorted, the top-level fields (API names) in which the remote object differs
	// from the desired request, understanding how the API echoes it.
	Compare(desired orqclient.Body, remote *orqclient.Remote) []string
	// Patch is the update request that sends the changed fields.
	Patch(o Object, desired Desired, changed []string) orqclient.Body
}

// Desired is the request a spec asks for.
type Desired struct {
	// Body is the create request, values from Secrets held as Secret values (see secret.go).
	Body orqclient.Body
	// Parent is the key of the remote object this one lives under (a schedule's agent); "" for a
	// top-level collection.
	Parent string
}

// Reference is something a spec names.
type Reference struct {
	// Kind is a managed kind's Name, or "Secret" or "ConfigMap".
	Kind, Namespace, Name string
	// Field is where the spec names it, for messages: "spec.settings.tools[2].toolRef".
	Field string
	// Droppable tells that the referrer lets the target go by itself when the target is deleted
	// (an Agent drops a leaving team member, see Dropper): the target then waits only while the
	// referrer's remote object still holds it. Else it waits while the referrer names it at all.
	Droppable bool
}

// Key identifies a referenced object: "Kind/namespace/name".
func (r Reference) Key() string { return r.Kind + "/" + r.Namespace + "/" + r.Name }

// Parented is a kind whose remote objects live under another object's (a schedule under its
// agent): the parent gives the workspace, the credentials and the key of the collection.
type Parented interface {
	Parent(o Object) Reference
}

// Holder is a kind whose remote object holds other remote objects (an agent's tools, team members,
// knowledge bases and memory stores), as its status last reported them: a held object is not
// deleted from orq while a holder holds it.
type Holder interface {
	Holds(o Object) []Held
}

// Held is a remote object held by another, by kind and by key or id; by id only for a kind that
// is HeldByID.
type Held struct {
	Kind    string
	Key, ID string
}

// HeldByID is a kind whose remote objects a Holder may hold by id (an agent's knowledge bases and
// memory stores). Only such a kind's objects are indexed by the id they record (idIndex): for the
// other kinds that index would never be read, and would cost memory for each object.
type HeldByID interface {
	HeldByID()
}

// Reporter writes the kind's own status fields from a remote object (version, project,
// activity); the core fills the shared ones. It is called only when the remote object is the
// object's (claimed) or observed; wrote tells that this pass created or updated it.
type Reporter interface {
	Report(o Object, remote *orqclient.Remote, wrote bool)
}

// Creator is a kind whose create request is not its desired request whole (a schedule is created
// active, then deactivated by an update if its spec says so).
type Creator interface {
	CreateBody(desired orqclient.Body) orqclient.Body
}

// IDAdopter is a kind without keys whose objects name the remote object to adopt by its id, in
// the field IDField ("spec.scheduleId"; the object's RemoteKey).
type IDAdopter interface {
	IDField() string
}

// Unechoed is a kind whose remote objects do not echo some fields (a memory store's path): the
// core sends them whenever the spec changed since it was last applied, as it cannot compare them.
type Unechoed interface {
	UnechoedFields() []string
}

// Dropper is a kind whose remote object lets targets being deleted go by itself (an agent drops
// a leaving team member), instead of waiting for its spec to change.
type Dropper interface {
	// Drop returns the update request that removes the leaving targets from the remote object,
	// and what it removes; an empty list when the remote object holds none of them.
	Drop(remote *orqclient.Remote, leaving []Target) (orqclient.Body, []string)
}

// allowsReferencesFrom tells whether objects of namespace may reference target.
func allowsReferencesFrom(target Object, namespace string) bool {
	consent := target.ReferenceConsent()
	return target.GetNamespace() == namespace || slices.Contains(consent, "*") || slices.Contains(consent, namespace)
}
