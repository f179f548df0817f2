package managed

import (
	"fmt"
	"net/http"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
	"github.com/orq-ai/orq-operator/internal/orqclient"
)

// Verdict is what a plan says the operator would do to an object's remote object.
type Verdict string

const (
	// VerdictCreate: the remote object does not exist; the operator creates it.
	VerdictCreate Verdict = "create"
	// VerdictUpdate: the remote object is the object's (adopted, or taken for its own:
	// Unverified) and differs; the operator sends the fields listed.
	VerdictUpdate Verdict = "update"
	// VerdictNoChange: nothing is written (in sync, Observe, suspended).
	VerdictNoChange Verdict = "no change"
	// VerdictBlocked: the operator would stall or wait, and not converge: Reason says why.
	VerdictBlocked Verdict = "blocked"
	// VerdictSkipped: not planned (an object with its own API key, of another workspace).
	VerdictSkipped Verdict = "skipped"
)

// noClusterState is the Unverified of a plan without cluster state.
const noClusterState = "ownership not checked: no cluster state; use --live"

// ObjectPlan is the plan of one object.
type ObjectPlan struct {
	// Kind is the object's kind: Agent, Tool, ... (ConfigMap for a refused ConfigMap).
	Kind      string  `json:"kind,omitempty"`
	Namespace string  `json:"namespace"`
	Name      string  `json:"name"`
	Key       string  `json:"key"`
	Verdict   Verdict `json:"verdict"`
	// Changed lists the fields (API names) an update sends.
	Changed []string `json:"changed,omitempty"`
	// Texts are the long texts an update changes (prompts, code), before and after, for a line
	// diff.
	Texts []TextChange `json:"texts,omitempty"`
	// Reason and Message say why an object is blocked (the condition it would report).
	Reason  string `json:"reason,omitempty"`
	Message string `json:"message,omitempty"`
	// Note adds what else the operator would do or not do (adoption, Observe, suspend).
	Note string `json:"note,omitempty"`
	// Unverified says that the plan took the remote object at the key for this object's own
	// without proof (noClusterState): the operator may find it is not, and stall
	// (AdoptionRequired).
	Unverified string `json:"unverified,omitempty"`
}

// TextChange is a text field an update changes.
type TextChange struct {
	Field  string `json:"field"`
	Before string `json:"before"`
	After  string `json:"after"`
}

// Planner is a kind whose plans show some fields as line diffs (an agent's prompts, a tool's
// code): their names, in the request's top level.
type Planner interface {
	TextFields() []string
}

// Changes tells whether the plan writes to orq.
func (op ObjectPlan) Changes() bool {
	return op.Verdict == VerdictCreate || op.Verdict == VerdictUpdate
}

// unseenNote explains an update that lists no field.
const unseenNote = "may send what a plan cannot compare: fields orq does not echo (sent again when the spec " +
	"changed since it was last applied)"

// verdictOf reads what one dry-run pass did: the writes it asked for, else how it ended.
func (r *Reconciler) verdictOf(p *pass, dry *dryRunAPI, writes []plannedWrite) ObjectPlan {
	op := ObjectPlan{Kind: r.Kind.Name(), Namespace: p.obj.GetNamespace(), Name: p.obj.GetName(), Key: p.obj.RemoteKey()}
	wrote := func(method string) bool {
		return slices.ContainsFunc(writes, func(w plannedWrite) bool { return w.method == method })
	}
	st, what := p.status(), r.Kind.Endpoint().Kind
	if p.claimedID != "" && p.claimedID != st.ID && !wrote(http.MethodPost) {
		op.Note = fmt.Sprintf("adopts the existing orq %s (id %s): spec.adoptionPolicy Adopt", what, p.claimedID)
	}
	switch {
	case wrote(http.MethodPost):
		op.Verdict = VerdictCreate
		if st.ID != "" {
			op.Note = fmt.Sprintf("re-creates it: the orq %s this %s held (id %s) is gone", what, r.Kind.Name(), st.ID)
		}
	case wrote(http.MethodPatch):
		op.Verdict = VerdictUpdate
		before := dry.seen[placeKey(r.Kind.Endpoint(), p.desired.Parent, r.address(p.obj, p.claimedID))]
		if before != nil {
			op.Changed = r.Kind.Compare(p.desired.Body, before)
			op.Texts = r.textChanges(p.desired.Body, before, op.Changed)
		}
		if len(op.Changed) == 0 { // what differs is what a plan cannot compare
			if op.Note != "" {
				op.Note += "; "
			}
			op.Note += unseenNote
		}
	case p.end == endUnchanged || (p.end == endApplied && p.view.upToDate()):
		op.Verdict = VerdictNoChange
		if fields := secretFields(p.desired.Body); len(fields) > 0 {
			op.Note = fmt.Sprintf("values from Secrets (in %s) not compared: a plan cannot tell whether a Secret "+
				"changed since the operator sent it (it sends them again when it did)", strings.Join(fields, ", "))
		}
	case p.end == endObserved:
		op.Verdict, op.Note = VerdictNoChange, r.observedNote(p)
	case p.end == endSuspended:
		op.Verdict, op.Note = VerdictNoChange, "spec.suspend: the operator makes no call to orq"
	default: // failed, a key conflict, or a remote object that differs and is not updated
		op.Verdict = VerdictBlocked
		op.Reason, op.Message = stallOf(p.obj.ManagedStatus())
	}
	return op
}

// stallOf is the reason and message of the condition that tells why an object does not
// progress: Stalled when it is, else Ready.
func stallOf(st *orqv1alpha1.ResourceStatus) (string, string) {
	c := meta.FindStatusCondition(st.Conditions, orqv1alpha1.ConditionStalled)
	if c == nil || c.Status != metav1.ConditionTrue {
		c = meta.FindStatusCondition(st.Conditions, orqv1alpha1.ConditionReady)
	}
	if c == nil {
		return "", ""
	}
	return c.Reason, c.Message
}

// observedNote says how an observed remote object differs; managementPolicy Observe corrects
// nothing.
func (r *Reconciler) observedNote(p *pass) string {
	switch {
	case p.view == nil:
		return "managementPolicy Observe: the orq " + r.Kind.Endpoint().Kind + " does not exist, and is not created"
	case len(p.view.changed) > 0:
		return "managementPolicy Observe: differs in " + strings.Join(p.view.changed, ", ") + ", not corrected"
	}
	return "managementPolicy Observe"
}

// textChanges lists the text fields among changed, as orq holds them and as the spec wants.
func (r *Reconciler) textChanges(desired orqclient.Body, before *orqclient.Remote, changed []string) []TextChange {
	planner, ok := r.Kind.(Planner)
	if !ok {
		return nil
	}
	var out []TextChange
	for _, f := range planner.TextFields() {
		if slices.Contains(changed, f) {
			was, _ := before.Raw[f].(string)
			want, _ := desired[f].(string)
			out = append(out, TextChange{Field: f, Before: was, After: want})
		}
	}
	return out
}

// skipped is the plan of an object whose API key is its own (spec.apiKeySecretRef).
func skipped(r *Reconciler, o Object) ObjectPlan {
	return ObjectPlan{Kind: r.Kind.Name(), Namespace: o.GetNamespace(), Name: o.GetName(), Key: o.RemoteKey(), Verdict: VerdictSkipped,
		Note: "spec.apiKeySecretRef: its workspace is that of its own API key, which a plan does not read"}
}
