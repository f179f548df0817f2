package export

import (
	"fmt"
	"math"

	"k8s.io/utils/ptr"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
	knowledgebasekind "github.com/orq-ai/orq-operator/internal/kinds/knowledgebase"
	"github.com/orq-ai/orq-operator/internal/orqclient"
)

// knowledgeBaseExporter exports the knowledge bases.
var knowledgeBaseExporter = exporter{kind: "KnowledgeBase", one: "knowledge base", many: "knowledge bases",
	list: listAll(knowledgebasekind.Endpoint), export: exportKnowledgeBases}

// The Secret key of an external knowledge base's API key.
const apiKeySecretKey = "apiKey"

// exportKnowledgeBases makes a KnowledgeBase of each remote knowledge base. An external one's API
// key, which orq never returns, comes from the Secret <name>-api-key; the KnowledgeBase then only
// observes, until its user has created the Secret.
func exportKnowledgeBases(remotes []orqclient.Remote, done *exported) ([]Manifest, error) {
	names := newNamer("knowledgebase")
	var out []Manifest
	for _, r := range remotes {
		name := names.name(r.Key)
		spec, err := knowledgeBaseSpec(r.Raw, name)
		if err != nil {
			done.skip("knowledge base %s: %v", r.Key, err)
			continue
		}
		kb := &orqv1alpha1.KnowledgeBase{TypeMeta: typeMeta("KnowledgeBase"), ObjectMeta: done.meta(name), Spec: spec}
		m := Manifest{Object: kb, Key: r.Key, ID: r.ID}
		if ec := spec.ExternalConfig; ec != nil {
			m.Notes = apiKeyNotes(ec.APIKeySecretRef, done.opts.Namespace)
		}
		out = append(out, m)
	}
	return out, nil
}

// knowledgeBaseSpec is the spec whose request is what orq echoes for the knowledge base: type
// internal (the default) left out, the embedding model orq echoes as `model`, the retrieval
// settings without orq's defaults.
func knowledgeBaseSpec(raw orqclient.Body, name string) (orqv1alpha1.KnowledgeBaseSpec, error) {
	s := orqv1alpha1.KnowledgeBaseSpec{Lifecycle: adopt()}
	s.Key, _ = raw["key"].(string)
	s.Path, _ = raw["path"].(string)
	s.Description, _ = raw["description"].(string)
	switch typ, _ := raw["type"].(string); typ {
	case "", "internal":
		s.EmbeddingModel, _ = raw["model"].(string)
		rs, err := retrievalSpec(raw["retrieval_settings"])
		if err != nil {
			return s, fmt.Errorf("retrieval_settings: %w", err)
		}
		s.RetrievalSettings = rs
	case "external":
		var ec struct {
			Name   string `json:"name"`
			APIURL string `json:"api_url"`
			// Never read: orq does not echo the key, and were it to, it stays out of the export.
			APIKey unread `json:"api_key"`
		}
		if err := decodeStrict(raw["external_config"], &ec); err != nil {
			return s, fmt.Errorf("external_config: %w", err)
		}
		s.Type, s.Lifecycle = typ, observe()
		s.ExternalConfig = &orqv1alpha1.ExternalKnowledgeConfig{Name: ec.Name, APIURL: ec.APIURL,
			APIKeySecretRef: orqv1alpha1.SecretKeyReference{Name: withSuffix(name, "-api-key"), Key: apiKeySecretKey}}
	default:
		return s, fmt.Errorf("of type %q, which the KnowledgeBase kind does not manage (internal, external)", typ)
	}
	return s, nil
}

// retrievalEcho is a knowledge base's retrieval settings as orq echoes them, its defaults filled.
type retrievalEcho struct {
	RetrievalType string   `json:"retrieval_type"`
	TopK          *float64 `json:"top_k"`
	Threshold     *float64 `json:"threshold"`
	RerankConfig  *struct {
		RerankModel     string   `json:"rerank_model"`
		TopK            *float64 `json:"top_k"`
		RerankThreshold *float64 `json:"rerank_threshold"`
	} `json:"rerank_config"`
	AgenticRagConfig *orqv1alpha1.AgenticRagConfig `json:"agentic_rag_config"`
}

// retrievalSpec is the spec of retrieval settings, without orq's defaults (hybrid search, top 5,
// threshold 0; a rerank's top 5 and threshold 0.5); nil when nothing else is left.
func retrievalSpec(v any) (*orqv1alpha1.RetrievalSettings, error) {
	if v == nil {
		return nil, nil
	}
	var echo retrievalEcho
	if err := decodeStrict(v, &echo); err != nil {
		return nil, err
	}
	rs := &orqv1alpha1.RetrievalSettings{AgenticRagConfig: echo.AgenticRagConfig}
	if echo.RetrievalType != "hybrid_search" {
		rs.RetrievalType = echo.RetrievalType
	}
	var err error
	if rs.TopK, err = count("top_k", unlessDefault(echo.TopK, 5)); err != nil {
		return nil, err
	}
	rs.Threshold = unlessDefault(echo.Threshold, 0)
	if rc := echo.RerankConfig; rc != nil {
		rs.RerankConfig = &orqv1alpha1.RerankConfig{RerankModel: rc.RerankModel, RerankThreshold: unlessDefault(rc.RerankThreshold, 0.5)}
		if rs.RerankConfig.TopK, err = count("rerank_config.top_k", unlessDefault(rc.TopK, 5)); err != nil {
			return nil, err
		}
	}
	if *rs == (orqv1alpha1.RetrievalSettings{}) {
		return nil, nil
	}
	return rs, nil
}

// unlessDefault is v, or nil when it is the default.
func unlessDefault(v *float64, def float64) *float64 {
	if v == nil || *v == def {
		return nil
	}
	return v
}

// count is a whole number of the answer as the spec holds it.
func count(field string, v *float64) (*int64, error) {
	if v == nil {
		return nil, nil
	}
	if *v != math.Trunc(*v) {
		return nil, fmt.Errorf("%s is %v, not a whole number", field, *v)
	}
	return ptr.To(int64(*v)), nil
}

// apiKeyNotes tell what to do before applying an external KnowledgeBase.
func apiKeyNotes(ref orqv1alpha1.SecretKeyReference, namespace string) []string {
	return []string{
		"Create Secret " + ref.Name + " first: orq never shows an external knowledge base's API key, so it is not exported; its key: " + ref.Key + ".",
		"  " + createSecretCommand(ref.Name, namespace, ref.Key),
		"managementPolicy Observe: the operator cannot compare the Secret with orq's API key. Remove it once the Secret holds the key; the operator then sends it once.",
	}
}
