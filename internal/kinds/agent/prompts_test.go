package agent

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/tools/events"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
	"github.com/orq-ai/orq-operator/internal/managed"
	"github.com/orq-ai/orq-operator/internal/orqclient"
)

// promptAgent takes its instructions and system prompt from the ConfigMap prompts.
func promptAgent() *orqv1alpha1.Agent {
	a := newAgent("team", "bot")
	a.Spec.Instructions = ""
	a.Spec.InstructionsFrom, a.Spec.SystemPromptFrom = promptFrom("prompts", "bot.md"), promptFrom("prompts", "system.md")
	return a
}

// inlinePrompts is promptAgent with these prompts written in its spec.
func inlinePrompts(instructions, system string) *orqv1alpha1.Agent {
	a := promptAgent()
	a.Spec.InstructionsFrom, a.Spec.SystemPromptFrom = nil, nil
	a.Spec.Instructions, a.Spec.SystemPrompt = instructions, ptr.To(system)
	return a
}

func promptConfigMap(data map[string]string) *corev1.ConfigMap {
	return &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: "team", Name: "prompts"}, Data: data}
}

// countingReader counts the reads made through it.
type countingReader struct {
	client.Reader
	n int
}

func (c *countingReader) Get(ctx context.Context, key client.ObjectKey, obj client.Object, opts ...client.GetOption) error {
	c.n++
	return c.Reader.Get(ctx, key, obj, opts...)
}

// The request of an Agent with prompts from a ConfigMap is the request of the same Agent with the
// prompts inline; the ConfigMap is read again only when its resourceVersion changes, and a change
// of its text is sent as one PATCH of that text.
func TestPromptsFromAConfigMapAreSentAsInline(t *testing.T) {
	cm := promptConfigMap(map[string]string{"bot.md": "Help {{customer}}.", "system.md": "You are terse."})
	a := promptAgent()
	var remote *orqclient.Remote
	var created orqclient.Body
	var patches []orqclient.Body
	api := &fakeAPI{t: t,
		CreateFn: func(body orqclient.Body) (*orqclient.Remote, error) {
			created, remote = body, remoteOf("01BOT", body)
			return remote, nil
		},
		GetFn: func(string) (*orqclient.Remote, error) { return remote, nil },
		UpdateFn: func(_ string, body orqclient.Body) (*orqclient.Remote, error) {
			patches = append(patches, body)
			remote = updated(remote, body)
			return remote, nil
		},
	}
	r := newReconciler(t, api, a, cm)
	reads := &countingReader{Reader: r.Client}
	r.Values.ConfigMapReader = reads

	stored, _, err := reconcile(t, r, a)
	if err != nil {
		t.Fatal(err)
	}
	if want := desired(t, inlinePrompts("Help {{customer}}.", "You are terse.")); !reflect.DeepEqual(created, want) {
		t.Fatalf("created %v, want %v", created, want)
	}
	if stored.Spec.InstructionsFrom == nil || stored.Spec.Instructions != "" {
		t.Errorf("resolving changed the Agent's spec: %+v", stored.Spec)
	}
	if _, _, err := reconcile(t, r, stored); err != nil {
		t.Fatal(err)
	}
	if reads.n != 2 || len(patches) != 0 {
		t.Errorf("ConfigMap read %d times (want twice, once per key, while its resourceVersion stays), %d PATCHes", reads.n, len(patches))
	}

	cm.Data["bot.md"] = "Help {{customer}} politely."
	if err := r.Update(context.Background(), cm); err != nil {
		t.Fatal(err)
	}
	if _, _, err := reconcile(t, r, stored); err != nil {
		t.Fatal(err)
	}
	if want := []orqclient.Body{{"instructions": "Help {{customer}} politely."}}; !reflect.DeepEqual(patches, want) {
		t.Errorf("PATCHes %v, want %v", patches, want)
	}
}

// A prompt that is not there yet sends nothing: the Agent waits for the cluster (Reconciling,
// not Stalled), naming what it waits for.
func TestAPromptThatIsNotThereWaits(t *testing.T) {
	for _, tc := range []struct {
		name string
		data map[string]string // nil: no ConfigMap
		want string
	}{
		{"no ConfigMap", nil, "ConfigMap team/prompts (spec.instructionsFrom) does not exist"},
		{"no key", map[string]string{"system.md": "s"}, `ConfigMap team/prompts has no key "bot.md" (spec.instructionsFrom)`},
		{"an empty system prompt", map[string]string{"bot.md": "", "system.md": ""}, `key "system.md" (spec.systemPromptFrom) is empty`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := promptAgent()
			objs := []client.Object{a}
			if tc.data != nil {
				objs = append(objs, promptConfigMap(tc.data))
			}
			r := newReconciler(t, &fakeAPI{t: t}, objs...)
			stored, res, err := reconcile(t, r, a)
			if err != nil || res.RequeueAfter == 0 {
				t.Errorf("want a safety-net requeue without error, got %v, %v", res, err)
			}
			ready := condition(stored, orqv1alpha1.ConditionReady)
			if ready.Reason != orqv1alpha1.ReasonDependencyNotReady || !strings.Contains(ready.Message, tc.want) {
				t.Errorf("Ready = %s %q, want DependencyNotReady naming %q", ready.Reason, ready.Message, tc.want)
			}
			if condition(stored, orqv1alpha1.ConditionReconciling).Status != metav1.ConditionTrue || condition(stored, orqv1alpha1.ConditionStalled).Status != "" {
				t.Errorf("waiting is Reconciling, not Stalled: %+v", stored.Status.Conditions)
			}
		})
	}
}

// forbiddenReader answers every read as the apiserver does when RBAC does not allow it.
type forbiddenReader struct{ client.Reader }

func (forbiddenReader) Get(_ context.Context, key client.ObjectKey, _ client.Object, _ ...client.GetOption) error {
	return apierrors.NewForbidden(schema.GroupResource{Resource: "configmaps"}, key.Name, errors.New("RBAC: access denied"))
}

// A ConfigMap the operator may not read stalls, saying what to grant, and is retried slowly
// rather than as an error for ever (#18.12).
func TestAnUnreadablePromptConfigMapStallsSayingWhatToGrant(t *testing.T) {
	a := promptAgent()
	r := newReconciler(t, &fakeAPI{t: t}, a, promptConfigMap(map[string]string{"bot.md": "b", "system.md": "s"}))
	r.Values.ConfigMapReader = forbiddenReader{}
	stored, res, err := reconcile(t, r, a)
	if err != nil || res.RequeueAfter == 0 {
		t.Errorf("want a slow retry without error, got %v, %v", res, err)
	}
	stalled := condition(stored, orqv1alpha1.ConditionStalled)
	if stalled.Status != metav1.ConditionTrue || stalled.Reason != orqv1alpha1.ReasonConfigMapUnreadable ||
		!strings.Contains(stalled.Message, "grant it get on ConfigMaps in namespace team") || !strings.Contains(stalled.Message, "team/prompts") {
		t.Errorf("Stalled = %+v", stalled)
	}
}

// #18.1: an Agent deleted while the answer of its create is lost proves that agent its own by the
// body that create sent. When what that body was built from is gone (its ConfigMap deleted first,
// with its namespace, never read by this process), the Agent waits a bounded time for it, then
// goes, leaving the agent in orq with an event that says why.
func TestDeletionWaitsABoundedTimeForWhatItsLostCreateWasBuiltFrom(t *testing.T) {
	deletedAt := time.Unix(10000, 0)
	body := desired(t, inlinePrompts("Help.", "Be brief."))
	for _, tc := range []struct {
		name      string
		after     time.Duration
		configMap bool
		// wantKept: the Agent stays, retried soon; wantDeleted: the agent is deleted in orq.
		wantKept, wantDeleted bool
		wantEvent             string
	}{
		{name: "its ConfigMap gone, a minute after", after: time.Minute, wantKept: true},
		{name: "its ConfigMap gone, 10 minutes after", after: 10 * time.Minute, wantEvent: "ConfigMap team/prompts"},
		{name: "its ConfigMap there: its lost create is proved, and deleted", after: time.Minute, configMap: true, wantDeleted: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := promptAgent()
			a.Finalizers, a.DeletionTimestamp = []string{orqv1alpha1.FinalizerName}, &metav1.Time{Time: deletedAt}
			a.Annotations = map[string]string{orqv1alpha1.AnnotationCreateAttempt: string(a.UID) + "//" + managed.Hash(body)}
			objs := []client.Object{a}
			if tc.configMap {
				objs = append(objs, promptConfigMap(map[string]string{"bot.md": "Help.", "system.md": "Be brief."}))
			}
			api := &fakeAPI{t: t, GetFn: func(string) (*orqclient.Remote, error) { return remoteOf("01BOT", body), nil }}
			if tc.wantDeleted {
				api.DeleteFn = func(string) error { return nil }
			}
			rec := events.NewFakeRecorder(10)
			r := newReconciler(t, api, objs...)
			r.Recorder, r.Now = rec, func() time.Time { return deletedAt.Add(tc.after) }

			stored, res, err := reconcile(t, r, a)
			if (stored != nil) != tc.wantKept {
				t.Fatalf("kept = %v, want %v (%v, %v)", stored != nil, tc.wantKept, res, err)
			}
			if (api.calls["delete"] == 1) != tc.wantDeleted {
				t.Errorf("calls %v, want the agent deleted: %v", api.calls, tc.wantDeleted)
			}
			if tc.wantKept {
				if err != nil || res.RequeueAfter <= 0 || res.RequeueAfter > time.Minute {
					t.Errorf("want a retry within a minute, without error: %v, %v", res, err)
				}
				if ready := condition(stored, orqv1alpha1.ConditionReady); ready.Reason != orqv1alpha1.ReasonDependencyNotReady || !strings.Contains(ready.Message, "team/prompts") {
					t.Errorf("Ready = %+v", ready)
				}
			}
			var notes []string
			for len(rec.Events) > 0 {
				notes = append(notes, <-rec.Events)
			}
			orphaned := strings.Contains(strings.Join(notes, "\n"), "Orphaned")
			if orphaned != (tc.wantEvent != "") || !strings.Contains(strings.Join(notes, "\n"), tc.wantEvent) {
				t.Errorf("events %q, want an Orphaned event naming %q: %v", notes, tc.wantEvent, tc.wantEvent != "")
			}
		})
	}
}
