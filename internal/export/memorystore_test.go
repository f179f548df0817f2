package export

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"k8s.io/utils/ptr"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
	memorystorekind "github.com/orq-ai/orq-operator/internal/kinds/memorystore"
	"github.com/orq-ai/orq-operator/internal/managed"
	"github.com/orq-ai/orq-operator/internal/orqclient"
)

func remoteStore(key string, ttl any) orqclient.Remote {
	body := orqclient.Body{"_id": "ms_01" + key, "key": key, "description": "What " + key + " keeps",
		"embedding_config": map[string]any{"model": "openai/text-embedding-3-small"},
		"created":          "2026-01-01T00:00:00Z", "updated": "2026-01-01T00:00:00Z", "created_by_id": nil, "updated_by_id": nil}
	if ttl != nil {
		body["ttl"] = ttl
	}
	return *orqclient.DecodeRemote(body)
}

// A memory store is exported with the path given (orq does not return it), observing until its
// user has checked the path; its key keeps '.' and '_' (its name has '-'), and, applied, it
// compares equal to the store.
func TestMemoryStoreSpecs(t *testing.T) {
	cases := []struct {
		name       string
		remote     orqclient.Remote
		path       string
		wantName   string
		wantTTL    *float64
		wantPathIs string
	}{
		{name: "no ttl, the default path", remote: remoteStore("user_prefs.v2", nil), wantName: "user-prefs.v2", wantPathIs: "Default"},
		{name: "a ttl, null", remote: withNullTTL(remoteStore("notes", nil)), path: "Support/memories", wantName: "notes", wantPathIs: "Support/memories"},
		{name: "a ttl", remote: remoteStore("Session", 3600.0), path: "Support", wantName: "session", wantTTL: ptr.To(3600.0), wantPathIs: "Support"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := exportAll(t, fakeLister{memorystorekind.Endpoint.Path: {tc.remote}}, Options{MemoryStorePath: tc.path})
			m := objectsOf[orqv1alpha1.MemoryStore](res)[tc.wantName]
			if m == nil {
				t.Fatalf("no MemoryStore %s in %+v (skipped %v)", tc.wantName, res.Manifests, res.Skipped)
			}
			want := orqv1alpha1.MemoryStoreSpec{Key: tc.remote.Key, Description: "What " + tc.remote.Key + " keeps", Path: tc.wantPathIs,
				EmbeddingConfig: orqv1alpha1.MemoryStoreEmbeddingConfig{Model: "openai/text-embedding-3-small"}, TTL: tc.wantTTL, Lifecycle: observe()}
			if mustJSON(t, m.Spec) != mustJSON(t, want) {
				t.Errorf("spec\n got %s\nwant %s", mustJSON(t, m.Spec), mustJSON(t, want))
			}
			kind := memorystorekind.Kind{}
			desired, err := kind.Desired(context.Background(), &managed.Inputs{}, applied(t, m))
			if err != nil {
				t.Fatal(err)
			}
			if d := kind.Compare(desired.Body, &tc.remote); len(d) != 0 {
				t.Errorf("applied, the MemoryStore differs from its store in %v", d)
			}
			var out bytes.Buffer
			if err := Write(&out, res.Manifests); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(out.String(), `# managementPolicy Observe: orq does not return a memory store's path; this one was written as "`+tc.wantPathIs+`"`) {
				t.Errorf("no note of the path:\n%s", out.String())
			}
		})
	}
}

func withNullTTL(r orqclient.Remote) orqclient.Remote {
	r.Raw["ttl"] = nil
	return r
}

// A memory store without an embedding model is left out, saying why.
func TestMemoryStoreLeftOut(t *testing.T) {
	r := remoteStore("broken", nil)
	delete(r.Raw, "embedding_config")
	res := exportAll(t, fakeLister{memorystorekind.Endpoint.Path: {r}}, Options{})
	if len(res.Manifests) != 0 || len(res.Skipped) != 1 || res.Skipped[0] != "memory store broken: no embedding_config.model" {
		t.Errorf("manifests %d, skipped %q", len(res.Manifests), res.Skipped)
	}
}
