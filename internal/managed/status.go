package managed

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
	"github.com/orq-ai/orq-operator/internal/orqclient"
)

// maxMessage bounds a condition message (the API allows 32768), so that no API answer or list of
// objects can make a status write be refused for size.
const maxMessage = 2048

// computeStatus sets the object's status from the pass, once: each shared field is assigned here
// and only here, from what the steps found; the kind's own fields by its Reporter.
func (r *Reconciler) computeStatus(p *pass) {
	st := p.obj.ManagedStatus()
	s := statusWriter{st: st, generation: p.obj.GetGeneration()}
	if p.obj.GetDeletionTimestamp().IsZero() {
		st.Key = p.obj.RemoteKey()
		r.refs(p, s)
		if p.end == endSuspended {
			s.set(orqv1alpha1.ConditionSuspended, metav1.ConditionTrue, orqv1alpha1.ReasonSuspended, "spec.suspend is true: no calls to orq until it is false again")
		} else {
			s.remove(orqv1alpha1.ConditionSuspended)
		}
	}
	if p.apiKeyHash != "" {
		st.APIKeyHash = p.apiKeyHash
	}
	if p.claimedID != "" {
		st.ID = p.claimedID
	}
	if rep, ok := r.Kind.(Reporter); ok && p.view != nil && (p.claimed() || (p.end == endObserved && (st.ID == "" || p.view.remote.ID == st.ID))) {
		rep.Report(p.obj, p.view.remote, p.wrote)
	}
	switch p.end {
	case endApplied, endObserved:
		r.compared(p, s)
	case endKeyConflict:
		s.stalled(orqv1alpha1.ReasonKeyConflict, fmt.Sprintf("%s is managed by %s %s/%s, which holds it (or, neither holding it, is older); this %s takes over when that one no longer does",
			r.remoteName(p.obj), r.Kind.Name(), p.keyHolder.GetNamespace(), p.keyHolder.GetName(), r.Kind.Name()))
	case endSuspended:
		r.suspended(p, s)
	case endInUse:
		msg := fmt.Sprintf("%s is used by %s; it is deleted once they no longer use it", r.remoteName(p.obj), listSome(p.users))
		s.set(orqv1alpha1.ConditionReady, metav1.ConditionFalse, orqv1alpha1.ReasonInUse, msg)
		s.set(orqv1alpha1.ConditionReconciling, metav1.ConditionTrue, orqv1alpha1.ReasonInUse, msg)
	case endFailed:
		s.failed(p)
		r.unsynced(p, s)
	}
}

// compared reports a remote object compared with the spec: Ready (it exists), Synced when it
// matches, else the fields that differ; an observed remote object that does not exist stalls.
func (r *Reconciler) compared(p *pass, s statusWriter) {
	st := s.st
	st.ObservedGeneration = p.obj.GetGeneration()
	what := r.remoteName(p.obj)
	if p.view == nil { // Observe, and there is nothing: not by the operator's doing
		msg := fmt.Sprintf("%s does not exist; managementPolicy Observe does not create it", what)
		s.set(orqv1alpha1.ConditionSynced, metav1.ConditionFalse, orqv1alpha1.ReasonRemoteNotFound, msg)
		s.stalled(orqv1alpha1.ReasonRemoteNotFound, msg)
		st.PendingChanges = nil
		return
	}
	stored := p.status()
	if p.wrote || st.LastSyncTime == nil || stored.ObservedGeneration != p.obj.GetGeneration() {
		now := metav1.NewTime(r.now().Truncate(time.Second))
		st.LastSyncTime = &now
	}
	st.PendingChanges = p.view.changed
	st.LastHandledReconcileAt = p.obj.GetAnnotations()[orqv1alpha1.AnnotationReconcileRequestedAt]
	st.AppliedHash, st.RemoteUpdated = p.hash, p.view.remote.Updated
	if p.end == endApplied && (p.sentSecrets || p.secretsHash == stored.SecretsHash) {
		st.SecretsHash = p.secretsHash
	}
	fields := strings.Join(p.view.changed, ", ")
	ready := "The " + what + " exists and matches the spec"
	switch {
	case p.view.upToDate():
		s.set(orqv1alpha1.ConditionSynced, metav1.ConditionTrue, orqv1alpha1.ReasonSynced, "The "+what+" matches the spec")
	case p.end == endObserved:
		s.set(orqv1alpha1.ConditionSynced, metav1.ConditionFalse, orqv1alpha1.ReasonDrifted, "managementPolicy Observe: the "+what+" differs from the spec in: "+fields)
		ready = "The " + what + " exists; the Synced condition says how it differs from the spec"
	default:
		s.set(orqv1alpha1.ConditionSynced, metav1.ConditionFalse, orqv1alpha1.ReasonNotConverging, "orq.ai keeps these fields different from the spec after an update: "+fields)
		ready = "The " + what + " exists; the Synced condition says how it differs from the spec"
	}
	s.set(orqv1alpha1.ConditionReady, metav1.ConditionTrue, orqv1alpha1.ReasonSynced, ready)
	s.remove(orqv1alpha1.ConditionReconciling)
	if p.end == endApplied && !p.view.upToDate() {
		// orq answered the update with a remote object that still differs. Sending it again
		// would not help: wait for the spec or the remote object to change.
		s.set(orqv1alpha1.ConditionStalled, metav1.ConditionTrue, orqv1alpha1.ReasonNotConverging, meta.FindStatusCondition(st.Conditions, orqv1alpha1.ConditionSynced).Message)
	} else {
		s.remove(orqv1alpha1.ConditionStalled)
	}
}

// suspended reports a suspended object. It is processed at this generation, but a spec it has
// not applied is not in sync: Synced is then False (Suspended), so that kubectl wait
// --for=condition=Synced does not pass on a change not sent.
func (r *Reconciler) suspended(p *pass, s statusWriter) {
	s.remove(orqv1alpha1.ConditionReconciling)
	if p.hash == "" || p.hash != p.status().AppliedHash {
		s.set(orqv1alpha1.ConditionSynced, metav1.ConditionFalse, orqv1alpha1.ReasonSuspended,
			"spec.suspend is true: the spec is not applied to the "+r.remoteName(p.obj)+" until suspend is false")
		s.st.PendingChanges = nil // not compared: no call to orq is made
		if meta.IsStatusConditionTrue(s.st.Conditions, orqv1alpha1.ConditionReady) {
			// It still exists, as last seen; it no longer matches the spec.
			s.set(orqv1alpha1.ConditionReady, metav1.ConditionTrue, orqv1alpha1.ReasonSuspended,
				"The "+r.remoteName(p.obj)+" exists as last applied; spec.suspend holds back the spec's changes (see Synced)")
		}
	}
	s.st.ObservedGeneration = p.obj.GetGeneration()
}

// unsynced reports, for a failed pass, what it compared: the fields in which the remote object it
// read differs, and Synced=False when they differ, when its spec was never applied (orq refused it,
// or the pass failed before it could apply it), or when the pass changed the remote object by
// itself (letting a leaving object go). A pass that compared nothing of a spec applied before
// leaves them as they were.
func (r *Reconciler) unsynced(p *pass, s statusWriter) {
	compared := p.view != nil && p.claimed() && p.desired.Body != nil
	if compared {
		s.st.PendingChanges = p.view.changed
	}
	if (compared && !p.view.upToDate()) || (p.hash != "" && p.hash != p.status().AppliedHash) || p.wrote {
		s.set(orqv1alpha1.ConditionSynced, metav1.ConditionFalse, classify(p.err).reason, "the spec is not applied: "+r.redacted(p, p.err.Error()))
		if !compared {
			s.st.PendingChanges = nil // not compared: unknown, not "none"
		}
	}
}

// statusWriter sets the conditions of one status, at one generation.
type statusWriter struct {
	st         *orqv1alpha1.ResourceStatus
	generation int64
}

func (s statusWriter) set(typ string, status metav1.ConditionStatus, reason, msg string) {
	meta.SetStatusCondition(&s.st.Conditions, metav1.Condition{
		Type: typ, Status: status, Reason: reason, Message: bounded(msg), ObservedGeneration: s.generation,
	})
}

func (s statusWriter) remove(typ string) { meta.RemoveStatusCondition(&s.st.Conditions, typ) }

// stalled reports that nothing progresses until something changes: kstatus reads it as Failed, at
// this generation.
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
	msg := redactValues(p.err.Error(), secretValues(p.desired.Body))
	if c.handling == terminal || c.handling == stalledSlow {
		s.stalled(c.reason, msg)
	} else {
		s.progressing(c.reason, msg)
	}
}

// refs reports how the references to other objects resolved; no condition for a spec without.
func (r *Reconciler) refs(p *pass, s statusWriter) {
	switch {
	case !r.namesObjects(p.obj):
		s.remove(orqv1alpha1.ConditionResolvedRefs)
	case p.refs == nil: // not looked at in this pass (key conflict, suspended, no credentials)
	case p.refs.err != nil:
		s.set(orqv1alpha1.ConditionResolvedRefs, metav1.ConditionFalse, reasonOf(p.refs.err), p.refs.err.Error())
	default:
		s.set(orqv1alpha1.ConditionResolvedRefs, metav1.ConditionTrue, orqv1alpha1.ReasonResolvedRefs, "Every reference names an object that is Ready")
	}
}

// namesObjects tells whether a spec references objects of managed kinds.
func (r *Reconciler) namesObjects(o Object) bool {
	for _, ref := range r.Kind.References(o) {
		if _, ok := r.Kinds.Get(ref.Kind); ok {
			return true
		}
	}
	return false
}

// redacted is a message without the Secret values the pass's request carries.
func (r *Reconciler) redacted(p *pass, msg string) string {
	return redactValues(msg, secretValues(p.desired.Body))
}

// redactValues removes values from a message (an API message may echo the request), in every
// form a text may carry them (an answer quoted as raw JSON escapes them).
func redactValues(msg string, values []string) string {
	for _, v := range values {
		if v == "" {
			continue
		}
		for _, form := range orqclient.SecretForms(v) {
			msg = strings.ReplaceAll(msg, form, "[redacted]")
		}
	}
	return msg
}

// redactedError is an error whose text no longer carries the Secret values of the pass's request:
// what Reconcile returns is logged by controller-runtime. It unwraps to the error, so that its
// handling is unchanged.
type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

// redactedErr is err without the Secret values of the pass's request.
func (r *Reconciler) redactedErr(p *pass, err error) error {
	if msg := r.redacted(p, err.Error()); msg != err.Error() {
		return &redactedError{msg: msg, err: err}
	}
	return err
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
