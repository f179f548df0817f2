package controller

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
)

// maxMessage bounds a condition message (the API allows 32768), so that no API answer or list
// of Agents can make a status write be refused for size.
const maxMessage = 2048

// status computes the Agent's status from the pass, once: each field is assigned here and only
// here, from what the steps found.
func (r *AgentReconciler) status(p *pass) orqv1alpha1.AgentStatus {
	st := *p.stored.DeepCopy()
	s := statusWriter{st: &st, generation: p.agent.Generation}
	if p.agent.DeletionTimestamp.IsZero() {
		st.Key = p.agent.RemoteKey()
		s.refs(p)
		if p.end == endSuspended {
			s.set(orqv1alpha1.ConditionSuspended, metav1.ConditionTrue, orqv1alpha1.ReasonSuspended, "spec.suspend is true: no calls to orq until it is false again")
		} else {
			s.remove(orqv1alpha1.ConditionSuspended)
		}
	}
	if p.apiKeyHash != "" {
		st.APIKeyHash = p.apiKeyHash
	}
	if p.ownedID != "" {
		st.ID = p.ownedID
	}
	if p.remote != nil && (p.owned() || p.end == endObserved) {
		st.ProjectID, st.Version, st.RemoteStatus, st.TeamKeys = p.remote.projectID, p.remote.version, p.remote.status, p.remote.teamKeys
	}
	switch p.end {
	case endSynced, endObserved:
		r.synced(p, s)
	case endKeyConflict:
		s.stalled(orqv1alpha1.ReasonKeyConflict, fmt.Sprintf("orq agent key %q is managed by Agent %s/%s, which is older; this Agent takes over when that one no longer holds it",
			p.agent.RemoteKey(), p.owner.Namespace, p.owner.Name))
	case endSuspended:
		s.remove(orqv1alpha1.ConditionReconciling)
		st.ObservedGeneration = p.agent.Generation
	case endInUse:
		msg := fmt.Sprintf("orq agent %q is in the team of Agent %s; it is deleted once they no longer use it", p.agent.RemoteKey(), listSome(p.users))
		s.set(orqv1alpha1.ConditionReady, metav1.ConditionFalse, orqv1alpha1.ReasonInUse, msg)
		s.set(orqv1alpha1.ConditionReconciling, metav1.ConditionTrue, orqv1alpha1.ReasonInUse, msg)
	case endFailed:
		s.failed(p)
		unsynced(p, s)
	}
	return st
}

// unsynced reports, for a failed pass, what it compared: the fields in which the remote agent it
// read differs, and Synced=False when they differ or when its spec was never applied (orq refused
// it, or the pass failed before it could apply it). A pass that compared nothing of a spec applied
// before leaves them as they were.
func unsynced(p *pass, s statusWriter) {
	compared := p.remote != nil && p.owned()
	if compared {
		s.st.PendingChanges = p.remote.changed
	}
	if (compared && !p.remote.upToDate()) || (p.hash != "" && p.hash != p.stored.AppliedHash) {
		c := classify(p.err)
		s.set(orqv1alpha1.ConditionSynced, metav1.ConditionFalse, c.reason, "the spec is not applied: "+p.err.Error())
		if !compared {
			s.st.PendingChanges = nil // not compared: unknown, not "none"
		}
	}
}

// synced reports a remote agent compared with the spec: Ready (it exists), Synced when it
// matches, else the fields that differ; an observed agent that does not exist stalls.
func (r *AgentReconciler) synced(p *pass, s statusWriter) {
	st := s.st
	st.ObservedGeneration = p.agent.Generation
	if p.remote == nil { // Observe, and there is nothing at the key: not by the operator's doing
		msg := fmt.Sprintf("orq agent %q does not exist; managementPolicy Observe does not create it", p.agent.RemoteKey())
		s.set(orqv1alpha1.ConditionSynced, metav1.ConditionFalse, orqv1alpha1.ReasonRemoteNotFound, msg)
		s.stalled(orqv1alpha1.ReasonRemoteNotFound, msg)
		st.PendingChanges = nil
		return
	}
	if p.wrote || st.LastSyncTime == nil || p.stored.ObservedGeneration != p.agent.Generation {
		now := metav1.NewTime(r.now().Truncate(time.Second))
		st.LastSyncTime = &now
	}
	st.PendingChanges = p.remote.changed
	st.LastHandledReconcileAt = p.agent.Annotations[orqv1alpha1.AnnotationReconcileRequestedAt]
	st.AppliedHash, st.RemoteUpdated = p.hash, p.remote.updated
	fields := strings.Join(p.remote.changed, ", ")
	ready := "The orq agent exists and matches the spec"
	switch {
	case p.remote.upToDate():
		s.set(orqv1alpha1.ConditionSynced, metav1.ConditionTrue, orqv1alpha1.ReasonSynced, "The orq agent matches the spec")
	case p.end == endObserved:
		s.set(orqv1alpha1.ConditionSynced, metav1.ConditionFalse, orqv1alpha1.ReasonDrifted, "managementPolicy Observe: the orq agent differs from the spec in: "+fields)
		ready = "The orq agent exists; the Synced condition says how it differs from the spec"
	default:
		s.set(orqv1alpha1.ConditionSynced, metav1.ConditionFalse, orqv1alpha1.ReasonNotConverging, "orq.ai keeps these fields different from the spec after an update: "+fields)
		ready = "The orq agent exists; the Synced condition says how it differs from the spec"
	}
	s.set(orqv1alpha1.ConditionReady, metav1.ConditionTrue, orqv1alpha1.ReasonSynced, ready)
	s.remove(orqv1alpha1.ConditionReconciling)
	if p.end == endSynced && !p.remote.upToDate() {
		// orq answered the PATCH with an agent that still differs. Patching again would not
		// help: wait for the spec or the remote agent to change.
		s.set(orqv1alpha1.ConditionStalled, metav1.ConditionTrue, orqv1alpha1.ReasonNotConverging, meta.FindStatusCondition(st.Conditions, orqv1alpha1.ConditionSynced).Message)
	} else {
		s.remove(orqv1alpha1.ConditionStalled)
	}
}

// statusWriter sets the conditions of one status, at one generation.
type statusWriter struct {
	st         *orqv1alpha1.AgentStatus
	generation int64
}

func (s statusWriter) set(typ string, status metav1.ConditionStatus, reason, msg string) {
	meta.SetStatusCondition(&s.st.Conditions, metav1.Condition{
		Type: typ, Status: status, Reason: reason, Message: bounded(msg), ObservedGeneration: s.generation,
	})
}

func (s statusWriter) remove(typ string) { meta.RemoveStatusCondition(&s.st.Conditions, typ) }

// stalled reports that nothing progresses until something changes: kstatus reads it as Failed,
// at this generation.
func (s statusWriter) stalled(reason, msg string) {
	s.set(orqv1alpha1.ConditionReady, metav1.ConditionFalse, reason, msg)
	s.set(orqv1alpha1.ConditionStalled, metav1.ConditionTrue, reason, msg)
	s.remove(orqv1alpha1.ConditionReconciling)
	s.st.ObservedGeneration = s.generation
}

// progressing reports that the operator is still working, or waiting, towards the spec.
func (s statusWriter) progressing(reason, msg string) {
	s.set(orqv1alpha1.ConditionReady, metav1.ConditionFalse, reason, msg)
	s.set(orqv1alpha1.ConditionReconciling, metav1.ConditionTrue, reason, msg)
	s.remove(orqv1alpha1.ConditionStalled)
}

// failed reports the error that ended the pass, as its handling says.
func (s statusWriter) failed(p *pass) {
	c := classify(p.err)
	if c.handling == terminal || c.handling == stalledSlow {
		s.stalled(c.reason, p.err.Error())
	} else {
		s.progressing(c.reason, p.err.Error())
	}
}

// refs reports how the team's agentRefs resolved; no condition for a team without them.
func (s statusWriter) refs(p *pass) {
	switch {
	case len(refTargets(p.agent)) == 0:
		s.remove(orqv1alpha1.ConditionResolvedRefs)
	case p.refs == nil: // not looked at in this pass (key conflict, suspended, no credentials)
	case p.refs.err != nil:
		s.set(orqv1alpha1.ConditionResolvedRefs, metav1.ConditionFalse, reasonOf(p.refs.err), p.refs.err.Error())
	default:
		s.set(orqv1alpha1.ConditionResolvedRefs, metav1.ConditionTrue, orqv1alpha1.ReasonResolvedRefs, "Every agentRef of teamOfAgents names a Ready Agent")
	}
}

// bounded cuts a message to maxMessage bytes, at a rune boundary, saying how much was cut.
func bounded(msg string) string {
	if len(msg) <= maxMessage {
		return msg
	}
	cut := maxMessage - 64
	for cut > 0 && !utf8.RuneStart(msg[cut]) {
		cut--
	}
	return fmt.Sprintf("%s… (%d more bytes)", msg[:cut], len(msg)-cut)
}
