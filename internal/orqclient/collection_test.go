package orqclient

import (
	"context"
	"errors"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/orq-ai/orq-operator/internal/orqmem"
)

// tools and schedules, as the kinds that manage them name their collections.
var (
	testTools     = Endpoint{Kind: "tool", Path: "/v2/tools", ByID: true}
	testSchedules = Endpoint{Kind: "schedule", Path: "/v3/agents/{parent}/schedules", ByID: true, Unpaged: true, ListMember: "schedules"}
)

// Any collection is reached through its Endpoint: by id or key, under a parent, paged or not.
func TestACollectionIsReachedThroughItsEndpoint(t *testing.T) {
	srv := httptest.NewServer(orqmem.New(orqmem.Options{APIKeys: []string{testKey}}))
	defer srv.Close()
	c, err := New(Options{BaseURL: srv.URL, APIKey: testKey})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()

	tool, err := c.Create(ctx, testTools, "", Body{"key": "lookup", "path": "Default", "description": "d", "type": "function",
		"function": Body{"name": "lookup"}})
	if err != nil || tool.ID == "" || tool.Key != "lookup" || tool.Updated == "" {
		t.Fatalf("create: %+v, %v", tool, err)
	}
	if got, err := c.Get(ctx, testTools, "", tool.ID); err != nil || got.Key != "lookup" {
		t.Errorf("get by id: %+v, %v", got, err)
	}
	if _, err := c.Get(ctx, testTools, "", "lookup"); !IsNotFound(err) {
		t.Errorf("get a tool by its key: %v, want orq's 404 (tools are addressed by id)", err)
	}
	if got, err := c.Update(ctx, testTools, "", tool.ID, Body{"type": "function", "description": "new"}); err != nil || got.Raw["description"] != "new" {
		t.Errorf("update: %+v, %v", got, err)
	}
	page, err := c.ListVersions(ctx, testTools, "", ListOptions{Limit: 200})
	if err != nil || len(page.Versions) != 1 || page.Versions[0].ID != tool.ID || page.Versions[0].Key != "lookup" {
		t.Errorf("list: %+v, %v", page, err)
	}

	if _, err := c.CreateAgent(ctx, Body{"key": "digest", "role": "r", "description": "d", "instructions": "i",
		"path": "Default", "model": Body{"id": "openai/gpt-4o"}, "settings": Body{}}); err != nil {
		t.Fatal(err)
	}
	sched, err := c.Create(ctx, testSchedules, "digest", Body{"type": "cron", "expression": "0 0 9 * * 1", "display_name": "weekly",
		"payload": Body{"input": "go"}})
	if err != nil || sched.ID == "" {
		t.Fatalf("create schedule: %+v, %v", sched, err)
	}
	all, err := c.ListVersions(ctx, testSchedules, "digest", ListOptions{})
	if err != nil || len(all.Versions) != 1 || all.Versions[0].ID != sched.ID || all.HasMore {
		t.Errorf("unpaged list: %+v, %v", all, err)
	}
	if _, err := c.ListVersions(ctx, testSchedules, "no-such-agent", ListOptions{}); !IsNotFound(err) {
		t.Errorf("schedules of an unknown agent: %v, want orq's 404 (the list names the agent)", err)
	}
	if err := c.Delete(ctx, testSchedules, "digest", sched.ID); err != nil {
		t.Errorf("delete schedule: %v", err)
	}
	if err := c.Delete(ctx, testTools, "", tool.ID); err != nil {
		t.Errorf("delete tool: %v", err)
	}
	if _, err := c.Get(ctx, testTools, "", tool.ID); !IsNotFound(err) {
		t.Errorf("get a deleted tool: %v", err)
	}
}

// A schedule runs now by a POST to its /execution, which takes no body; an inactive one is
// refused with orq's message.
func TestPostTriggersASchedule(t *testing.T) {
	mem := orqmem.New(orqmem.Options{APIKeys: []string{testKey}})
	srv := httptest.NewServer(mem)
	defer srv.Close()
	c, err := New(Options{BaseURL: srv.URL, APIKey: testKey})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := c.CreateAgent(ctx, Body{"key": "digest", "role": "r", "description": "d", "instructions": "i",
		"path": "Default", "model": Body{"id": "openai/gpt-4o"}, "settings": Body{}}); err != nil {
		t.Fatal(err)
	}
	sched, err := c.Create(ctx, testSchedules, "digest", Body{"type": "cron", "expression": "0 0 9 * * 1", "display_name": "weekly", "payload": Body{}})
	if err != nil {
		t.Fatal(err)
	}
	mem.ResetRequests()
	out, err := c.Post(ctx, testSchedules, "digest", sched.ID, "execution", "trigger schedule", nil)
	if err != nil || out["status"] != "triggered" || out["schedule_id"] != sched.ID {
		t.Fatalf("trigger: %v, %v", out, err)
	}
	if reqs := mem.Requests(); len(reqs) != 1 || reqs[0].Path != "/v3/agents/digest/schedules/"+sched.ID+"/execution" || len(reqs[0].Body) != 0 {
		t.Errorf("sent %+v, want one POST to the execution, without a body", reqs)
	}
	if _, err := c.Update(ctx, testSchedules, "digest", sched.ID, Body{"is_active": false}); err != nil {
		t.Fatal(err)
	}
	_, err = c.Post(ctx, testSchedules, "digest", sched.ID, "execution", "trigger schedule", nil)
	var e *Error
	if !errors.As(err, &e) || e.Kind != KindInvalid || e.StatusCode != 400 || !strings.Contains(e.Message, "inactive") {
		t.Errorf("trigger an inactive schedule: %v, want orq's 400 with its message", err)
	}
}
