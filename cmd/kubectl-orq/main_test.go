package main

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/orq-ai/orq-operator/internal/testenv"
)

// testVersion is the version the tests' binary is built with, as the Makefile sets it.
const testVersion = "v0.0.0-plugin-test"

// plugin is the kubectl-orq binary the tests run, its version set as the Makefile sets it.
var plugin = &testenv.Binary{Name: "kubectl-orq", Flags: []string{"-ldflags", "-X main.version=" + testVersion}}

func TestMain(m *testing.M) {
	code := m.Run()
	plugin.Remove()
	os.Exit(code)
}

// pluginBin returns the path of kubectl-orq, built on the first call.
func pluginBin(t *testing.T) string { return plugin.Path(t) }

// result is what a run of the binary gave.
type result struct {
	code           int
	stdout, stderr string
}

// runPlugin runs kubectl-orq with args and env added to an environment without a kubeconfig or
// an API key to reach for.
func runPlugin(t *testing.T, env []string, args ...string) result {
	t.Helper()
	base := []string{"KUBECONFIG=" + filepath.Join(t.TempDir(), "none"), "ORQ_API_KEY=", "ORQ_API_BASE_URL=http://127.0.0.1:1"}
	code, stdout, stderr := testenv.Exec(t, pluginBin(t), append(base, env...), args...)
	return result{code, stdout, stderr}
}

// kubectl orq --help reads as kubectl's: a paragraph, examples, the commands, the options, the
// usage, and where to read more; with no arguments, and as `help`, too.
func TestHelpReadsLikeKubectls(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"-h"}, {"help"}, nil} {
		r := runPlugin(t, nil, args...)
		if r.code != 0 || r.stderr != "" {
			t.Errorf("kubectl orq %q: exit status %d, stderr %q; want 0 and nothing", args, r.code, r.stderr)
		}
		out := r.stdout
		sections := []string{"kubectl orq plans, exports and runs", "\n\nExamples:\n", "\n\nAvailable Commands:\n", "\n\nOptions:\n", "\n\nUsage:\n  kubectl orq <command> [options]\n",
			"\nUse \"kubectl orq <command> --help\" for more information about a command.\n"}
		at := 0
		for _, s := range sections {
			i := strings.Index(out[at:], s)
			if i < 0 {
				t.Fatalf("kubectl orq %q: %q missing, or out of order:\n%s", args, s, out)
			}
			at += i + len(s)
		}
		if !strings.HasSuffix(out, sections[len(sections)-1]) {
			t.Errorf("kubectl orq %q: the help does not end with where to read more:\n%s", args, out)
		}
		commands := out[strings.Index(out, "Available Commands:"):strings.Index(out, "\n\nOptions:")]
		for _, c := range []string{"plan", "export", "trigger", "version", "completion"} {
			if !strings.Contains(commands, "\n  "+c+" ") {
				t.Errorf("kubectl orq %q: command %s not listed:\n%s", args, c, commands)
			}
		}
		if strings.Contains(commands, "dev") || strings.Contains(out, "[flags]") || strings.Contains(out, "kubectl-orq") {
			t.Errorf("kubectl orq %q: the manager's dev, cobra's [flags] or the binary's file name shows:\n%s", args, out)
		}
	}
}

// Each command's help names its arguments as the user types them.
func TestCommandHelpNamesItsArguments(t *testing.T) {
	for _, c := range []struct {
		args []string
		want []string
	}{
		{[]string{"plan", "--help"}, []string{"Usage:\n  kubectl orq plan -f FILENAME [options]\n", "-f, --filename path ", "--live", "--output string", "Exit status", "Global options:\n", "--kubeconfig string"}},
		{[]string{"help", "plan"}, []string{"Usage:\n  kubectl orq plan -f FILENAME [options]\n"}},
		{[]string{"export", "--help"}, []string{"Usage:\n  kubectl orq export [options]\n", "-n, --namespace string", "--output-dir string", "--prompts-as-files"}},
		{[]string{"trigger", "--help"}, []string{"Usage:\n  kubectl orq trigger agentschedule/NAME [options]\n", "-n, --namespace string", "kubectl orq trigger agentschedule/weekly-report -n agents"}},
		{[]string{"version", "--help"}, []string{"Usage:\n  kubectl orq version [options]\n"}},
		{[]string{"completion", "bash", "--help"}, []string{"Usage:\n  kubectl orq completion bash [options]\n"}},
	} {
		r := runPlugin(t, nil, c.args...)
		for _, w := range c.want {
			if r.code != 0 || !strings.Contains(r.stdout, w) {
				t.Errorf("kubectl orq %q: exit status %d, want 0 and %q in:\n%s", c.args, r.code, w, r.stdout)
			}
		}
		if !strings.HasSuffix(r.stdout, "Use \"kubectl orq --help\" for the other commands.\n") && c.args[0] != "help" {
			t.Errorf("kubectl orq %q: does not end with where to read more:\n%s", c.args, r.stdout)
		}
	}
}

// A command line that names no command or flag is refused in one line: exit status 2, or 1 for
// plan, whose 2 means changes.
func TestUnknownWordsAreRefusedInOneLine(t *testing.T) {
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"plna"}, 2, `kubectl orq: unknown command "plna" (did you mean "plan"?); run "kubectl orq --help" for usage`},
		{[]string{"dev"}, 2, `kubectl orq: unknown command "dev"`},
		{[]string{"--leader-elect"}, 2, `kubectl orq: unknown flag: --leader-elect; see "kubectl orq --help"`},
		{[]string{"-v"}, 2, `unknown shorthand flag: 'v'`},
		{[]string{"export", "--bogus"}, 2, `kubectl orq export: unknown flag: --bogus; see "kubectl orq export --help"`},
		{[]string{"export", "extra"}, 2, `kubectl orq export: unexpected argument "extra"`},
		{[]string{"export", "--prompts-as-files"}, 2, "--prompts-as-files needs --output-dir"},
		{[]string{"version", "extra"}, 2, `kubectl orq version: unexpected argument "extra"`},
		{[]string{"trigger", "agent/support"}, 2, "only an AgentSchedule can be triggered"},
		{[]string{"trigger"}, 2, "give one agentschedule/NAME"},
		{[]string{"plan", "--bogus"}, 1, `kubectl orq plan: unknown flag: --bogus; see "kubectl orq plan --help"`},
		{[]string{"plan", "extra"}, 1, `kubectl orq plan: unexpected argument "extra"`},
		{[]string{"plan"}, 1, "-f is required"},
	} {
		r := runPlugin(t, nil, c.args...)
		if r.code != c.code || r.stdout != "" || strings.Count(r.stderr, "\n") != 1 || !strings.Contains(r.stderr, c.want) {
			t.Errorf("kubectl orq %q: exit status %d, stdout %q, stderr %q; want %d, nothing, and one line with %q", c.args, r.code, r.stdout, r.stderr, c.code, c.want)
		}
	}
}

func TestVersion(t *testing.T) {
	want := "kubectl orq " + testVersion + " (" + runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH + ")\n"
	for _, args := range [][]string{{"version"}, {"--version"}} {
		if r := runPlugin(t, nil, args...); r.code != 0 || r.stdout != want || r.stderr != "" {
			t.Errorf("kubectl orq %q: exit status %d, stdout %q, stderr %q; want 0 and %q", args, r.code, r.stdout, r.stderr, want)
		}
	}
}

// The completion scripts are the shells' own, for the kubectl-orq command, and they complete from
// the binary's commands and flags.
func TestCompletion(t *testing.T) {
	for _, c := range []struct {
		shell string
		want  []string
	}{
		{"bash", []string{"# bash completion V2 for kubectl-orq", "complete -o default -F __start_kubectl-orq kubectl-orq"}},
		{"zsh", []string{"#compdef kubectl-orq", "compdef _kubectl-orq kubectl-orq"}},
	} {
		r := runPlugin(t, nil, "completion", c.shell)
		for _, w := range c.want {
			if r.code != 0 || !strings.Contains(r.stdout, w) {
				t.Errorf("kubectl orq completion %s: exit status %d, want 0 and %q", c.shell, r.code, w)
			}
		}
	}
	for _, c := range []struct {
		args []string
		want []string
	}{
		{[]string{"__complete", ""}, []string{"plan\t", "export\t", "trigger\t", "version\t", "completion\t"}},
		{[]string{"__complete", "pl"}, []string{"plan\t"}},
		{[]string{"__complete", "plan", "--"}, []string{"--filename\t", "--live\t", "--output\t", "--kubeconfig\t"}},
		{[]string{"__complete", "trigger", "-"}, []string{"-n\t", "--namespace\t"}},
		{[]string{"__complete", "plan", "--output", ""}, []string{"text\n", "markdown\n", "json\n"}},
		{[]string{"__complete", "plan", "-f", ""}, []string{"yaml\nyml\njson\n:8\n"}}, // the shell lists files of these extensions
	} {
		r := runPlugin(t, nil, c.args...)
		for _, w := range c.want {
			if r.code != 0 || !strings.Contains(r.stdout, w) {
				t.Errorf("kubectl-orq %q: exit status %d, want %q in:\n%s", c.args, r.code, w, r.stdout)
			}
		}
	}
}

// --help shows the base URL of ORQ_API_BASE_URL without what may carry credentials (review R13).
func TestHelpShowsNoCredentialsOfTheBaseURL(t *testing.T) {
	r := runPlugin(t, []string{"ORQ_API_BASE_URL=https://user:s3cret@gateway.example/orq?token=t0ken"}, "plan", "--help")
	if r.code != 0 || strings.Contains(r.stdout, "s3cret") || strings.Contains(r.stdout, "t0ken") || !strings.Contains(r.stdout, "gateway.example/orq") {
		t.Errorf("kubectl orq plan --help with credentials in ORQ_API_BASE_URL: exit status %d:\n%s", r.code, r.stdout)
	}
}
