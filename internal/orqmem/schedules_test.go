package orqmem_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/orq-ai/orq-operator/internal/orqmem"
)

// scheduleBody returns a minimal schedule create body.
func scheduleBody() body {
	return body{"type": "cron", "expression": "0 0 9 * * *", "display_name": "Daily", "payload": map[string]any{"input": "Report"}}
}

// schedulesOf is the schedules route of agent key.
func schedulesOf(key string) string { return "/v3/agents/" + key + "/schedules" }

// scheduleErr returns the code and message of a schedule error answer.
func scheduleErr(t *testing.T, res result) (string, string) {
	t.Helper()
	e, _ := res.json(t)["error"].(map[string]any)
	code, _ := e["code"].(string)
	msg, _ := e["message"].(string)
	return code, msg
}

func TestScheduleCreateEcho(t *testing.T) {
	h := newHarness(t, orqmem.Options{})
	h.create(baseBody("reporter"))
	got := h.post(schedulesOf("reporter"), scheduleBody().set("payload", raw(`{"input":"Report for {{region}}",
	  "memory_entity_id":"m-1","metadata":{"source":"test"},"variables":{"region":"EMEA"}}`)), http.StatusCreated)
	if id, _ := got["_id"].(string); !ulidPattern.MatchString(id) {
		t.Errorf("_id %q is not a ULID", id)
	}
	keyID, _ := got["created_by_id"].(string)
	if !ulidPattern.MatchString(keyID) || strings.Contains(keyID, testToken) {
		t.Errorf("created_by_id %q is no key id", keyID)
	}
	for _, f := range []string{"_id", "created", "updated", "created_by_id"} {
		delete(got, f)
	}
	jsonEqual(t, "schedule", got, `{"agent_key":"reporter","type":"cron","expression":"0 0 9 * * *","display_name":"Daily",
	  "is_active":true,"generation":1,"trigger_count":0,
	  "payload":{"input":"Report for {{region}}","memory_entity_id":"m-1","metadata":{"source":"test"},"variables":{"region":"EMEA"}}}`)
}

func TestScheduleValidation(t *testing.T) {
	h := newHarness(t, orqmem.Options{})
	h.create(baseBody("reporter"))
	cases := []struct {
		name string
		b    body
		code string
		path string
	}{
		{"range of hours", scheduleBody().set("expression", "0 0 9-17 * * *"), "invalid_expression", "expression"},
		{"every minute", scheduleBody().set("expression", "0 * * * * *"), "invalid_expression", "expression"},
		{"five fields", scheduleBody().set("expression", "0 9 * * *"), "invalid_expression", "expression"},
		{"named weekday", scheduleBody().set("expression", "0 0 9 * * MON"), "invalid_expression", "expression"},
		{"interval", scheduleBody().set("type", "interval"), "invalid_type", "type"},
		{"no display_name", scheduleBody().del("display_name"), "invalid_request", "display_name"},
		{"no payload", scheduleBody().del("payload"), "invalid_request", "payload"},
		{"unknown member", scheduleBody().set("timezone", "UTC"), "invalid_request", "timezone"},
		{"unknown payload member", scheduleBody().set("payload", raw(`{"inputs":"x"}`)), "invalid_request", "payload.inputs"},
		{"metadata not strings", scheduleBody().set("payload", raw(`{"metadata":{"n":1}}`)), "invalid_request", "payload.metadata.n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := h.do(http.MethodPost, schedulesOf("reporter"), c.b.String())
			mustStatus(t, res, http.StatusBadRequest)
			code, msg := scheduleErr(t, res)
			if code != c.code || !strings.HasPrefix(msg, c.path+": ") {
				t.Errorf("error %s %q, want %s naming %s", code, msg, c.code, c.path)
			}
		})
	}
	res := h.do(http.MethodPost, schedulesOf("reporter"), scheduleBody().set("expression", "0 0 9 * * 1-5").String())
	if _, msg := scheduleErr(t, res); !strings.Contains(msg, `weekly "0 0 9 * * 1"`) {
		t.Errorf("the expression error does not say which shapes are accepted: %q", msg)
	}
	if n := len(h.fake.Schedules("reporter")); n != 0 {
		t.Errorf("%d schedules stored from invalid bodies", n)
	}
}

func TestScheduleAgentAndVersion(t *testing.T) {
	h := newHarness(t, orqmem.Options{})
	res := h.do(http.MethodPost, schedulesOf("ghost"), scheduleBody().String())
	if code, _ := scheduleErr(t, res); res.status != http.StatusNotFound || code != "agent_not_found" {
		t.Errorf("unknown agent: %d %s", res.status, res.body)
	}
	for _, m := range []string{http.MethodGet, http.MethodPost} {
		if res := h.do(m, schedulesOf("ghost"), scheduleBody().String()); res.status != http.StatusNotFound {
			t.Errorf("%s on an unknown agent's schedules: %d", m, res.status)
		}
	}
	h.create(baseBody("versioned"))
	mustStatus(t, h.do(http.MethodPatch, "/v2/agents/versioned", `{"role":"r2","versionIncrement":"minor"}`), http.StatusOK)
	if got := h.fake.AgentVersions("versioned"); strings.Join(got, ",") != "1.0.0,1.1.0" {
		t.Errorf("versions %v", got)
	}
	h.post(schedulesOf("versioned"), scheduleBody().set("agent_tag", "1.0.0"), http.StatusCreated) // a version it had
	res = h.do(http.MethodPost, schedulesOf("versioned"), scheduleBody().set("agent_tag", "2.0.0").String())
	if code, _ := scheduleErr(t, res); res.status != http.StatusNotFound || code != "agent_version_not_found" {
		t.Errorf("unknown version: %d %s", res.status, res.body)
	}
}

func TestScheduleUpdateGeneration(t *testing.T) {
	h := newHarness(t, orqmem.Options{})
	h.create(baseBody("reporter"))
	created := h.post(schedulesOf("reporter"), scheduleBody(), http.StatusCreated)
	path := schedulesOf("reporter") + "/" + created["_id"].(string)
	mustStatus(t, h.do(http.MethodPost, path+"/execution", ""), http.StatusAccepted)
	steps := []struct {
		name, patch string
		changes     bool
		generation  string
		triggers    string // trigger_count after the patch
	}{
		{"payload only", `{"payload":{"input":"New"}}`, true, "1", "1"},
		{"agent_tag only", `{"agent_tag":"1.0.0"}`, true, "1", "1"},
		{"display_name only", `{"display_name":"Renamed"}`, true, "1", "1"},
		{"same expression and type", `{"expression":"0 0 9 * * *","type":"cron"}`, false, "1", "1"},
		{"new expression", `{"expression":"0 0 * * * *"}`, true, "2", "0"},
		{"deactivation", `{"is_active":false}`, true, "2", "0"},
		{"still inactive", `{"is_active":false}`, false, "2", "0"},
		{"reactivation", `{"is_active":true}`, true, "3", "0"},
	}
	previous := created
	for _, s := range steps {
		res := h.do(http.MethodPatch, path, s.patch)
		mustStatus(t, res, http.StatusOK)
		got := res.json(t)
		jsonEqual(t, s.name+": generation", got["generation"], s.generation)
		jsonEqual(t, s.name+": trigger_count", got["trigger_count"], s.triggers)
		if moved := got["updated"] != previous["updated"]; moved != s.changes {
			t.Errorf("%s: updated moved %v, want %v", s.name, moved, s.changes)
		}
		if s.changes && got["updated_by_id"] != created["created_by_id"] {
			t.Errorf("%s: updated_by_id %v, want the key's id %v", s.name, got["updated_by_id"], created["created_by_id"])
		}
		previous = got
		if s.name == "deactivation" {
			res := h.do(http.MethodPost, path+"/execution", "")
			if code, msg := scheduleErr(t, res); res.status != http.StatusBadRequest || code != "schedule_inactive" || msg == "" {
				t.Errorf("execution of an inactive schedule: %d %s", res.status, res.body)
			}
		}
	}
	if _, ok := created["updated_by_id"]; ok {
		t.Error("updated_by_id present before any update")
	}
	res := h.do(http.MethodPatch, path, `{"agent_tag":"9.9.9"}`)
	if code, _ := scheduleErr(t, res); res.status != http.StatusNotFound || code != "agent_version_not_found" {
		t.Errorf("unknown agent_tag: %d %s", res.status, res.body)
	}
	res = h.do(http.MethodPatch, path, `{"type":"once"}`)
	if code, _ := scheduleErr(t, res); res.status != http.StatusBadRequest || code != "invalid_type" {
		t.Errorf("type once: %d %s", res.status, res.body)
	}
}

func TestScheduleExecution(t *testing.T) {
	h := newHarness(t, orqmem.Options{})
	h.create(baseBody("reporter"))
	created := h.post(schedulesOf("reporter"), scheduleBody(), http.StatusCreated)
	id := created["_id"].(string)
	if _, ok := created["last_triggered_at"]; ok {
		t.Error("last_triggered_at present before any firing")
	}
	for range 2 {
		res := h.do(http.MethodPost, schedulesOf("reporter")+"/"+id+"/execution", "")
		mustStatus(t, res, http.StatusAccepted)
		jsonEqual(t, "execution answer", res.json(t), `{"schedule_id":"`+id+`","status":"triggered"}`)
	}
	got := h.do(http.MethodGet, schedulesOf("reporter")+"/"+id, "").json(t)
	jsonEqual(t, "trigger_count", got["trigger_count"], `2`)
	if got["last_triggered_at"] == nil || got["updated"] != created["updated"] {
		t.Errorf("after two firings: last_triggered_at %v, updated %v (was %v)", got["last_triggered_at"], got["updated"], created["updated"])
	}
}

func TestSchedulesBelongToTheirAgent(t *testing.T) {
	h := newHarness(t, orqmem.Options{})
	h.create(baseBody("a"))
	h.create(baseBody("b"))
	first := h.post(schedulesOf("a"), scheduleBody(), http.StatusCreated)["_id"].(string)
	second := h.post(schedulesOf("a"), scheduleBody().set("display_name", "Second"), http.StatusCreated)["_id"].(string)

	res := h.do(http.MethodGet, schedulesOf("a"), "")
	mustStatus(t, res, http.StatusOK)
	var ids []string
	for _, s := range res.json(t)["schedules"].([]any) {
		ids = append(ids, s.(map[string]any)["_id"].(string))
	}
	if strings.Join(ids, ",") != second+","+first {
		t.Errorf("list %v, want newest first", ids)
	}
	jsonEqual(t, "b's schedules", h.do(http.MethodGet, schedulesOf("b"), "").json(t), `{"schedules":[]}`)
	for _, m := range []string{http.MethodGet, http.MethodPatch, http.MethodDelete} {
		res := h.do(m, schedulesOf("b")+"/"+first, `{}`)
		if code, _ := scheduleErr(t, res); res.status != http.StatusNotFound || code != "schedule_not_found" {
			t.Errorf("%s of a's schedule under b: %d %s", m, res.status, res.body)
		}
	}

	res = h.do(http.MethodDelete, "/v2/agents/a", "")
	if res.status != http.StatusConflict || res.message(t) != `Agent "a" has schedules: `+first+", "+second+"; delete them first" {
		t.Errorf("delete of an agent with schedules: %d %s", res.status, res.body)
	}
	mustStatus(t, h.do(http.MethodPatch, "/v2/agents/a", `{"key":"renamed"}`), http.StatusOK)
	got := h.do(http.MethodGet, schedulesOf("renamed")+"/"+first, "")
	mustStatus(t, got, http.StatusOK)
	jsonEqual(t, "agent_key after the agent's rename", got.json(t)["agent_key"], `"renamed"`)
	for _, id := range []string{first, second} {
		res := h.do(http.MethodDelete, schedulesOf("renamed")+"/"+id, "")
		if res.status != http.StatusNoContent || len(res.body) != 0 {
			t.Errorf("delete: %d %q", res.status, res.body)
		}
	}
	mustStatus(t, h.do(http.MethodGet, schedulesOf("renamed")+"/"+first, ""), http.StatusNotFound)
	mustStatus(t, h.do(http.MethodDelete, "/v2/agents/renamed", ""), http.StatusNoContent)
}

func TestSchedulesSeenWithTheirAgent(t *testing.T) {
	h := scopedHarness(t)
	h.create(baseBody("default-agent"))
	id := h.post(schedulesOf("default-agent"), scheduleBody(), http.StatusCreated)["_id"].(string)
	for _, p := range []string{schedulesOf("default-agent"), schedulesOf("default-agent") + "/" + id} {
		res := h.doWithToken(http.MethodGet, p, "", salesKey)
		if code, _ := scheduleErr(t, res); res.status != http.StatusNotFound || code != "agent_not_found" {
			t.Errorf("the Sales key reads %s: %d %s", p, res.status, res.body)
		}
	}
	h.doWithToken(http.MethodPost, "/v2/agents", baseBody("sales-agent").set("path", "agents").String(), salesKey)
	mine := h.doWithToken(http.MethodPost, schedulesOf("sales-agent"), scheduleBody().String(), salesKey)
	mustStatus(t, mine, http.StatusCreated)
	if mine.json(t)["created_by_id"] == h.fake.Schedules("default-agent")[0]["created_by_id"] {
		t.Error("two API keys share a created_by_id")
	}
}

func TestScheduleRouting(t *testing.T) {
	h := newHarness(t, orqmem.Options{})
	h.create(baseBody("a"))
	cases := []struct {
		method, path string
		status       int
	}{
		{http.MethodPut, schedulesOf("a"), http.StatusMethodNotAllowed},
		{http.MethodPut, schedulesOf("a") + "/x", http.StatusMethodNotAllowed},
		{http.MethodGet, schedulesOf("a") + "/x/execution", http.StatusMethodNotAllowed},
		{http.MethodGet, "/v3/agents/a", http.StatusNotFound},
		{http.MethodGet, "/v3/agents/a/other", http.StatusNotFound},
		{http.MethodGet, schedulesOf("a") + "/x/y", http.StatusNotFound},
		{http.MethodGet, schedulesOf("a") + "/", http.StatusNotFound},
	}
	for _, c := range cases {
		if res := h.do(c.method, c.path, ""); res.status != c.status {
			t.Errorf("%s %s: %d, want %d", c.method, c.path, res.status, c.status)
		}
	}
}
