package agent

import (
	"context"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
	"github.com/orq-ai/orq-operator/internal/agentdiff"
	"github.com/orq-ai/orq-operator/internal/managed"
)

// References lists what an Agent's spec names: its team members (which it lets go by itself when
// they are deleted), its tools, knowledge bases and memory stores, and the ConfigMaps of its
// prompts.
func (Kind) References(o managed.Object) []managed.Reference {
	a := o.(*orqv1alpha1.Agent)
	ns := func(n string) string {
		if n == "" {
			return a.Namespace
		}
		return n
	}
	var out []managed.Reference
	for i, m := range a.Spec.TeamOfAgents {
		if m.AgentRef != nil {
			out = append(out, managed.Reference{Kind: "Agent", Namespace: ns(m.AgentRef.Namespace), Name: m.AgentRef.Name,
				Field: field("spec.teamOfAgents", i, "agentRef"), Droppable: true})
		}
	}
	for i, t := range a.Spec.Settings.Tools {
		if t.ToolRef != nil {
			out = append(out, managed.Reference{Kind: "Tool", Namespace: ns(t.ToolRef.Namespace), Name: t.ToolRef.Name,
				Field: field("spec.settings.tools", i, "toolRef")})
		}
	}
	for i, kb := range a.Spec.KnowledgeBases {
		if kb.KnowledgeBaseRef != nil {
			out = append(out, managed.Reference{Kind: "KnowledgeBase", Namespace: ns(kb.KnowledgeBaseRef.Namespace), Name: kb.KnowledgeBaseRef.Name,
				Field: field("spec.knowledgeBases", i, "knowledgeBaseRef")})
		}
	}
	for i, m := range a.Spec.MemoryStoreRefs {
		out = append(out, managed.Reference{Kind: "MemoryStore", Namespace: ns(m.Namespace), Name: m.Name,
			Field: field("spec.memoryStoreRefs", i, "name")})
	}
	// In a fixed order: the watches compare lists to tell whether the references changed.
	for _, p := range []struct {
		field string
		from  *orqv1alpha1.PromptSource
	}{{"spec.instructionsFrom", a.Spec.InstructionsFrom}, {"spec.systemPromptFrom", a.Spec.SystemPromptFrom}} {
		if p.from != nil {
			out = append(out, managed.Reference{Kind: "ConfigMap", Namespace: a.Namespace, Name: p.from.ConfigMapKeyRef.Name, Field: p.field})
		}
	}
	return out
}

// Desired turns the spec into the request of POST /v2/agents: the prompts read from their
// ConfigMaps, each reference replaced by what orq knows it by (a member's and a tool's key, a
// knowledge base's id, a memory store's key). orq then sees the same request as for a spec that
// names them inline, and so echoes the same. Nothing is built while a reference does not resolve:
// in records why.
func (Kind) Desired(ctx context.Context, in *managed.Inputs, o managed.Object) (managed.Desired, error) {
	a := o.(*orqv1alpha1.Agent).DeepCopy()
	resolvePrompts(ctx, in, a)
	resolveTeam(ctx, in, a)
	resolveTools(ctx, in, a)
	resolveKnowledgeBases(ctx, in, a)
	resolveMemoryStores(ctx, in, a)
	if in.Failed() {
		return managed.Desired{}, nil
	}
	body, err := agentdiff.Desired(a)
	return managed.Desired{Body: body}, err
}

func resolvePrompts(ctx context.Context, in *managed.Inputs, a *orqv1alpha1.Agent) {
	if from := a.Spec.InstructionsFrom; from != nil {
		if text, ok := in.ConfigMap(ctx, from.ConfigMapKeyRef, "spec.instructionsFrom"); ok {
			a.Spec.Instructions, a.Spec.InstructionsFrom = text, nil
		}
	}
	if from := a.Spec.SystemPromptFrom; from != nil {
		ref := from.ConfigMapKeyRef
		text, ok := in.ConfigMap(ctx, ref, "spec.systemPromptFrom")
		switch {
		case !ok:
		case text == "": // orq refuses an empty system prompt; the ConfigMap is what must change
			in.Wait("prompt ConfigMap not ready: ConfigMap %s/%s key %q (spec.systemPromptFrom) is empty", a.Namespace, ref.Name, ref.Key)
		default:
			a.Spec.SystemPrompt, a.Spec.SystemPromptFrom = &text, nil
		}
	}
}

func resolveTeam(ctx context.Context, in *managed.Inputs, a *orqv1alpha1.Agent) {
	for i, m := range a.Spec.TeamOfAgents {
		if m.AgentRef == nil {
			continue
		}
		if t, ok := in.Object(ctx, ref(a, "Agent", m.AgentRef.Namespace, m.AgentRef.Name, field("spec.teamOfAgents", i, "agentRef"))); ok {
			a.Spec.TeamOfAgents[i] = orqv1alpha1.TeamMember{Key: t.Key, Role: m.Role}
		}
	}
}

func resolveTools(ctx context.Context, in *managed.Inputs, a *orqv1alpha1.Agent) {
	for i, tool := range a.Spec.Settings.Tools {
		if tool.ToolRef == nil {
			continue
		}
		f := field("spec.settings.tools", i, "toolRef")
		t, ok := in.Object(ctx, ref(a, "Tool", tool.ToolRef.Namespace, tool.ToolRef.Name, f))
		if !ok {
			continue
		}
		if typ := t.Object.(*orqv1alpha1.Tool).Spec.Type; typ != tool.Type {
			in.Mismatch("%s names Tool %s/%s, of type %s, for a tool of type %s", f, t.Object.GetNamespace(), t.Object.GetName(), typ, tool.Type)
			continue
		}
		a.Spec.Settings.Tools[i].Key, a.Spec.Settings.Tools[i].ToolRef = t.Key, nil
	}
}

func resolveKnowledgeBases(ctx context.Context, in *managed.Inputs, a *orqv1alpha1.Agent) {
	for i, kb := range a.Spec.KnowledgeBases {
		if kb.KnowledgeBaseRef == nil {
			continue
		}
		f := field("spec.knowledgeBases", i, "knowledgeBaseRef")
		t, ok := in.Object(ctx, ref(a, "KnowledgeBase", kb.KnowledgeBaseRef.Namespace, kb.KnowledgeBaseRef.Name, f))
		if !ok {
			continue
		}
		if t.ID == "" && !in.Lenient() {
			// Ready under managementPolicy Observe, which records no id: there is nothing to name
			// (review 2, S5). A deletion proving its lost create rebuilds what was sent, as it was.
			in.Mismatch("%s names KnowledgeBase %s/%s, which records no id (managementPolicy Observe): manage it, or name its knowledge base by knowledgeId",
				f, t.Object.GetNamespace(), t.Object.GetName())
			continue
		}
		a.Spec.KnowledgeBases[i] = orqv1alpha1.AgentKnowledgeBase{KnowledgeID: t.ID}
	}
}

func resolveMemoryStores(ctx context.Context, in *managed.Inputs, a *orqv1alpha1.Agent) {
	for i, m := range a.Spec.MemoryStoreRefs {
		if t, ok := in.Object(ctx, ref(a, "MemoryStore", m.Namespace, m.Name, field("spec.memoryStoreRefs", i, "name"))); ok {
			a.Spec.MemoryStores = append(a.Spec.MemoryStores, t.Key)
		}
	}
	a.Spec.MemoryStoreRefs = nil
}

// ref is a reference of the Agent a: in its namespace when namespace is empty.
func ref(a *orqv1alpha1.Agent, kind, namespace, name, field string) managed.Reference {
	if namespace == "" {
		namespace = a.Namespace
	}
	return managed.Reference{Kind: kind, Namespace: namespace, Name: name, Field: field}
}
