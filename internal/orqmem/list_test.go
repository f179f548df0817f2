package orqmem_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/orq-ai/orq-operator/internal/orqmem"
)

// pagedKinds are the collections listed like agents, with their bounds.
var pagedKinds = []struct {
	path        string
	body        func(key string) body
	created     int
	def, max    int // def 0: everything without limit
	keyTemplate string
}{
	{"/v2/tools", func(k string) body { return toolBody(k, "function") }, http.StatusOK, 0, 200, "tool_%02d"},
	{"/v2/knowledge", knowledgeBody, http.StatusOK, 25, 300, "kb_%02d"},
	{"/v2/memory-stores", memoryStoreBody, http.StatusCreated, 10, 200, "store_%02d"},
}

func TestCollectionPagination(t *testing.T) {
	const total = 30
	for _, k := range pagedKinds {
		t.Run(k.path, func(t *testing.T) {
			h := newHarness(t, orqmem.Options{})
			var want []string // newest first
			for i := range total {
				key := fmt.Sprintf(k.keyTemplate, i)
				h.post(k.path, k.body(key), k.created)
				want = append([]string{key}, want...)
			}
			page := func(q url.Values) ([]string, bool, []string) {
				t.Helper()
				res := h.do(http.MethodGet, k.path+"?"+q.Encode(), "")
				mustStatus(t, res, http.StatusOK)
				doc := res.json(t)
				var keys, ids []string
				for _, it := range doc["data"].([]any) {
					keys = append(keys, it.(map[string]any)["key"].(string))
					ids = append(ids, it.(map[string]any)["_id"].(string))
				}
				if doc["object"] != "list" {
					t.Errorf("object %v", doc["object"])
				}
				return keys, doc["has_more"].(bool), ids
			}
			all, more, _ := page(url.Values{})
			wantDefault := want
			if k.def > 0 {
				wantDefault = want[:k.def]
			}
			if strings.Join(all, ",") != strings.Join(wantDefault, ",") || more != (k.def > 0) {
				t.Errorf("without limit: %d items, has_more %v; want %d newest first", len(all), more, len(wantDefault))
			}
			var walked []string
			cursor := ""
			for {
				q := url.Values{"limit": {"7"}}
				if cursor != "" {
					q.Set("starting_after", cursor)
				}
				keys, more, ids := page(q)
				walked = append(walked, keys...)
				if !more {
					break
				}
				cursor = ids[len(ids)-1]
			}
			if strings.Join(walked, ",") != strings.Join(want, ",") {
				t.Errorf("pages walked %v, want %v", walked, want)
			}
			_, _, ids := page(url.Values{"limit": {"10"}})
			before, more, _ := page(url.Values{"limit": {"3"}, "ending_before": {ids[5]}})
			if strings.Join(before, ",") != strings.Join(want[2:5], ",") || !more {
				t.Errorf("ending_before the 6th: %v (has_more %v), want %v", before, more, want[2:5])
			}
			for _, bad := range []string{"0", fmt.Sprint(k.max + 1), "2.5", "x"} {
				res := h.do(http.MethodGet, k.path+"?limit="+bad, "")
				if res.status != http.StatusBadRequest || res.message(t) != fmt.Sprintf("limit: must be a number between 1 and %d", k.max) {
					t.Errorf("limit=%s: %d %s", bad, res.status, res.body)
				}
			}
			mustStatus(t, h.do(http.MethodGet, k.path+"?limit="+fmt.Sprint(k.max), ""), http.StatusOK)
		})
	}
}
