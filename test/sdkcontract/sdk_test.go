package sdkcontract

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/orq-ai/orq-operator/internal/openapi"
	"github.com/orq-ai/orq-operator/internal/orqmem"
)

const (
	workspaceKey = "sdk-workspace-key"
	projectKey   = "sdk-sales-key"
	scriptFile   = "contract.mjs"
	// scriptTimeout bounds the node run; it takes seconds.
	scriptTimeout = time.Minute
)

// report is what contract.mjs prints.
type report struct {
	Steps []struct {
		Name  string `json:"name"`
		OK    bool   `json:"ok"`
		Error string `json:"error"`
	} `json:"steps"`
}

// TestSDKContract drives orqmem with the official SDK (see contract.mjs);
// each of its steps is a subtest. Every answer the SDK got is then checked
// against the OpenAPI document, when it can be located.
func TestSDKContract(t *testing.T) {
	if testing.Short() {
		t.Skip("skipped in -short mode: runs npm ci and node")
	}
	node := lookPath(t, "node")
	installSDK(t, lookPath(t, "npm"))
	docs := locateDocuments(t)

	opts := orqmem.Options{APIKeys: []string{workspaceKey}, ProjectKeys: map[string]string{projectKey: "Sales"}}
	if docs.agents != nil {
		opts.Schema = docs.agents // the SDK's request bodies must satisfy the documents too
	}
	if docs.graph != nil {
		opts.Graph = docs.graph
	}
	fake := orqmem.New(opts)
	fake.AddFault(orqmem.Fault{Path: "/v2/agents/limited", Status: http.StatusTooManyRequests, RetryAfter: time.Second, Message: "slow down"})
	rec := &recorder{}
	srv := httptest.NewServer(rec.wrap(fake))
	defer srv.Close()
	broken := brokenServer(t)
	defer broken.Close()

	start := time.Now()
	rep := runScript(t, node, "ORQ_BASE_URL="+srv.URL, "ORQ_API_KEY="+workspaceKey,
		"ORQ_PROJECT_KEY="+projectKey, "ORQ_BROKEN_URL="+broken.URL)
	t.Logf("%d SDK steps in %v", len(rep.Steps), time.Since(start).Round(time.Millisecond))
	for _, s := range rep.Steps {
		t.Run(s.Name, func(t *testing.T) {
			if !s.OK {
				t.Error(s.Error)
			}
		})
	}
	t.Run("answers match the OpenAPI documents", func(t *testing.T) {
		skipped := 0
		for _, ex := range rec.all() {
			checked, err := docs.checkAnswer(ex)
			if !checked {
				skipped++
			}
			if err != nil {
				t.Errorf("%s %s %d: %v\n%s", ex.method, ex.path, ex.status, err, ex.body)
			}
		}
		if skipped > 0 {
			t.Skipf("%d answers unchecked: OpenAPI file not found; set %s and %s to check them", skipped, openapi.EnvFile, openapi.EnvGraphFile)
		}
	})
}

// locateDocuments loads the OpenAPI documents; either is nil when absent.
func locateDocuments(t *testing.T) documents {
	t.Helper()
	var docs documents
	if path, err := openapi.Locate(); err != nil {
		t.Logf("OpenAPI file not found (%v): agent answers are checked by the SDK only", err)
	} else if docs.agents, err = openapi.Load(path); err != nil {
		t.Fatal(err)
	}
	if path, err := openapi.LocateGraph(); err != nil {
		t.Logf("graph OpenAPI file not found (%v): other answers are checked by the SDK only", err)
	} else if docs.graph, err = openapi.LoadGraph(path); err != nil {
		t.Fatal(err)
	}
	return docs
}

// brokenServer serves agent "broken" without its required model, an answer
// the SDK must refuse: proof that the SDK validates answers.
func brokenServer(t *testing.T) *httptest.Server {
	t.Helper()
	fake := orqmem.New(orqmem.Options{APIKeys: []string{workspaceKey}})
	srv := httptest.NewServer(fake)
	body := `{"key":"broken","role":"r","description":"d","instructions":"i","path":"Default","model":"m","settings":{}}`
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/v2/agents", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+workspaceKey)
	res, err := srv.Client().Do(req)
	if err != nil || res.StatusCode != http.StatusCreated {
		t.Fatalf("create broken agent: %v %v", err, res)
	}
	res.Body.Close()
	fake.MutateAgent("broken", func(a map[string]any) { delete(a, "model") })
	return srv
}

// runScript runs contract.mjs with env and decodes its report.
func runScript(t *testing.T, node string, env ...string) report {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), scriptTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, scriptFile)
	cmd.Env = append(os.Environ(), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("node %s: %v\nstderr:\n%s\nstdout:\n%s", scriptFile, err, stderr.Bytes(), stdout.Bytes())
	}
	var rep report
	if err := json.Unmarshal(stdout.Bytes(), &rep); err != nil || len(rep.Steps) == 0 {
		t.Fatalf("node %s printed no report (%v):\n%s\nstderr:\n%s", scriptFile, err, stdout.Bytes(), stderr.Bytes())
	}
	return rep
}
