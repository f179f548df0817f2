package orqmem_test

import (
	"net/http"
	"testing"

	"github.com/orq-ai/orq-operator/internal/orqmem"
)

const (
	workspaceKey = "workspace-key"
	salesKey     = "sales-key"
)

// scopedHarness has a workspace key and a key scoped to project Sales.
func scopedHarness(t *testing.T) *harness {
	h := newHarness(t, orqmem.Options{APIKeys: []string{workspaceKey}, ProjectKeys: map[string]string{salesKey: "Sales"}})
	h.token = workspaceKey
	return h
}

// field fetches agent key with token and returns one top-level field.
func (h *harness) field(token, key, name string) any {
	h.t.Helper()
	res := h.doWithToken(http.MethodGet, "/v2/agents/"+key, "", token)
	mustStatus(h.t, res, http.StatusOK)
	return res.json(h.t)[name]
}

func TestProjectKeyPathIsRelativeToItsProject(t *testing.T) {
	h := scopedHarness(t)
	sales := h.projectOf("ws-made", "Sales/bots")
	cases := []struct{ sent, echoed, stored string }{
		{"agents", "agents", "Sales/agents"},
		{"Sales/agents", "agents", "Sales/agents"},             // a leading project name that matches is ignored
		{"Sales", "", "Sales"},                                 // the project's root
		{"Other/agents", "Other/agents", "Sales/Other/agents"}, // any other first element is a folder
		{"Sales/Sales/x", "Sales/x", "Sales/Sales/x"},          // only one leading name is ignored
	}
	for _, c := range cases {
		res := h.doWithToken(http.MethodPost, "/v2/agents", baseBody("k").set("path", c.sent).String(), salesKey)
		mustStatus(t, res, http.StatusCreated)
		a := res.json(t)
		jsonEqual(t, "path echoed for "+c.sent, a["path"], `"`+c.echoed+`"`)
		jsonEqual(t, "project_id", a["project_id"], `"`+sales+`"`)
		jsonEqual(t, "path retrieved with the project key", h.field(salesKey, "k", "path"), `"`+c.echoed+`"`)
		jsonEqual(t, "path retrieved with a workspace key", h.field(workspaceKey, "k", "path"), `"`+c.stored+`"`)
		mustStatus(t, h.doWithToken(http.MethodDelete, "/v2/agents/k", "", salesKey), http.StatusNoContent)
	}
	jsonEqual(t, "agent of the workspace key seen by the project key", h.field(salesKey, "ws-made", "path"), `"bots"`)

	res := h.doWithToken(http.MethodPatch, "/v2/agents/ws-made", `{"path":"Sales/renamed"}`, salesKey)
	mustStatus(t, res, http.StatusOK)
	jsonEqual(t, "path after update", res.json(t)["path"], `"renamed"`)
}

func TestProjectKeySeesOnlyItsProject(t *testing.T) {
	h := scopedHarness(t)
	defaultID := h.projectOf("elsewhere", "Default/x")
	h.projectOf("mine", "Sales/x")
	for _, m := range []string{http.MethodGet, http.MethodDelete} {
		res := h.doWithToken(m, "/v2/agents/elsewhere", "", salesKey)
		mustStatus(t, res, http.StatusNotFound)
		if string(res.body) != `{"message":"Agent not found"}` {
			t.Errorf("%s of another project's agent: body %s", m, res.body)
		}
	}
	mustStatus(t, h.doWithToken(http.MethodPatch, "/v2/agents/elsewhere", `{"role":"r"}`, salesKey), http.StatusNotFound)
	list := h.doWithToken(http.MethodGet, "/v2/agents", "", salesKey).json(t)["data"].([]any)
	if len(list) != 1 || list[0].(map[string]any)["key"] != "mine" {
		t.Errorf("project key lists %v, want only agent mine", list)
	}
	// Keys are unique in the workspace, whatever project holds them.
	mustStatus(t, h.doWithToken(http.MethodPost, "/v2/agents", baseBody("elsewhere").String(), salesKey), http.StatusConflict)

	res := h.doWithToken(http.MethodPatch, "/v2/agents/mine", `{"project_id":"`+defaultID+`"}`, salesKey)
	mustStatus(t, res, http.StatusNotFound)
	if res.message(t) != "Project not found" {
		t.Errorf("moving out of the key's project: body %s", res.body)
	}
	mustStatus(t, h.doWithToken(http.MethodGet, "/v2/agents", "", "unknown"), http.StatusUnauthorized)
}
