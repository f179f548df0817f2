package export

import (
	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
)

// An Agent names the tools, knowledge bases and memory stores exported with it by reference, so
// that the operator creates them first and keeps them while the Agent uses them. A reference is
// written only where the operator resolves it to exactly what the remote agent holds (see
// internal/kinds/agent, references.go): the Agent's request is then the one orq answered, and
// applying it writes nothing. What the agent holds in another form stays as it is.

// linkTools names by toolRef each custom tool the agent holds by the key of an exported Tool of
// its type (a toolRef resolves to the Tool's key).
func linkTools(a *orqv1alpha1.Agent, done *exported) {
	for i, t := range a.Spec.Settings.Tools {
		m, ok := done.byKey("Tool", t.Key)
		if !ok || m.Object.(*orqv1alpha1.Tool).Spec.Type != t.Type {
			continue
		}
		a.Spec.Settings.Tools[i].Key = ""
		a.Spec.Settings.Tools[i].ToolRef = &orqv1alpha1.ObjectReference{Name: m.Object.GetName()}
	}
}

// linkKnowledgeBases names by knowledgeBaseRef each knowledge base the agent holds by the id of
// an exported KnowledgeBase (a knowledgeBaseRef resolves to the id). One held by its key stays a
// knowledgeId, and so does one whose KnowledgeBase only observes (it records no id to resolve to).
func linkKnowledgeBases(a *orqv1alpha1.Agent, done *exported) {
	for i, kb := range a.Spec.KnowledgeBases {
		m, ok := done.find("KnowledgeBase", func(m Manifest) bool { return kb.KnowledgeID != "" && m.ID == kb.KnowledgeID })
		if !ok || m.Object.(*orqv1alpha1.KnowledgeBase).Spec.ManagementPolicy == orqv1alpha1.ManagementPolicyObserve {
			continue
		}
		a.Spec.KnowledgeBases[i] = orqv1alpha1.AgentKnowledgeBase{KnowledgeBaseRef: &orqv1alpha1.ObjectReference{Name: m.Object.GetName()}}
	}
}

// linkMemoryStores moves to memoryStoreRefs the memory stores the agent holds by the key of an
// exported MemoryStore, as long as they end its list: the operator sends the stores of
// memoryStoreRefs after those of memoryStores, and orq keeps the order.
func linkMemoryStores(a *orqv1alpha1.Agent, done *exported) {
	stores := a.Spec.MemoryStores
	cut := len(stores)
	var refs []orqv1alpha1.ObjectReference
	for ; cut > 0; cut-- {
		m, ok := done.byKey("MemoryStore", stores[cut-1])
		if !ok {
			break
		}
		refs = append([]orqv1alpha1.ObjectReference{{Name: m.Object.GetName()}}, refs...)
	}
	if len(refs) == 0 {
		return
	}
	a.Spec.MemoryStoreRefs = refs
	a.Spec.MemoryStores = nil
	if cut > 0 {
		a.Spec.MemoryStores = stores[:cut]
	}
}
