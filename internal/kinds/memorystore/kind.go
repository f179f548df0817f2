// Package memorystore is the MemoryStore kind's adapter to the managed core: a memory store of a
// workspace, created by POST /v2/memory-stores and addressed by its key. Its memories are not
// managed here.
package memorystore

import (
	"context"

	"sigs.k8s.io/controller-runtime/pkg/client"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
	"github.com/orq-ai/orq-operator/internal/kinds/wire"
	"github.com/orq-ai/orq-operator/internal/managed"
	"github.com/orq-ai/orq-operator/internal/orqclient"
)

// Endpoint is the memory stores collection: addressed by key; orq documents no 409 for a taken
// key, so a first create looks the key up first.
var Endpoint = orqclient.Endpoint{Kind: "memory store", Path: "/v2/memory-stores"}

// Kind is the MemoryStore kind.
type Kind struct{}

var (
	_ managed.Kind     = Kind{}
	_ managed.HeldByID = Kind{}
	_ managed.Unechoed = Kind{}
)

func (Kind) Name() string                 { return "MemoryStore" }
func (Kind) New() managed.Object          { return &orqv1alpha1.MemoryStore{} }
func (Kind) NewList() client.ObjectList   { return &orqv1alpha1.MemoryStoreList{} }
func (Kind) Endpoint() orqclient.Endpoint { return Endpoint }
func (Kind) Finalizer() string            { return orqv1alpha1.FinalizerMemoryStore }

// HeldByID: an agent holds its memory stores (by id or by key) by id too.
func (Kind) HeldByID() {}

func (Kind) Items(l client.ObjectList) []managed.Object {
	return wire.Items(l.(*orqv1alpha1.MemoryStoreList).Items)
}

// References: a memory store names nothing.
func (Kind) References(managed.Object) []managed.Reference { return nil }

// Desired is the request of POST /v2/memory-stores. ttl is always sent (null when unset), so that
// removing it from the spec removes it in orq.
func (Kind) Desired(_ context.Context, _ *managed.Inputs, o managed.Object) (managed.Desired, error) {
	m := o.(*orqv1alpha1.MemoryStore)
	return managed.Desired{Body: orqclient.Body{
		"key": m.RemoteKey(), "description": m.Spec.Description, "path": m.Spec.Path,
		"embedding_config": orqclient.Body{"model": m.Spec.EmbeddingConfig.Model}, "ttl": m.Spec.TTL,
	}}, nil
}

// Compare lists the fields in which a remote memory store differs. orq does not echo path: a
// memory store moved in the orq studio is not seen (see UnechoedFields).
func (Kind) Compare(desired orqclient.Body, remote *orqclient.Remote) []string {
	return wire.Changed(desired, remote.Raw, []string{"key", "description", "embedding_config", "ttl"}, nil)
}

// UnechoedFields: path is sent whenever the spec changed since it was last applied.
func (Kind) UnechoedFields() []string { return []string{"path"} }

// Patch sends the changed fields: the update takes description, ttl and path.
func (Kind) Patch(_ managed.Object, desired managed.Desired, changed []string) orqclient.Body {
	return wire.Only(desired.Body, changed)
}
