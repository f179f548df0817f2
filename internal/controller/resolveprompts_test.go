package controller

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
	"github.com/orq-ai/orq-operator/internal/agentdiff"
)

func promptAgent() *orqv1alpha1.Agent {
	a := &orqv1alpha1.Agent{ObjectMeta: metav1.ObjectMeta{Namespace: "team", Name: "bot"}}
	a.Spec.Role, a.Spec.Description, a.Spec.Path, a.Spec.Model.ID = "r", "d", "Default", "openai/gpt-4o"
	a.Spec.InstructionsFrom = &orqv1alpha1.PromptSource{ConfigMapKeyRef: orqv1alpha1.ConfigMapKeyReference{Name: "prompts", Key: "bot.md"}}
	a.Spec.SystemPromptFrom = &orqv1alpha1.PromptSource{ConfigMapKeyRef: orqv1alpha1.ConfigMapKeyReference{Name: "prompts", Key: "system.md"}}
	return a
}

// The request of an Agent with prompts from a ConfigMap is the request of the same Agent with
// the prompts inline; the ConfigMap is read again only when its resourceVersion changes.
func TestResolvePrompts(t *testing.T) {
	cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: "team", Name: "prompts"},
		Data: map[string]string{"bot.md": "Help {{customer}}.", "system.md": "You are terse."}}
	agent := promptAgent()
	c := newFakeClient(t, cm)
	reads := &countingReader{Reader: c}
	r := &AgentReconciler{Client: c, ConfigMapReader: reads}
	ctx := context.Background()
	inline := promptAgent()
	inline.Spec.InstructionsFrom, inline.Spec.SystemPromptFrom = nil, nil
	inline.Spec.Instructions, inline.Spec.SystemPrompt = "Help {{customer}}.", ptr.To("You are terse.")
	for range 2 {
		p := &pass{agent: agent}
		if err := r.resolvePrompts(ctx, p); err != nil {
			t.Fatal(err)
		}
		if err := r.buildDesired(ctx, p); err != nil {
			t.Fatal(err)
		}
		if want := mustDesired(t, inline); !reflect.DeepEqual(p.desired, want) {
			t.Fatalf("desired %v, want %v", p.desired, want)
		}
	}
	if reads.n != 2 {
		t.Errorf("ConfigMap read %d times, want twice (once per key) while its resourceVersion stays", reads.n)
	}
	if agent.Spec.Instructions != "" || agent.Spec.InstructionsFrom == nil {
		t.Errorf("the Agent itself changed: %+v", agent.Spec)
	}

	cm.Data["bot.md"] = "Help {{customer}} politely."
	if err := c.Update(ctx, cm); err != nil {
		t.Fatal(err)
	}
	p := &pass{agent: agent}
	if err := r.resolvePrompts(ctx, p); err != nil || p.prompted.Spec.Instructions != "Help {{customer}} politely." {
		t.Errorf("after the change: %v, %q", err, p.prompted.Spec.Instructions)
	}
}

func TestResolvePromptsWaits(t *testing.T) {
	cases := []struct {
		name string
		data map[string]string // nil: no ConfigMap
		want string
	}{
		{"no ConfigMap", nil, "ConfigMap team/prompts (spec.instructionsFrom) does not exist"},
		{"no key", map[string]string{"system.md": "s"}, `ConfigMap team/prompts has no key "bot.md" (spec.instructionsFrom)`},
		{"empty system prompt", map[string]string{"bot.md": "", "system.md": ""}, `key "system.md" (spec.systemPromptFrom) is empty`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := newFakeClient(t)
			if tc.data != nil {
				c = newFakeClient(t, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: "team", Name: "prompts"}, Data: tc.data})
			}
			r := &AgentReconciler{Client: c}
			p := &pass{agent: promptAgent()}
			err := r.resolvePrompts(context.Background(), p)
			if se := classify(err); err == nil || se.reason != orqv1alpha1.ReasonDependencyNotReady || se.handling != waitingOnCluster {
				t.Fatalf("err %v, want DependencyNotReady, waiting on the cluster", err)
			}
			if !strings.Contains(err.Error(), tc.want) || p.prompted != nil {
				t.Errorf("err %q, want it to contain %q", err, tc.want)
			}
		})
	}
}

// An unresolved prompt is never sent: the request is refused instead.
func TestDesiredRefusesUnresolvedPrompts(t *testing.T) {
	if _, err := agentdiff.Desired(promptAgent()); err == nil {
		t.Error("Desired accepted an Agent whose prompts come from a ConfigMap")
	}
}

func TestConfigMapsOf(t *testing.T) {
	a := promptAgent()
	if got := configMapsOf(a); !reflect.DeepEqual(got, []string{"team/prompts"}) {
		t.Errorf("same ConfigMap twice: %v", got)
	}
	a.Spec.SystemPromptFrom.ConfigMapKeyRef.Name = "system"
	if got := configMapsOf(a); !reflect.DeepEqual(got, []string{"team/prompts", "team/system"}) {
		t.Errorf("two ConfigMaps: %v", got)
	}
	a.Spec.InstructionsFrom, a.Spec.SystemPromptFrom = nil, nil
	if got := configMapsOf(a); got != nil {
		t.Errorf("inline prompts: %v", got)
	}
}

// The cache keeps of a ConfigMap no more than what identifies a version of it: its data is never
// cached, and neither are its labels or annotations (kubectl's last-applied-configuration holds
// the data too).
func TestCacheKeepsConfigMapsAsIdentityOnly(t *testing.T) {
	var transform func(any) (any, error)
	for obj, by := range CacheOptions(nil, nil).ByObject {
		if _, ok := obj.(*corev1.ConfigMap); ok {
			transform = by.Transform
		}
	}
	if transform == nil {
		t.Fatal("no cache options for ConfigMaps: they would be cached whole, as the default")
	}
	m := &metav1.PartialObjectMetadata{ObjectMeta: metav1.ObjectMeta{Namespace: "team", Name: "prompts", ResourceVersion: "7",
		Labels: map[string]string{"a": "b"}, Annotations: map[string]string{lastApplied: `{"data":{"bot.md":"..."}}`}}}
	out, err := transform(m)
	if err != nil {
		t.Fatal(err)
	}
	got := out.(*metav1.PartialObjectMetadata).ObjectMeta
	if want := (metav1.ObjectMeta{Namespace: "team", Name: "prompts", ResourceVersion: "7"}); !reflect.DeepEqual(got, want) {
		t.Errorf("cached %+v, want %+v", got, want)
	}
}

// forbiddenReader answers every read as the apiserver does when RBAC does not allow it.
type forbiddenReader struct{}

func (forbiddenReader) Get(_ context.Context, key client.ObjectKey, _ client.Object, _ ...client.GetOption) error {
	return apierrors.NewForbidden(schema.GroupResource{Resource: "configmaps"}, key.Name, errors.New("RBAC: access denied"))
}

func (forbiddenReader) List(context.Context, client.ObjectList, ...client.ListOption) error {
	return errors.New("not used")
}

// #18.12: a ConfigMap the operator may not read stalls with what to grant, as a Secret does,
// instead of a raw forbidden error retried for ever.
func TestAnUnreadablePromptConfigMapStallsSayingWhatToGrant(t *testing.T) {
	a := promptAgent()
	r := &AgentReconciler{Client: newFakeClient(t, a), ConfigMapReader: forbiddenReader{}, API: &fakeAPI{t: t}}
	stored, res, err := reconcileOnce(t, r, a)
	if err != nil || res.RequeueAfter == 0 {
		t.Errorf("want a slow retry without error, got %v, %v", res, err)
	}
	stalled := meta.FindStatusCondition(stored.Status.Conditions, orqv1alpha1.ConditionStalled)
	if stalled == nil || stalled.Status != metav1.ConditionTrue || stalled.Reason != orqv1alpha1.ReasonConfigMapUnreadable ||
		!strings.Contains(stalled.Message, "grant it get on ConfigMaps in namespace team") || !strings.Contains(stalled.Message, "team/prompts") {
		t.Errorf("Stalled = %+v", stalled)
	}
}
