// Package agent is the Agent kind's adapter to the managed core: its spec becomes the request of
// POST /v2/agents (internal/agentdiff), with its team members, tools, knowledge bases and memory
// stores named by reference resolved to the keys and ids of their remote objects, and its prompts
// read from ConfigMaps.
package agent

import (
	"fmt"

	"sigs.k8s.io/controller-runtime/pkg/client"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
	"github.com/orq-ai/orq-operator/internal/agentdiff"
	"github.com/orq-ai/orq-operator/internal/managed"
	"github.com/orq-ai/orq-operator/internal/orqclient"
)

// Kind is the Agent kind.
type Kind struct{}

var (
	_ managed.Kind     = Kind{}
	_ managed.Holder   = Kind{}
	_ managed.Dropper  = Kind{}
	_ managed.Reporter = Kind{}
	_ managed.Planner  = Kind{}
)

func (Kind) Name() string                 { return "Agent" }
func (Kind) New() managed.Object          { return &orqv1alpha1.Agent{} }
func (Kind) NewList() client.ObjectList   { return &orqv1alpha1.AgentList{} }
func (Kind) Endpoint() orqclient.Endpoint { return orqclient.Agents }
func (Kind) Finalizer() string            { return orqv1alpha1.FinalizerName }
func (Kind) Items(l client.ObjectList) []managed.Object {
	items := l.(*orqv1alpha1.AgentList).Items
	out := make([]managed.Object, len(items))
	for i := range items {
		out[i] = &items[i]
	}
	return out
}

// TextFields are the prompts: a plan shows their changes as line diffs.
func (Kind) TextFields() []string { return []string{"instructions", "system_prompt"} }

// Compare lists the top-level fields in which a remote agent differs from the request, as
// agentdiff understands the API's echo.
func (Kind) Compare(desired orqclient.Body, remote *orqclient.Remote) []string {
	return agentdiff.Diff(desired, agentdiff.Observed(remote.Raw))
}

// Report records what the remote agent is and holds: its project, version, status, team, tools,
// knowledge bases and memory stores, as orq reports them.
func (Kind) Report(o managed.Object, remote *orqclient.Remote, wrote bool) {
	agent := o.(*orqv1alpha1.Agent)
	st := &agent.Status
	a := orqclient.DecodeAgent(remote.Raw)
	recordRelease(agent, a.Version, wrote)
	st.ProjectID, st.Version, st.RemoteStatus, st.TeamKeys = a.ProjectID, a.Version, a.Status, a.TeamKeys
	st.ToolKeys, st.KnowledgeBaseIDs, st.MemoryStores = holds(remote.Raw)
}

// Holds lists what the remote agent holds, as its status last reported it.
func (Kind) Holds(o managed.Object) []managed.Held {
	st := o.(*orqv1alpha1.Agent).Status
	var out []managed.Held
	for _, k := range st.TeamKeys {
		out = append(out, managed.Held{Kind: "Agent", Key: k})
	}
	for _, k := range st.ToolKeys {
		out = append(out, managed.Held{Kind: "Tool", Key: k})
	}
	for _, id := range st.KnowledgeBaseIDs {
		out = append(out, managed.Held{Kind: "KnowledgeBase", ID: id})
	}
	for _, m := range st.MemoryStores { // "accepts both memory store IDs and keys"
		out = append(out, managed.Held{Kind: "MemoryStore", Key: m, ID: m})
	}
	return out
}

// Drop removes from the remote team the members whose Agents are being deleted: an orchestrator
// lets a leaving member go by itself.
func (Kind) Drop(remote *orqclient.Remote, leaving []managed.Target) (orqclient.Body, []string) {
	var keys []string
	for _, t := range leaving {
		if t.Ref.Kind == "Agent" {
			keys = append(keys, t.Key)
		}
	}
	if len(keys) == 0 {
		return nil, nil
	}
	return agentdiff.WithoutMembers(remote.Raw, keys)
}

// holds reads the custom tool keys, knowledge base ids and memory stores of a remote agent.
func holds(raw orqclient.Body) (tools, knowledgeBases, memoryStores []string) {
	if settings, ok := raw["settings"].(map[string]any); ok {
		list, _ := settings["tools"].([]any)
		for _, t := range list {
			if tool, ok := t.(map[string]any); ok {
				if k, _ := tool["key"].(string); k != "" {
					tools = append(tools, k)
				}
			}
		}
	}
	kbs, _ := raw["knowledge_bases"].([]any)
	for _, k := range kbs {
		if kb, ok := k.(map[string]any); ok {
			if id, _ := kb["knowledge_id"].(string); id != "" {
				knowledgeBases = append(knowledgeBases, id)
			}
		}
	}
	stores, _ := raw["memory_stores"].([]any)
	for _, m := range stores {
		if s, ok := m.(string); ok && s != "" {
			memoryStores = append(memoryStores, s)
		}
	}
	return tools, knowledgeBases, memoryStores
}

// field names a list entry of the spec in messages: spec.settings.tools[2].toolRef.
func field(path string, i int, member string) string {
	return fmt.Sprintf("%s[%d].%s", path, i, member)
}
