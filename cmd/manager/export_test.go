package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// manager export reads every kind of the workspace and writes nothing to it; it says on standard
// error how many of each kind it exported and which Secrets to create, and never writes a value
// orq keeps encrypted.
func TestExportReportsEveryKindAndTheSecretsToCreate(t *testing.T) {
	mem := planWorkspace(t, agentYAML("helper", "Help.", false))
	must := func(_ map[string]any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(mem.SeedMemoryStore(`{"key":"prefs","embedding_config":{"model":"openai/text-embedding-3-small"},"description":"Preferences","path":"Default"}`))
	must(mem.SeedKnowledgeBase(`{"key":"faq","embedding_model":"openai/text-embedding-3-small","path":"Default"}`))
	must(mem.SeedTool(`{"path":"Default","key":"billing","description":"Billing","type":"http",
	  "http":{"blueprint":{"url":"https://billing.example","method":"GET","headers":{"Authorization":{"value":"Bearer s3cret","encrypted":true}}}}}`))
	must(mem.SeedSchedule("helper", `{"type":"cron","expression":"0 0 9 * * 1","display_name":"weekly","payload":{"variables":{"token":{"secret":true,"value":"v4riable-s3cret"}}}}`))
	mem.ResetRequests()

	var out, errb bytes.Buffer
	if code := exportTo([]string{"--namespace", "team", "--memory-store-path", "Default/memories"}, &out, &errb); code != 0 {
		t.Fatalf("exit status %d: %s", code, errb.String())
	}
	onlyReads(t, mem)
	if strings.Contains(out.String()+errb.String(), "s3cret") { // the header's, and the variable's
		t.Fatalf("an encrypted header value or a secret variable was written:\n%s\n%s", out.String(), errb.String())
	}
	for _, want := range []string{
		"exported 1 memory store, 1 knowledge base, 1 tool, 1 agent, 1 schedule\n",
		"note: AgentSchedule helper-weekly: kubectl create secret generic helper-weekly-variables -n team --from-literal=token=...",
		"note: Tool billing: Create Secret billing-headers first",
		"note: Tool billing: kubectl create secret generic billing-headers -n team --from-literal=authorization=...",
		`note: MemoryStore prefs: managementPolicy Observe: orq does not return a memory store's path; this one was written as "Default/memories"`,
	} {
		if !strings.Contains(errb.String(), want) {
			t.Errorf("standard error does not say %q:\n%s", want, errb.String())
		}
	}
	for _, want := range []string{"kind: MemoryStore", "path: Default/memories", "kind: KnowledgeBase", "kind: Tool", "kind: Agent", "kind: AgentSchedule", "scheduleId: ", "namespace: team"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the manifests do not hold %q:\n%s", want, out.String())
		}
	}

	dir := t.TempDir()
	errb.Reset()
	if code := exportTo([]string{"--output-dir", dir}, &out, &errb); code != 0 {
		t.Fatalf("exit status %d: %s", code, errb.String())
	}
	for _, f := range []string{"memorystore-prefs.yaml", "knowledgebase-faq.yaml", "tool-billing.yaml", "agent-helper.yaml", "agentschedule-helper-weekly.yaml"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Error(err)
		}
	}
}
