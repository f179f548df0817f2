package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
	"github.com/orq-ai/orq-operator/internal/cli"
	"github.com/orq-ai/orq-operator/internal/orqclient"
	"github.com/orq-ai/orq-operator/internal/orqmem"
	"github.com/orq-ai/orq-operator/internal/testenv"
)

const triggerKey = "plugin-trigger-key-0123456789"

// workspace is testenv.TriggerWorkspace with this file's API key.
func workspace(t *testing.T) (mem *orqmem.Server, url, active, inactive string) {
	t.Helper()
	return testenv.TriggerWorkspace(t, triggerKey)
}

// cluster is envtest's apiserver with the operator's CRDs and, in namespace team, the
// AgentSchedules nightly and paused whose status records the schedules given; it returns the
// path of a kubeconfig of it.
func cluster(t *testing.T, nightly, paused string) string {
	t.Helper()
	if os.Getenv("KUBEBUILDER_ASSETS") == "" {
		t.Skip("KUBEBUILDER_ASSETS is not set, so there is no apiserver to read AgentSchedules from: run `make test`, or KUBEBUILDER_ASSETS=$(hack/envtest-assets.sh) go test ./cmd/kubectl-orq/")
	}
	env := &envtest.Environment{CRDDirectoryPaths: []string{filepath.Join("..", "..", "config", "crd", "bases")}, ErrorIfCRDPathMissing: true}
	cfg, err := env.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = env.Stop() })
	c, err := client.New(cfg, client.Options{Scheme: cli.Scheme})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := c.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "team"}}); err != nil {
		t.Fatal(err)
	}
	for name, id := range map[string]string{"nightly": nightly, "paused": paused} {
		s := &orqv1alpha1.AgentSchedule{ObjectMeta: metav1.ObjectMeta{Namespace: "team", Name: name},
			Spec: orqv1alpha1.AgentScheduleSpec{AgentRef: orqv1alpha1.LocalAgentReference{Name: "digest"}, Expression: "0 0 9 * * *"}}
		if err := c.Create(ctx, s); err != nil {
			t.Fatal(err)
		}
		s.Status.ID, s.Status.AgentKey, s.Status.APIKeyHash = id, "digest", orqclient.KeyHash(triggerKey)
		if err := c.Status().Update(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	user, err := env.AddUser(envtest.User{Name: "plugin-user", Groups: []string{"system:masters"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	kubeconfig, err := user.KubeConfig()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "kubeconfig")
	if err := os.WriteFile(path, kubeconfig, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// kubectl orq trigger runs an active schedule now, and refuses an inactive one with orq's
// message, reading the AgentSchedule from the cluster of --kubeconfig.
func TestTriggerAgainstACluster(t *testing.T) {
	mem, url, active, inactive := workspace(t)
	kubeconfig := cluster(t, active, inactive)
	env := []string{"ORQ_API_KEY=" + triggerKey, "ORQ_API_BASE_URL=" + url}
	for _, c := range []struct {
		args        []string
		code        int
		out, stderr string
		sent        bool
	}{
		{args: []string{"agentschedule/nightly", "-n", "team"}, sent: true,
			out: "agentschedule.orq.ai/nightly triggered: orq runs schedule " + active + " of agent digest now"},
		{args: []string{"agentschedules.orq.ai", "paused", "--namespace=team"}, code: 1, sent: true,
			stderr: "trigger: orq refused to run schedule " + inactive + " of agent digest (400): Schedule \"" + inactive + "\" is inactive"},
		{args: []string{"agentschedule/nightly"}, code: 1, stderr: "trigger: AgentSchedule default/nightly not found"},
		{args: []string{"agentschedule/missing", "-n", "team"}, code: 1, stderr: "trigger: AgentSchedule team/missing not found"},
	} {
		mem.ResetRequests()
		r := runPlugin(t, env, append([]string{"trigger", "--kubeconfig", kubeconfig}, c.args...)...)
		if r.code != c.code || !strings.Contains(r.stdout, c.out) || !strings.Contains(r.stderr, c.stderr) || (c.out == "") != (r.stdout == "") || (c.stderr == "") != (r.stderr == "") {
			t.Errorf("kubectl orq trigger %q: exit status %d, stdout %q, stderr %q; want %d, %q, %q", c.args, r.code, r.stdout, r.stderr, c.code, c.out, c.stderr)
		}
		if sent := len(mem.Requests()); (sent == 1) != c.sent || sent > 1 {
			t.Errorf("kubectl orq trigger %q: %d requests to orq, want one: %v", c.args, sent, c.sent)
		}
		if strings.Contains(r.stdout+r.stderr, triggerKey) {
			t.Error("the API key was printed")
		}
	}
	// The shell completes trigger's argument with the AgentSchedules of the namespace.
	r := runPlugin(t, nil, "__complete", "trigger", "--kubeconfig", kubeconfig, "-n", "team", "")
	if r.code != 0 || !strings.HasPrefix(r.stdout, "agentschedule/nightly\nagentschedule/paused\n:4\n") {
		t.Errorf("completing kubectl orq trigger -n team: exit status %d, %q", r.code, r.stdout)
	}
	if s, _ := mem.Schedule(active); fmt.Sprint(s["trigger_count"]) != "1" {
		t.Errorf("the active schedule's trigger_count is %v, want 1", s["trigger_count"])
	}
}
