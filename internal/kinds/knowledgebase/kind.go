// Package knowledgebase is the KnowledgeBase kind's adapter to the managed core: a knowledge base
// of a workspace (internal or external), created by POST /v2/knowledge and addressed by its id.
// Its content (datasources, chunks) is not managed here.
package knowledgebase

import (
	"context"

	"sigs.k8s.io/controller-runtime/pkg/client"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
	"github.com/orq-ai/orq-operator/internal/kinds/wire"
	"github.com/orq-ai/orq-operator/internal/managed"
	"github.com/orq-ai/orq-operator/internal/orqclient"
)

// Endpoint is the knowledge bases collection: addressed by id, each with a unique key; orq
// documents no 409 for a taken key, so a first create looks the key up first.
var Endpoint = orqclient.Endpoint{Kind: "knowledge base", Path: "/v2/knowledge", ByID: true}

// Kind is the KnowledgeBase kind.
type Kind struct{}

var (
	_ managed.Kind     = Kind{}
	_ managed.HeldByID = Kind{}
	_ managed.Reporter = Kind{}
)

func (Kind) Name() string                 { return "KnowledgeBase" }
func (Kind) New() managed.Object          { return &orqv1alpha1.KnowledgeBase{} }
func (Kind) NewList() client.ObjectList   { return &orqv1alpha1.KnowledgeBaseList{} }
func (Kind) Endpoint() orqclient.Endpoint { return Endpoint }
func (Kind) Finalizer() string            { return orqv1alpha1.FinalizerKnowledgeBase }

// HeldByID: an agent holds its knowledge bases by id.
func (Kind) HeldByID() {}

func (Kind) Items(l client.ObjectList) []managed.Object {
	return wire.Items(l.(*orqv1alpha1.KnowledgeBaseList).Items)
}

const apiKeyField = "spec.externalConfig.apiKeySecretRef"

// References lists the Secret of an external knowledge base's API key.
func (Kind) References(o managed.Object) []managed.Reference {
	k := o.(*orqv1alpha1.KnowledgeBase)
	if k.Spec.ExternalConfig == nil {
		return nil
	}
	return []managed.Reference{{Kind: "Secret", Namespace: k.Namespace, Name: k.Spec.ExternalConfig.APIKeySecretRef.Name, Field: apiKeyField}}
}

// Desired is the request of POST /v2/knowledge: an internal knowledge base with its embedding
// model and retrieval settings, or an external one with its API, the key read from its Secret.
func (Kind) Desired(ctx context.Context, in *managed.Inputs, o managed.Object) (managed.Desired, error) {
	k := o.(*orqv1alpha1.KnowledgeBase)
	s := k.Spec
	body := orqclient.Body{"key": k.RemoteKey(), "type": typeOf(k), "path": s.Path}
	if s.Description != "" {
		body["description"] = s.Description
	}
	if s.EmbeddingModel != "" {
		body["embedding_model"] = s.EmbeddingModel
	}
	if rs := s.RetrievalSettings; rs != nil {
		body["retrieval_settings"] = retrieval(rs)
	}
	if ec := s.ExternalConfig; ec != nil {
		key, ok := in.Secret(ctx, ec.APIKeySecretRef, apiKeyField, func(v string) any { return v })
		if !ok {
			return managed.Desired{}, nil
		}
		body["external_config"] = orqclient.Body{"name": ec.Name, "api_url": ec.APIURL, "api_key": key}
	}
	return managed.Desired{Body: body}, nil
}

func typeOf(k *orqv1alpha1.KnowledgeBase) string {
	if k.Spec.Type == "" {
		return "internal"
	}
	return k.Spec.Type
}

// retrieval is the request form of the retrieval settings.
func retrieval(rs *orqv1alpha1.RetrievalSettings) orqclient.Body {
	out := orqclient.Body{}
	set := func(k string, ok bool, v any) {
		if ok {
			out[k] = v
		}
	}
	set("retrieval_type", rs.RetrievalType != "", rs.RetrievalType)
	set("top_k", rs.TopK != nil, rs.TopK)
	set("threshold", rs.Threshold != nil, rs.Threshold)
	if rc := rs.RerankConfig; rc != nil {
		rerank := orqclient.Body{"rerank_model": rc.RerankModel}
		if rc.TopK != nil {
			rerank["top_k"] = rc.TopK
		}
		if rc.RerankThreshold != nil {
			rerank["rerank_threshold"] = rc.RerankThreshold
		}
		out["rerank_config"] = rerank
	}
	if ac := rs.AgenticRagConfig; ac != nil {
		out["agentic_rag_config"] = orqclient.Body{"model": ac.Model}
	}
	return out
}

// Report records the embedding model orq reports.
func (Kind) Report(o managed.Object, remote *orqclient.Remote, _ bool) {
	o.(*orqv1alpha1.KnowledgeBase).Status.Model, _ = remote.Raw["model"].(string)
}

// Patch sends the changed fields, with the type every update of a knowledge base carries (its
// update is a union by type).
func (Kind) Patch(_ managed.Object, desired managed.Desired, changed []string) orqclient.Body {
	return wire.Only(desired.Body, changed, "type")
}
