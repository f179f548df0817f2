package cli

import (
	"os"
	"testing"

	"github.com/orq-ai/orq-operator/internal/orqmem"
	"github.com/orq-ai/orq-operator/internal/testenv"
)

// baseURLFromEnv is the URL of planWorkspace's API.
func baseURLFromEnv(t *testing.T) string {
	t.Helper()
	return os.Getenv(EnvBaseURL)
}

// The plan tests' manifests and workspace: see internal/testenv.
const planKey = testenv.PlanKey

func agentYAML(name, instructions string, adopt bool) string {
	return testenv.AgentManifest(name, instructions, adopt)
}

func planWorkspace(t *testing.T, existing ...string) *orqmem.Server {
	t.Helper()
	return testenv.PlanWorkspace(t, EnvAPIKey, EnvBaseURL, existing...)
}

func onlyReads(t *testing.T, mem *orqmem.Server) { t.Helper(); testenv.OnlyReads(t, mem) }
