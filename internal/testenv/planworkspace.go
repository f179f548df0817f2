package testenv

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
	"github.com/orq-ai/orq-operator/internal/agentdiff"
	"github.com/orq-ai/orq-operator/internal/manifest"
	"github.com/orq-ai/orq-operator/internal/orqclient"
	"github.com/orq-ai/orq-operator/internal/orqmem"
)

// PlanKey is the API key of PlanWorkspace's in-memory API.
const PlanKey = "plan-test-key-0123456789"

// AgentManifest is an Agent manifest of the plan tests; adopt sets adoptionPolicy Adopt.
func AgentManifest(name, instructions string, adopt bool) string {
	policy := ""
	if adopt {
		policy = "  adoptionPolicy: Adopt\n"
	}
	var prompt strings.Builder
	for _, l := range strings.Split(strings.TrimSuffix(instructions, "\n"), "\n") {
		prompt.WriteString("    " + l + "\n")
	}
	return "apiVersion: orq.ai/v1alpha1\nkind: Agent\nmetadata:\n  name: " + name + "\nspec:\n" + policy +
		"  role: Helper\n  description: Helps\n  path: Default/plan\n  model:\n    id: openai/gpt-4o\n" +
		"  instructions: |\n" + prompt.String()
}

// PlanWorkspace is the in-memory API on loopback, its key and URL in the environment variables
// keyEnv and urlEnv, holding an agent for each Agent manifest given, as the operator would have
// created it from that manifest. Its request record starts empty.
func PlanWorkspace(t *testing.T, keyEnv, urlEnv string, existing ...string) *orqmem.Server {
	t.Helper()
	mem := orqmem.New(orqmem.Options{APIKeys: []string{PlanKey}})
	srv := httptest.NewServer(mem)
	t.Cleanup(srv.Close)
	t.Setenv(keyEnv, PlanKey)
	t.Setenv(urlEnv, srv.URL)
	api, err := orqclient.New(orqclient.Options{BaseURL: srv.URL, APIKey: PlanKey, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range existing {
		decoded, err := manifest.Decode(strings.NewReader(m), "test", "default")
		if err != nil {
			t.Fatal(err)
		}
		body, err := agentdiff.Desired(decoded.Objects[0].(*orqv1alpha1.Agent))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := api.CreateAgent(context.Background(), body); err != nil {
			t.Fatal(err)
		}
	}
	mem.ResetRequests()
	return mem
}

// OnlyReads fails the test unless a plan read from orq and sent nothing but GETs.
func OnlyReads(t *testing.T, mem *orqmem.Server) {
	t.Helper()
	if len(mem.Requests()) == 0 {
		t.Fatal("the plan read nothing from orq")
	}
	for _, r := range mem.Requests() {
		if r.Method != http.MethodGet {
			t.Errorf("a plan sent %s %s", r.Method, r.Path)
		}
	}
}
