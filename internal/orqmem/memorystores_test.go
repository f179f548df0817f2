package orqmem_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/orq-ai/orq-operator/internal/orqmem"
)

func TestMemoryStoreCreateEcho(t *testing.T) {
	h := newHarness(t, orqmem.Options{})
	got := h.post("/v2/memory-stores", memoryStoreBody("user.prefs_v2").set("ttl", 3600).set("path", "Default/memory"), http.StatusCreated)
	if id, _ := got["_id"].(string); !ulidPattern.MatchString(id) {
		t.Errorf("_id %q is not a ULID", id)
	}
	if got["created"] != got["updated"] {
		t.Errorf("created %v, updated %v", got["created"], got["updated"])
	}
	for _, f := range []string{"_id", "created", "updated"} {
		delete(got, f)
	}
	// Neither path nor project: the MemoryStore answer has neither.
	jsonEqual(t, "memory store", got, `{"key":"user.prefs_v2","description":"Store user.prefs_v2",
	  "embedding_config":{"model":"openai/text-embedding-3-small"},"ttl":3600,"created_by_id":null,"updated_by_id":null}`)
	res := h.do(http.MethodGet, "/v2/memory-stores/user.prefs_v2", "")
	mustStatus(t, res, http.StatusOK)
	mustStatus(t, h.do(http.MethodGet, "/v2/memory-stores/"+res.json(t)["_id"].(string), ""), http.StatusNotFound) // by key only
	mustStatus(t, h.do(http.MethodPost, "/v2/memory-stores", memoryStoreBody("user.prefs_v2").String()), http.StatusConflict)
}

func TestMemoryStoreValidation(t *testing.T) {
	h := newHarness(t, orqmem.Options{})
	cases := []struct {
		name     string
		b        body
		wantPath string
	}{
		{"key with a dash", memoryStoreBody("user-prefs"), "key"},
		{"key with a double dot", memoryStoreBody("a..b"), "key"},
		{"key of 256 characters", memoryStoreBody("k" + strings.Repeat("a", 255)), "key"},
		{"empty key", memoryStoreBody(""), "key"},
		{"no description", memoryStoreBody("k").del("description"), "description"},
		{"no path", memoryStoreBody("k").del("path"), "path"},
		{"no embedding_config", memoryStoreBody("k").del("embedding_config"), "embedding_config"},
		{"embedding_config without model", memoryStoreBody("k").set("embedding_config", raw(`{}`)), "embedding_config.model"},
		{"ttl a string", memoryStoreBody("k").set("ttl", "1h"), "ttl"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := h.do(http.MethodPost, "/v2/memory-stores", c.b.String())
			mustStatus(t, res, http.StatusBadRequest)
			if msg := res.message(t); !strings.HasPrefix(msg, c.wantPath+": ") {
				t.Errorf("message %q does not start with %q", msg, c.wantPath+": ")
			}
		})
	}
	mustStatus(t, h.do(http.MethodPost, "/v2/memory-stores", memoryStoreBody("k"+strings.Repeat("a", 254)).String()), http.StatusCreated)
}

func TestMemoryStoreUpdate(t *testing.T) {
	h := scopedHarness(t)
	created := h.post("/v2/memory-stores", memoryStoreBody("prefs").set("ttl", 60), http.StatusCreated)
	res := h.do(http.MethodPatch, "/v2/memory-stores/prefs", `{"description":"Preferences","ttl":null}`)
	mustStatus(t, res, http.StatusOK)
	got := res.json(t)
	if got["description"] != "Preferences" || got["ttl"] != nil || got["updated"] == created["updated"] {
		t.Errorf("after update: %s", res.body)
	}
	bad := map[string]string{
		`{"key":"other"}`:                     "key: cannot be changed: a memory store's key is immutable",
		`{"embedding_config":{"model":"m2"}}`: "embedding_config: cannot be changed: a memory store's embedding model cannot change",
		`{"description":1}`:                   "description: must be a string",
	}
	for b, want := range bad {
		res := h.do(http.MethodPatch, "/v2/memory-stores/prefs", b)
		if res.status != http.StatusBadRequest || res.message(t) != want {
			t.Errorf("%s: %d %s, want 400 %q", b, res.status, res.body, want)
		}
	}
	// project_id (an SDK addition) moves the store; the Sales key then sees it.
	mustStatus(t, h.doWithToken(http.MethodGet, "/v2/memory-stores/prefs", "", salesKey), http.StatusNotFound)
	sales := h.projectOf("sales-agent", "Sales/x")
	mustStatus(t, h.do(http.MethodPatch, "/v2/memory-stores/prefs", `{"project_id":"`+sales+`"}`), http.StatusOK)
	mustStatus(t, h.doWithToken(http.MethodGet, "/v2/memory-stores/prefs", "", salesKey), http.StatusOK)
	res = h.do(http.MethodPatch, "/v2/memory-stores/prefs", `{"project_id":"01JQRM3MP0N0SUCHPR0JECT000"}`)
	if res.status != http.StatusNotFound || res.message(t) != "Project not found" {
		t.Errorf("unknown project: %d %s", res.status, res.body)
	}
	mustStatus(t, h.do(http.MethodPatch, "/v2/memory-stores/nope", `{}`), http.StatusNotFound)
}

func TestMemoryStoreDelete(t *testing.T) {
	h := newHarness(t, orqmem.Options{})
	h.post("/v2/memory-stores", memoryStoreBody("prefs"), http.StatusCreated)
	h.create(baseBody("user").set("memory_stores", raw(`["prefs"]`)))
	res := h.do(http.MethodDelete, "/v2/memory-stores/prefs", "")
	if res.status != http.StatusConflict || res.message(t) != `Memory store "prefs" is used by agents: user` {
		t.Fatalf("delete of a used store: %d %s", res.status, res.body)
	}
	mustStatus(t, h.do(http.MethodDelete, "/v2/agents/user", ""), http.StatusNoContent)
	res = h.do(http.MethodDelete, "/v2/memory-stores/prefs", "")
	if res.status != http.StatusNoContent || len(res.body) != 0 {
		t.Errorf("delete: %d %q", res.status, res.body)
	}
	mustStatus(t, h.do(http.MethodDelete, "/v2/memory-stores/prefs", ""), http.StatusNotFound)
}

func TestMemoryStoreListSearch(t *testing.T) {
	h := newHarness(t, orqmem.Options{})
	for _, k := range []string{"Prefs", "history", "user.prefs"} {
		h.post("/v2/memory-stores", memoryStoreBody(k), http.StatusCreated)
	}
	if got := keysOf(t, h.do(http.MethodGet, "/v2/memory-stores?search=PREFS", "")); got != "user.prefs,Prefs" {
		t.Errorf("search=PREFS lists %s", got)
	}
}
