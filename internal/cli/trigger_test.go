package cli

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
	"github.com/orq-ai/orq-operator/internal/orqclient"
	"github.com/orq-ai/orq-operator/internal/orqmem"
	"github.com/orq-ai/orq-operator/internal/testenv"
)

const triggerKey = "trigger-test-key-0123456789"

func TestScheduleName(t *testing.T) {
	for _, c := range []struct {
		args       []string
		name, fail string
	}{
		{[]string{"agentschedule/nightly"}, "nightly", ""},
		{[]string{"agentschedules.orq.ai/nightly"}, "nightly", ""},
		{[]string{"orqschedule", "nightly"}, "nightly", ""},
		{[]string{"AgentSchedule/nightly"}, "nightly", ""},
		{[]string{"agent/support"}, "", `only an AgentSchedule can be triggered (agentschedule/NAME), not a "agent"`},
		{[]string{"agentschedule/"}, "", "names no AgentSchedule"},
		{[]string{"agentschedule/a/b"}, "", "names no AgentSchedule"},
		{[]string{"nightly"}, "", "give one agentschedule/NAME"},
		{nil, "", "give one agentschedule/NAME"},
		{[]string{"agentschedule/a", "agentschedule/b"}, "", "only an AgentSchedule can be triggered"},
	} {
		name, err := ScheduleName(c.args)
		if name != c.name || (c.fail == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), c.fail)) {
			t.Errorf("%q: %q, %v; want %q, %q", c.args, name, err, c.name, c.fail)
		}
	}
}

// triggerWorkspace is testenv.TriggerWorkspace with this file's API key.
func triggerWorkspace(t *testing.T) (mem *orqmem.Server, url, active, inactive string) {
	t.Helper()
	return testenv.TriggerWorkspace(t, triggerKey)
}

// scheduleIn is an AgentSchedule of the Agent digest whose status records the schedule id, made
// with the key of hash keyHash ("" records none).
func scheduleIn(name, id, keyHash string) *orqv1alpha1.AgentSchedule {
	s := &orqv1alpha1.AgentSchedule{ObjectMeta: metav1.ObjectMeta{Namespace: "team", Name: name},
		Spec: orqv1alpha1.AgentScheduleSpec{AgentRef: orqv1alpha1.LocalAgentReference{Name: "digest"}, Expression: "0 0 9 * * *"}}
	if id != "" {
		s.Status.ID, s.Status.AgentKey, s.Status.APIKeyHash = id, "digest", keyHash
	}
	return s
}

// agentWithSecret is the Agent digest, its API key in the Secret digest-key when withSecret.
func agentWithSecret(withSecret bool) *orqv1alpha1.Agent {
	a := &orqv1alpha1.Agent{ObjectMeta: metav1.ObjectMeta{Namespace: "team", Name: "digest"}}
	if withSecret {
		a.Spec.APIKeySecretRef = &orqv1alpha1.SecretKeyReference{Name: "digest-key", Key: "apiKey"}
	}
	return a
}

var keySecret = &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: "team", Name: "digest-key"}, Data: map[string][]byte{"apiKey": []byte(triggerKey + "\n")}}

// `trigger agentschedule/NAME` runs the schedule now, with the key of its workspace, and prints
// orq's refusal of an inactive one; it sends nothing when it cannot know what to run or with which
// key.
func TestTrigger(t *testing.T) {
	mem, url, active, inactive := triggerWorkspace(t)
	ourHash := orqclient.KeyHash(triggerKey)
	forbidden := interceptor.Funcs{Get: func(ctx context.Context, c client.WithWatch, key client.ObjectKey, obj client.Object, opts ...client.GetOption) error {
		if _, ok := obj.(*corev1.Secret); ok {
			return apierrors.NewForbidden(schema.GroupResource{Resource: "secrets"}, key.Name, nil)
		}
		return c.Get(ctx, key, obj, opts...)
	}}
	for _, c := range []struct {
		name        string
		cluster     []client.Object
		envKey      string
		intercept   *interceptor.Funcs
		code        int
		out, stderr string
		sent        bool
	}{
		{name: "active, with ORQ_API_KEY", cluster: []client.Object{scheduleIn("nightly", active, ourHash), agentWithSecret(false)}, envKey: triggerKey,
			out: "agentschedule.orq.ai/nightly triggered: orq runs schedule " + active + " of agent digest now", sent: true},
		{name: "inactive: orq's message", cluster: []client.Object{scheduleIn("nightly", inactive, ourHash), agentWithSecret(false)}, envKey: triggerKey,
			code: 1, stderr: "trigger: orq refused to run schedule " + inactive + " of agent digest (400): Schedule \"" + inactive + "\" is inactive: activate it", sent: true},
		{name: "not created yet", cluster: []client.Object{scheduleIn("nightly", "", ""), agentWithSecret(false)}, envKey: triggerKey,
			code: 1, stderr: "trigger: AgentSchedule team/nightly has no schedule in orq yet"},
		{name: "no such AgentSchedule", envKey: triggerKey, code: 1, stderr: "trigger: AgentSchedule team/nightly not found"},
		{name: "the key from the Agent's Secret", cluster: []client.Object{scheduleIn("nightly", active, ourHash), agentWithSecret(true), keySecret},
			out: "triggered", sent: true},
		{name: "ORQ_API_KEY of another workspace, the Agent's Secret of this one", cluster: []client.Object{scheduleIn("nightly", active, ourHash), agentWithSecret(true), keySecret},
			envKey: "another-workspace-key-000000", out: "triggered", sent: true},
		{name: "ORQ_API_KEY of another workspace only", cluster: []client.Object{scheduleIn("nightly", active, ourHash), agentWithSecret(false)},
			envKey: "another-workspace-key-000000", code: 1, stderr: "trigger: ORQ_API_KEY: not the key of the workspace of AgentSchedule team/nightly (its status records key " + ourHash + ")"},
		{name: "no key at all", cluster: []client.Object{scheduleIn("nightly", active, ourHash), agentWithSecret(false)},
			code: 1, stderr: "trigger: ORQ_API_KEY is not set"},
		{name: "a Secret the user may not read", cluster: []client.Object{scheduleIn("nightly", active, ourHash), agentWithSecret(true), keySecret}, intercept: &forbidden,
			code: 1, stderr: "trigger: ORQ_API_KEY is not set, and Secret team/digest-key key apiKey (spec.apiKeySecretRef of Agent digest) could not be read: secrets \"digest-key\" is forbidden"},
	} {
		t.Run(c.name, func(t *testing.T) {
			mem.ResetRequests()
			b := fake.NewClientBuilder().WithScheme(Scheme).WithObjects(c.cluster...)
			if c.intercept != nil {
				b = b.WithInterceptorFuncs(*c.intercept)
			}
			var out, errb bytes.Buffer
			code := trigger(context.Background(), b.Build(), "team", "nightly", Orq{BaseURL: url, APIKey: c.envKey, RequestTimeout: 5 * time.Second}, Streams{Out: &out, Err: &errb})
			if code != c.code || !strings.Contains(out.String(), c.out) || !strings.Contains(errb.String(), c.stderr) {
				t.Errorf("exit status %d, stdout %q, stderr %q; want %d, %q, %q", code, out.String(), errb.String(), c.code, c.out, c.stderr)
			}
			if (c.out == "") != (out.Len() == 0) || (c.stderr == "") != (errb.Len() == 0) {
				t.Errorf("stdout %q, stderr %q: one of them and not the other", out.String(), errb.String())
			}
			var posts []string
			for _, r := range mem.Requests() {
				posts = append(posts, r.Method+" "+r.Path)
			}
			if c.sent != (len(posts) == 1) || len(posts) > 1 || (c.sent && !strings.HasSuffix(posts[0], "/execution")) {
				t.Errorf("sent %v, want one POST of the execution: %v", posts, c.sent)
			}
			if strings.Contains(out.String()+errb.String(), triggerKey) {
				t.Error("the API key was printed")
			}
		})
	}
	if s, _ := mem.Schedule(active); fmt.Sprint(s["trigger_count"]) != "3" {
		t.Errorf("the active schedule fired %v times, want 3 (the three triggers sent)", s["trigger_count"])
	}
}
