package controller

import (
	"github.com/orq-ai/orq-operator/internal/orqclient"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
)

// pass is the scope of one reconcile of one Agent: what its steps read and what they found. Steps
// fill it in order; none writes status: status.go computes it once, from the pass, at the end.
type pass struct {
	// agent is the Agent as read, with the metadata this pass wrote (finalizer, create marker).
	agent *orqv1alpha1.Agent
	// stored is the status as read: the deferred status write compares with it.
	stored orqv1alpha1.AgentStatus
	// pending is the body hash of an earlier create whose outcome is unknown, as the pass
	// found it (see marker.go); "" for none.
	pending string
	// woken: a drift sweep saw the remote agent change, so the pass reads it whatever status says.
	woken bool

	// owner is another Agent that holds the key (KeyConflict), or nil.
	owner *orqv1alpha1.Agent
	// api is the client of the Agent's workspace, and apiKeyHash identifies its key.
	api        AgentAPI
	apiKeyHash string
	// refs is how the team's agentRefs resolved (nil: the team has none, or not looked at).
	refs *refsResult
	// prompted is a copy of the Agent, its team resolved, with its prompts read from their
	// ConfigMaps (see prompts.go); nil when its prompts are inline.
	prompted *orqv1alpha1.Agent
	// desired is the request the spec asks for (team resolved), and hash its agentdiff.Hash.
	desired orqclient.Body
	hash    string

	// remote is the last observation of the agent at the key; ownedID is the id of the one this
	// Agent may manage (created, recognised or adopted in this pass, or recorded before).
	remote  *observation
	ownedID string
	// wrote tells whether this pass created or updated the remote agent.
	wrote bool
	// users are the Agents whose teams still hold the agent of an Agent being deleted.
	users []string

	// end says how the pass ended, and err what failed when it did.
	end ending
	err error
}

// ending is how a pass ended; status.go reports each.
type ending int

const (
	// endSynced: the remote agent is this Agent's; remote says how it compares with the spec.
	endSynced ending = iota
	// endInSync: status already shows this spec applied; nothing was read, nothing changes.
	endInSync
	// endObserved: managementPolicy Observe read the remote agent (remote nil: it does not exist).
	endObserved
	// endKeyConflict: owner holds the key.
	endKeyConflict
	// endSuspended: spec.suspend.
	endSuspended
	// endFailed: err says why.
	endFailed
	// endInUse: being deleted, but other Agents' teams still hold the agent (p.users).
	endInUse
	// endReleased: the finalizer is gone; the Agent with it.
	endReleased
)

// done ends the pass as end says.
func (p *pass) done(end ending) error {
	p.end = end
	return errPassDone
}

// specAgent is the Agent whose spec the request is built from: with its team and its prompts
// resolved, as far as the pass got.
func (p *pass) specAgent() *orqv1alpha1.Agent {
	switch {
	case p.prompted != nil:
		return p.prompted
	case p.refs != nil && p.refs.resolved != nil:
		return p.refs.resolved
	default:
		return p.agent
	}
}

// owned tells whether the remote agent observed is the one this Agent may manage.
func (p *pass) owned() bool {
	return p.remote != nil && p.ownedID != "" && p.remote.id == p.ownedID
}
