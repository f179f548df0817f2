package cli

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
	"github.com/orq-ai/orq-operator/internal/agentdiff"
	"github.com/orq-ai/orq-operator/internal/manifest"
	"github.com/orq-ai/orq-operator/internal/orqclient"
	"github.com/orq-ai/orq-operator/internal/orqmem"
)

const planKey = "plan-test-key-0123456789"

// agentYAML is an Agent manifest; adopt sets adoptionPolicy Adopt.
func agentYAML(name, instructions string, adopt bool) string {
	policy := ""
	if adopt {
		policy = "  adoptionPolicy: Adopt\n"
	}
	return "apiVersion: orq.ai/v1alpha1\nkind: Agent\nmetadata:\n  name: " + name + "\nspec:\n" + policy +
		"  role: Helper\n  description: Helps\n  path: Default/plan\n  model:\n    id: openai/gpt-4o\n" +
		"  instructions: |\n    " + strings.ReplaceAll(strings.TrimSuffix(instructions, "\n"), "\n", "\n    ") + "\n"
}

// planWorkspace is the in-memory API on loopback (its URL in ORQ_API_BASE_URL), holding an agent
// for each manifest given, as the operator would have created it from that manifest.
func planWorkspace(t *testing.T, existing ...string) *orqmem.Server {
	t.Helper()
	mem := orqmem.New(orqmem.Options{APIKeys: []string{planKey}})
	srv := httptest.NewServer(mem)
	t.Cleanup(srv.Close)
	t.Setenv(EnvAPIKey, planKey)
	t.Setenv(EnvBaseURL, srv.URL)
	api, err := orqclient.New(orqclient.Options{BaseURL: srv.URL, APIKey: planKey, Timeout: 5 * time.Second})
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

// baseURLFromEnv is the URL of planWorkspace's API.
func baseURLFromEnv(t *testing.T) string {
	t.Helper()
	return os.Getenv(EnvBaseURL)
}

// onlyReads fails the test if the plan sent anything but GETs to orq.
func onlyReads(t *testing.T, mem *orqmem.Server) {
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
