package managed

import (
	"context"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
)

// checkCycle refuses a spec whose references to objects of managed kinds lead back to the object
// itself (an agent in its own team, through any number of teams): orq could never create the first
// of them.
func (in *Inputs) checkCycle(ctx context.Context) error {
	start := in.r.Kind.Name() + "/" + in.obj.GetNamespace() + "/" + in.obj.GetName()
	visited := map[string]bool{}
	var path []string
	var walk func(kind Kind, o Object) (bool, error)
	walk = func(kind Kind, o Object) (bool, error) {
		for _, ref := range kind.References(o) {
			next, ok := in.r.Kinds.Get(ref.Kind)
			if !ok {
				continue // a Secret or ConfigMap: it names nothing
			}
			key := ref.Key()
			if key == start {
				path = append(path, in.display(ref))
				return true, nil
			}
			if visited[key] {
				continue
			}
			visited[key] = true
			target := next.New()
			if err := in.r.Get(ctx, types.NamespacedName{Namespace: ref.Namespace, Name: ref.Name}, target); apierrors.IsNotFound(err) {
				continue
			} else if err != nil {
				return false, err
			}
			path = append(path, in.display(ref))
			if found, err := walk(next, target); found || err != nil {
				return found, err
			}
			path = path[:len(path)-1]
		}
		return false, nil
	}
	found, err := walk(in.r.Kind, in.obj)
	if err != nil || !found {
		return err
	}
	self := in.obj.GetNamespace() + "/" + in.obj.GetName()
	in.refsSeen = true
	return failure(terminal, orqv1alpha1.ReasonReferenceCycle, "reference cycle: the references lead back to this object: %s",
		strings.Join(append([]string{self}, path...), " -> "))
}

// display names a referenced object in a message: "Agent team/writer".
func display(ref Reference) string { return ref.Kind + " " + ref.Namespace + "/" + ref.Name }

// display names a referenced object in a cycle: "team/writer", its kind only when it is not the
// referrer's.
func (in *Inputs) display(ref Reference) string {
	if ref.Kind == in.r.Kind.Name() {
		return ref.Namespace + "/" + ref.Name
	}
	return display(ref)
}
