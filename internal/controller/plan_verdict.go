package controller

import (
	"fmt"
	"net/http"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
	"github.com/orq-ai/orq-operator/internal/agentdiff"
)

// Verdict is what a plan says the operator would do to an Agent's orq agent.
type Verdict string

const (
	// VerdictCreate: the agent does not exist; the operator creates it.
	VerdictCreate Verdict = "create"
	// VerdictUpdate: the agent is this Agent's (adopted, or taken for its own: Unverified) and
	// differs; the operator patches the fields listed.
	VerdictUpdate Verdict = "update"
	// VerdictNoChange: nothing is written (in sync, Observe, suspended).
	VerdictNoChange Verdict = "no change"
	// VerdictBlocked: the operator would stall or wait, and not converge: Reason says why.
	VerdictBlocked Verdict = "blocked"
	// VerdictSkipped: not planned (an Agent with its own API key, of another workspace).
	VerdictSkipped Verdict = "skipped"
)

// noClusterState is the Unverified of a plan without cluster state.
const noClusterState = "ownership not checked: no cluster state; use --live"

// AgentPlan is the plan of one Agent.
type AgentPlan struct {
	// Kind is the kind of a refused manifest that is not an Agent (a ConfigMap); "" for an Agent.
	Kind      string  `json:"kind,omitempty"`
	Namespace string  `json:"namespace"`
	Name      string  `json:"name"`
	Key       string  `json:"key"`
	Verdict   Verdict `json:"verdict"`
	// Changed lists the fields (API names) an update patches.
	Changed []string `json:"changed,omitempty"`
	// Texts are the prompts an update changes, before and after, for a line diff.
	Texts []TextChange `json:"texts,omitempty"`
	// Reason and Message say why an Agent is blocked (the condition it would report).
	Reason  string `json:"reason,omitempty"`
	Message string `json:"message,omitempty"`
	// Note adds what else the operator would do or not do (adoption, Observe, suspend).
	Note string `json:"note,omitempty"`
	// Unverified says that the plan took the agent at the key for this Agent's own without
	// proof (noClusterState): the operator may find it is not, and stall (AdoptionRequired).
	Unverified string `json:"unverified,omitempty"`
}

// TextChange is a prompt field an update changes.
type TextChange struct {
	Field  string `json:"field"`
	Before string `json:"before"`
	After  string `json:"after"`
}

// textFields are the prompt fields shown as a line diff.
var textFields = []string{"instructions", "system_prompt"}

// Changes tells whether the plan writes to orq.
func (a AgentPlan) Changes() bool { return a.Verdict == VerdictCreate || a.Verdict == VerdictUpdate }

// verdictOf reads what one dry-run pass did: the writes it asked for, else how it ended.
func verdictOf(p *pass, dry *dryRunAPI, writes []plannedWrite) AgentPlan {
	ap := AgentPlan{Namespace: p.agent.Namespace, Name: p.agent.Name, Key: p.agent.RemoteKey()}
	wrote := func(method string) bool {
		return slices.ContainsFunc(writes, func(w plannedWrite) bool { return w.method == method })
	}
	adopted := p.ownedID != "" && p.ownedID != p.stored.ID && !wrote(http.MethodPost)
	if adopted {
		ap.Note = fmt.Sprintf("adopts the existing orq agent (id %s): spec.adoptionPolicy Adopt", p.ownedID)
	}
	switch {
	case wrote(http.MethodPost):
		ap.Verdict = VerdictCreate
		if p.stored.ID != "" {
			ap.Note = fmt.Sprintf("re-creates it: the orq agent this Agent held (id %s) is gone", p.stored.ID)
		}
	case wrote(http.MethodPatch):
		ap.Verdict = VerdictUpdate
		before := dry.seen[ap.Key]
		ap.Changed = observe(p.desired, before).changed
		ap.Texts = textChanges(p.desired, agentdiff.Observed(before.Raw), ap.Changed)
	case p.end == endInSync || (p.end == endSynced && p.remote.upToDate()):
		ap.Verdict = VerdictNoChange
	case p.end == endObserved:
		ap.Verdict, ap.Note = VerdictNoChange, observedNote(p)
	case p.end == endSuspended:
		ap.Verdict, ap.Note = VerdictNoChange, "spec.suspend: the operator makes no call to orq"
	default: // failed, a key conflict, or an agent that differs and is not patched (NotConverging)
		ap.Verdict = VerdictBlocked
		ap.Reason, ap.Message = stallOf(p.agent.Status)
	}
	return ap
}

// stallOf is the reason and message of the condition that tells why an Agent does not progress:
// Stalled when it is, else Ready.
func stallOf(st orqv1alpha1.AgentStatus) (string, string) {
	c := meta.FindStatusCondition(st.Conditions, orqv1alpha1.ConditionStalled)
	if c == nil || c.Status != metav1.ConditionTrue {
		c = meta.FindStatusCondition(st.Conditions, orqv1alpha1.ConditionReady)
	}
	if c == nil {
		return "", ""
	}
	return c.Reason, c.Message
}

// observedNote says how an observed agent differs; managementPolicy Observe corrects nothing.
func observedNote(p *pass) string {
	switch {
	case p.remote == nil:
		return "managementPolicy Observe: the orq agent does not exist, and is not created"
	case len(p.remote.changed) > 0:
		return "managementPolicy Observe: differs in " + strings.Join(p.remote.changed, ", ") + ", not corrected"
	}
	return "managementPolicy Observe"
}

// textChanges lists the prompt fields among changed, as orq holds them and as the spec wants.
func textChanges(desired, observed map[string]any, changed []string) []TextChange {
	var out []TextChange
	for _, f := range textFields {
		if slices.Contains(changed, f) {
			before, _ := observed[f].(string)
			after, _ := desired[f].(string)
			out = append(out, TextChange{Field: f, Before: before, After: after})
		}
	}
	return out
}

// skipped is the plan of an Agent whose API key is its own (spec.apiKeySecretRef).
func skipped(a *orqv1alpha1.Agent) AgentPlan {
	return AgentPlan{Namespace: a.Namespace, Name: a.Name, Key: a.RemoteKey(), Verdict: VerdictSkipped,
		Note: "spec.apiKeySecretRef: its workspace is that of its own API key, which a plan does not read"}
}
