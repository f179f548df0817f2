package export

import (
	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
	"github.com/orq-ai/orq-operator/internal/agentdiff"
	"github.com/orq-ai/orq-operator/internal/orqclient"
)

// agentExporter exports the agents, last: they name the other kinds.
var agentExporter = exporter{kind: "Agent", one: "agent", many: "agents", list: listAll(orqclient.Agents), export: exportAgents}

// exportAgents makes an Agent of each remote agent: its spec as agentdiff reads the agent back
// (server-only fields and the API's defaults left out), and what it names that is exported too
// named by reference (refs.go, team.go). An agent the Agent kind cannot read is left out.
func exportAgents(remotes []orqclient.Remote, done *exported) ([]Manifest, error) {
	names := newNamer("agent")
	var agents []*orqv1alpha1.Agent
	var out []Manifest
	for _, r := range remotes {
		spec, err := agentdiff.SpecFromRemote(r.Raw)
		if err != nil {
			done.skip("agent %s: %v", r.Key, err)
			continue
		}
		spec.AdoptionPolicy = orqv1alpha1.AdoptionPolicyAdopt
		a := &orqv1alpha1.Agent{TypeMeta: typeMeta("Agent"), ObjectMeta: done.meta(names.name(r.Key)), Spec: spec}
		linkTools(a, done)
		linkKnowledgeBases(a, done)
		linkMemoryStores(a, done)
		agents = append(agents, a)
		out = append(out, Manifest{Object: a, Key: r.Key, ID: r.ID})
	}
	linkTeams(agents)
	return out, nil
}
