package main

import (
	"flag"
	"strings"
	"testing"
)

func TestParseFlagsChecksTheDeletionPolicy(t *testing.T) {
	if _, err := parseFlagsOnly("t", []string{"--default-deletion-policy=Keep"}, nil); err == nil || !strings.Contains(err.Error(), "Delete or Orphan") {
		t.Errorf("invalid policy accepted: %v", err)
	}
	o, err := parseFlagsOnly("t", []string{"--default-deletion-policy=Orphan", "--sync-period=1m"}, nil)
	if err != nil || o.defaultDeletionPolicy != "Orphan" || o.syncPeriod.Minutes() != 1 {
		t.Errorf("got %+v, %v", o, err)
	}
}

func TestAPIKeyComesFromTheEnvironmentOnly(t *testing.T) {
	t.Setenv(envAPIKey, "from-env")
	t.Setenv(envBaseURL, "http://127.0.0.1:1")
	o, err := parseFlagsOnly("t", nil, nil)
	if err != nil || o.apiKey != "from-env" || o.baseURL != "http://127.0.0.1:1" {
		t.Errorf("got %+v, %v", o, err)
	}
	if _, err := parseFlagsOnly("t", []string{"--api-key=x"}, nil); err == nil {
		t.Error("an --api-key flag would show the key in the process list")
	}
}

func TestDevWarning(t *testing.T) {
	if devWarning(false, false) != "" {
		t.Error("nothing real, nothing to warn about")
	}
	if !strings.Contains(devWarning(true, false), "in-memory") || !strings.Contains(devWarning(false, true), "real orq.ai") {
		t.Error("missing warnings")
	}
}

// Prompt files are written beside the manifests: without a directory there is nowhere to put them.
func TestExportPromptsAsFilesNeedsADirectory(t *testing.T) {
	t.Setenv(envAPIKey, "k")
	if code := runExport([]string{"--prompts-as-files"}); code != 2 {
		t.Errorf("exit status %d, want 2 (usage)", code)
	}
}

func TestMemWorkspaceNote(t *testing.T) {
	if memWorkspaceNote("", "real-key", "/kc", "/bin/manager") != "" {
		t.Error("the key of the real orq API must never be printed")
	}
	note := memWorkspaceNote("http://127.0.0.1:4567", "dev-0123", "/tmp/kc", "/src/orq-operator/bin/manager")
	for _, want := range []string{
		`curl -H "Authorization: Bearer dev-0123" http://127.0.0.1:4567/v2/agents`,
		"KUBECONFIG=/tmp/kc ORQ_API_KEY=dev-0123 ORQ_API_BASE_URL=http://127.0.0.1:4567",
		"/src/orq-operator/bin/manager plan --live -f config/samples/",
		`curl -H "Authorization: Bearer dev-0123" http://127.0.0.1:4567/v2/tools -d '{"path":"Default","key":"weather-api",`,
	} {
		if !strings.Contains(note, want) {
			t.Errorf("no %q in:\n%s", want, note)
		}
	}
}

// Flags may follow the arguments, as kubectl takes them (`manager trigger agentschedule/x -n
// team`); after "--" everything is an argument.
func TestFlagsMayFollowArguments(t *testing.T) {
	for _, c := range []struct {
		args       []string
		ns         string
		positional string
	}{
		{[]string{"agentschedule/x", "-n", "team"}, "team", "agentschedule/x"},
		{[]string{"-n", "team", "agentschedule", "x"}, "team", "agentschedule x"},
		{[]string{"agentschedule", "--namespace=team", "x"}, "team", "agentschedule x"},
		{[]string{"--", "-n", "x"}, "", "-n x"},
		{[]string{"a", "--", "-n"}, "", "a -n"},
	} {
		var ns string
		_, rest, err := parseCommandLine("manager trigger", c.args, func(fs *flag.FlagSet) {
			fs.StringVar(&ns, "n", "", "")
			fs.StringVar(&ns, "namespace", "", "")
		})
		if err != nil || ns != c.ns || strings.Join(rest, " ") != c.positional {
			t.Errorf("%q: namespace %q, arguments %q, %v; want %q, %q", c.args, ns, rest, err, c.ns, c.positional)
		}
	}
}
