package orqmem_test

import (
	"net/http"
	"testing"

	"github.com/orq-ai/orq-operator/internal/orqmem"
)

// projectOf creates an agent at path and returns its project_id.
func (h *harness) projectOf(key, path string) string {
	h.t.Helper()
	id, _ := h.create(baseBody(key).set("path", path))["project_id"].(string)
	return id
}

func TestPathNamesTheProject(t *testing.T) {
	h := newHarness(t, orqmem.Options{ProjectID: "proj-1", Projects: map[string]string{"Fixed": "01JQRM3MP0F1XED000000000AA"}})
	if got := h.projectOf("a", "Default/folder"); got != "proj-1" {
		t.Errorf("project Default has id %q, want Options.ProjectID", got)
	}
	if got := h.projectOf("fixed", "Fixed"); got != "01JQRM3MP0F1XED000000000AA" {
		t.Errorf("project Fixed has id %q, want its Options.Projects id", got)
	}
	sales := h.projectOf("b", "Sales/agents")
	if !ulidPattern.MatchString(sales) || sales == "proj-1" {
		t.Fatalf("project Sales has id %q, want a ULID of its own", sales)
	}
	if got := h.projectOf("c", "Sales"); got != sales {
		t.Errorf("second mention of Sales gave %q, first %q", got, sales)
	}
	if got := h.projectOf("d", "Default Project/support"); got == sales || got == "proj-1" {
		t.Errorf("project \"Default Project\" shares id %q", got)
	}
	mustStatus(t, h.do(http.MethodDelete, "/v2/agents/b", ""), http.StatusNoContent)
	mustStatus(t, h.do(http.MethodDelete, "/v2/agents/c", ""), http.StatusNoContent)
	if got := h.projectOf("e", "Sales/other"); got != sales {
		t.Errorf("Sales got id %q after its agents were deleted, was %q", got, sales)
	}
	res := h.do(http.MethodPatch, "/v2/agents/a", `{"path":"Sales/moved"}`)
	mustStatus(t, res, http.StatusOK)
	jsonEqual(t, "project_id after a path update", res.json(t)["project_id"], `"`+sales+`"`)
}

func TestPathMustNameAProject(t *testing.T) {
	h := newHarness(t, orqmem.Options{})
	for _, p := range []string{"", "/agents"} {
		res := h.do(http.MethodPost, "/v2/agents", baseBody("x").set("path", p).String())
		mustStatus(t, res, http.StatusBadRequest)
		if want := "path: must start with the name of a project"; res.message(t) != want {
			t.Errorf("path %q: message %q, want %q", p, res.message(t), want)
		}
	}
}

func TestUpdateProjectID(t *testing.T) {
	h := newHarness(t, orqmem.Options{})
	sales := h.projectOf("seller", "Sales")
	h.create(baseBody("mover").set("path", "Default/team/bots"))

	res := h.do(http.MethodPatch, "/v2/agents/mover", `{"project_id":"`+sales+`"}`)
	mustStatus(t, res, http.StatusOK)
	a := res.json(t)
	jsonEqual(t, "project_id", a["project_id"], `"`+sales+`"`)
	jsonEqual(t, "path", a["path"], `"Sales/team/bots"`)

	res = h.do(http.MethodPatch, "/v2/agents/mover", `{"project_id":"01JQRM3MP0N0SUCHPR0JECT000","role":"changed"}`)
	mustStatus(t, res, http.StatusNotFound)
	if string(res.body) != `{"message":"Project not found"}` {
		t.Errorf("unknown project_id: body %s", res.body)
	}
	after, _ := h.fake.Agent("mover")
	jsonEqual(t, "role after a refused update", after["role"], `"Support agent"`)

	res = h.do(http.MethodPatch, "/v2/agents/mover", `{"project_id":"`+sales+`","path":"Default/x"}`)
	mustStatus(t, res, http.StatusBadRequest)
	res = h.do(http.MethodPatch, "/v2/agents/mover", `{"project_id":"`+sales+`","path":"Sales/x"}`)
	mustStatus(t, res, http.StatusOK)
	jsonEqual(t, "path", res.json(t)["path"], `"Sales/x"`)
}
