package testenv

import (
	"context"
	"net/http/httptest"
	"testing"
	"time"

	schedulekind "github.com/orq-ai/orq-operator/internal/kinds/agentschedule"
	"github.com/orq-ai/orq-operator/internal/orqclient"
	"github.com/orq-ai/orq-operator/internal/orqmem"
)

// TriggerWorkspace is the in-memory orq API on loopback, with the API key given, holding the agent
// digest with an active schedule and an inactive one; it returns its URL and their ids. Its
// request record starts empty.
func TriggerWorkspace(t *testing.T, key string) (mem *orqmem.Server, url, active, inactive string) {
	t.Helper()
	mem = orqmem.New(orqmem.Options{APIKeys: []string{key}})
	srv := httptest.NewServer(mem)
	t.Cleanup(srv.Close)
	api, err := orqclient.New(orqclient.Options{BaseURL: srv.URL, APIKey: key, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := api.CreateAgent(ctx, orqclient.Body{"key": "digest", "role": "r", "description": "d", "instructions": "i",
		"path": "Default", "model": orqclient.Body{"id": "openai/gpt-4o"}, "settings": orqclient.Body{}}); err != nil {
		t.Fatal(err)
	}
	ids := make([]string, 2)
	for i, name := range []string{"on", "off"} {
		s, err := api.Create(ctx, schedulekind.Endpoint, "digest", orqclient.Body{"type": "cron", "expression": "0 0 9 * * *", "display_name": name, "payload": orqclient.Body{}})
		if err != nil {
			t.Fatal(err)
		}
		ids[i] = s.ID
	}
	if _, err := api.Update(ctx, schedulekind.Endpoint, "digest", ids[1], orqclient.Body{"is_active": false}); err != nil {
		t.Fatal(err)
	}
	mem.ResetRequests()
	return mem, srv.URL, ids[0], ids[1]
}
