package managed

import (
	"context"
	"fmt"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
)

// Inputs resolves what a spec references, for one pass of one object: the objects of managed
// kinds it names (by the identity of their remote objects) and the values of Secrets and
// ConfigMaps. What does not resolve is recorded, then reported once: the ResolvedRefs condition
// for references to objects, the pass's failure for all.
type Inputs struct {
	r   *Reconciler
	obj Object
	// workspace is the hash of the object's API key: a referenced object must be in the same one.
	workspace string
	// lenient resolves what a lost create's body was built from, while the object is deleted:
	// only a target's identity matters, not its readiness (see sentBody).
	lenient bool

	waiting, refused, elsewhere, mismatched []string
	// leaving are the targets being deleted that the spec still names.
	leaving []Target
	// refsSeen: the spec names objects of managed kinds.
	refsSeen bool
	// valueErr is the first failure to read a Secret or ConfigMap, err the first other failure.
	valueErr, err error
}

// Target is a referenced object whose remote object exists, in the referrer's workspace.
type Target struct {
	Ref    Reference
	Object Object
	// Key and ID are the remote object's key and id.
	Key, ID string
}

func (r *Reconciler) inputs(o Object, workspace string) *Inputs {
	return &Inputs{r: r, obj: o, workspace: workspace}
}

// Object returns the object a reference names, once its remote object may be named by this one:
// it exists, consents to the reference, is in the same workspace, is not being deleted, and its
// remote object exists. Otherwise it records why, and returns false.
func (in *Inputs) Object(ctx context.Context, ref Reference) (Target, bool) {
	in.refsSeen = true
	kind, ok := in.r.Kinds.Get(ref.Kind)
	if !ok {
		in.err = fmt.Errorf("%s names a %s, which this operator does not manage", ref.Field, ref.Kind)
		return Target{}, false
	}
	name := types.NamespacedName{Namespace: ref.Namespace, Name: ref.Name}
	target := kind.New()
	switch err := in.r.Get(ctx, name, target); {
	case apierrors.IsNotFound(err):
		in.waiting = append(in.waiting, fmt.Sprintf("%s %s does not exist", ref.Kind, name))
		return Target{}, false
	case err != nil:
		in.err = err
		return Target{}, false
	}
	t := Target{Ref: ref, Object: target, Key: target.RemoteKey(), ID: target.ManagedStatus().ID}
	switch {
	case in.lenient:
		return t, true
	case !target.GetDeletionTimestamp().IsZero():
		// First: a leaving target is let go whatever else is wrong with the reference (a consent
		// revoked in the same change): letting it go only removes access (review R7).
		in.waiting = append(in.waiting, fmt.Sprintf("%s %s is being deleted", ref.Kind, name))
		in.leaving = append(in.leaving, t)
		return Target{}, false
	case !allowsReferencesFrom(target, in.obj.GetNamespace()):
		in.refused = append(in.refused, fmt.Sprintf("%s %s does not allow references from namespace %s (its spec.allowReferencesFrom)", ref.Kind, name, in.obj.GetNamespace()))
		return Target{}, false
	}
	if Source(target) != Source(in.obj) {
		if ws := in.r.Workspaces.Of(ctx, target); ws != in.workspace {
			in.elsewhere = append(in.elsewhere, fmt.Sprintf("%s %s (its API key %s)", ref.Kind, name, orUnknown(ws)))
			return Target{}, false
		}
	}
	return in.ready(t)
}

// ready returns a target in the same workspace once its remote object exists.
func (in *Inputs) ready(t Target) (Target, bool) {
	name := client.ObjectKeyFromObject(t.Object)
	switch {
	case !resolvable(t.Object):
		in.waiting = append(in.waiting, fmt.Sprintf("%s %s is not Ready", t.Ref.Kind, name))
		return Target{}, false
	}
	return t, true
}

// Mismatch records that a referenced object does not fit where the spec names it (a Tool of
// another type than the agent's tool entry).
func (in *Inputs) Mismatch(format string, args ...any) {
	in.mismatched = append(in.mismatched, fmt.Sprintf(format, args...))
}

// Secret returns the value of a Secret key of the object's namespace, to be sent as wire(value)
// and hashed by the Secret's version; field names the spec field, for messages.
func (in *Inputs) Secret(ctx context.Context, ref orqv1alpha1.SecretKeyReference, field string, wire func(value string) any) (Secret, bool) {
	v, version, err := in.r.Values.Secret(ctx, in.obj.GetNamespace(), ref, field, in.deleting())
	if err != nil {
		in.valueFailed(err)
		return Secret{}, false
	}
	return Secret{source: in.obj.GetNamespace() + "/" + ref.Name + "/" + ref.Key, version: version, value: v, wire: wire(v)}, true
}

// ConfigMap returns the value of a ConfigMap key of the object's namespace, as it is.
func (in *Inputs) ConfigMap(ctx context.Context, ref orqv1alpha1.ConfigMapKeyReference, field string) (string, bool) {
	v, _, err := in.r.Values.ConfigMap(ctx, in.obj.GetNamespace(), ref, field, in.deleting())
	if err != nil {
		in.valueFailed(err)
		return "", false
	}
	return v, true
}

// Wait records a value that is not ready yet (an empty prompt), as a wait for the cluster.
func (in *Inputs) Wait(format string, args ...any) {
	in.valueFailed(failure(waitingOnCluster, orqv1alpha1.ReasonDependencyNotReady, format, args...))
}

// Failed tells whether anything recorded so far does not resolve: the request cannot be built.
func (in *Inputs) Failed() bool {
	return in.err != nil || in.valueErr != nil || len(in.waiting)+len(in.refused)+len(in.elsewhere)+len(in.mismatched) > 0
}

func (in *Inputs) valueFailed(err error) {
	if in.valueErr == nil {
		in.valueErr = err
	}
}

func (in *Inputs) deleting() bool { return !in.obj.GetDeletionTimestamp().IsZero() }

// Lenient tells that only the identity of what the spec names matters now, not whether it is
// ready (a deletion proving its lost create, a suspended object): a kind's own readiness checks
// then wait for nothing.
func (in *Inputs) Lenient() bool { return in.lenient }

// refsOutcome is how the references to objects of managed kinds resolved, for ResolvedRefs.
type refsOutcome struct {
	// err says why they do not all resolve (its reason is the condition's); nil: they do.
	err error
}

// outcome is the ResolvedRefs outcome; nil when the spec names no object.
func (in *Inputs) outcome() *refsOutcome {
	if !in.refsSeen {
		return nil
	}
	return &refsOutcome{err: in.refsFailure()}
}

// refsFailure is why the references to objects do not resolve, the gravest first.
func (in *Inputs) refsFailure() error {
	switch {
	case len(in.refused) > 0:
		return failure(terminal, orqv1alpha1.ReasonRefNotPermitted, "reference not permitted: %s", listSome(in.refused))
	case len(in.elsewhere) > 0:
		return failure(terminal, orqv1alpha1.ReasonWorkspaceMismatch,
			"reference to another workspace: %s %s (its API key %s) names %s, whose key would name nothing, or another object, in this workspace; give both the same credentials",
			in.r.Kind.Name(), client.ObjectKeyFromObject(in.obj), orUnknown(in.workspace), listSome(in.elsewhere))
	case len(in.mismatched) > 0:
		return failure(terminal, orqv1alpha1.ReasonRefMismatch, "reference does not fit: %s", listSome(in.mismatched))
	case len(in.waiting) > 0:
		return failure(waitingOnCluster, orqv1alpha1.ReasonDependencyNotReady, "waiting for %s", listSome(in.waiting))
	}
	return nil
}

// failure is why the spec cannot become a request yet, or nil.
func (in *Inputs) failure() error {
	switch err := in.refsFailure(); {
	case in.err != nil:
		return in.err
	case err != nil && classify(err).handling == terminal:
		return err
	case in.valueErr != nil:
		return in.valueErr
	default:
		return err
	}
}

// resolvable tells whether a referenced object's remote object exists, so that it may be named:
// it is Ready, or it created or adopted its remote object (and a later failure of its own does not
// take that away, unless it says its remote object was replaced or is another's: AdoptionRequired,
// KeyConflict); and it is not being deleted.
func resolvable(o Object) bool {
	st := o.ManagedStatus()
	lost := stalledWith(st, orqv1alpha1.ReasonAdoptionRequired) || stalledWith(st, orqv1alpha1.ReasonKeyConflict)
	return o.GetDeletionTimestamp().IsZero() &&
		((st.ID != "" && !lost) || meta.IsStatusConditionTrue(st.Conditions, orqv1alpha1.ConditionReady))
}

// maxListed bounds how many objects a condition message names; the rest are counted.
const maxListed = 3

// listSome joins the first maxListed items and counts the others, so that a message stays short
// however many there are.
func listSome(items []string) string {
	if len(items) <= maxListed {
		return strings.Join(items, "; ")
	}
	return fmt.Sprintf("%s; and %d more", strings.Join(items[:maxListed], "; "), len(items)-maxListed)
}

// orUnknown is an API key hash, or says there is none.
func orUnknown(hash string) string {
	if hash == "" {
		return "unknown"
	}
	return hash
}
