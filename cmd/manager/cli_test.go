package main

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/go-logr/logr"
	"github.com/orq-ai/orq-operator/internal/testenv"
	ctrl "sigs.k8s.io/controller-runtime"
)

// testVersion is the version the tests' manager binary is built with, as the Makefile does.
const testVersion = "v0.0.0-cli-test"

// manager is the manager binary the tests run, compiled as the Dockerfile compiles it
// (CGO_ENABLED=0, -trimpath) with its version set by -ldflags as the Makefile sets it, so that
// its packages and those of TestDockerfileBuildsAStaticNonRootImage are compiled once: on a fresh
// machine each compile of the manager's dependencies takes minutes.
var manager = &testenv.Binary{Name: "manager", Flags: []string{"-trimpath", "-ldflags", "-X main.version=" + testVersion},
	Env: []string{"CGO_ENABLED=0"}}

func TestMain(m *testing.M) {
	ctrl.SetLogger(logr.Discard()) // the clients of the tests log nothing; parseFlagsOnly sets its own
	code := m.Run()
	manager.Remove()
	os.Exit(code)
}

// managerBin returns the path of the manager the tests run, built on the first call.
func managerBin(t *testing.T) string { return manager.Path(t) }

// result is what a run of the binary gave.
type result struct {
	code           int
	stdout, stderr string
}

// runBin runs bin with args, without a kubeconfig or an API key to reach for.
func runBin(t *testing.T, bin string, args ...string) result {
	t.Helper()
	code, stdout, stderr := testenv.Exec(t, bin, []string{"KUBECONFIG=" + filepath.Join(t.TempDir(), "none"), "ORQ_API_KEY=", "KUBERNETES_MASTER="}, args...)
	return result{code, stdout, stderr}
}

func TestHelpListsTheCommands(t *testing.T) {
	bin := managerBin(t)
	for _, args := range [][]string{{"help"}, {"--help"}, {"-h"}} {
		r := runBin(t, bin, args...)
		if r.code != 0 || r.stderr != "" {
			t.Errorf("manager %q: exit status %d, stderr %q; want 0 and nothing", args, r.code, r.stderr)
		}
		for _, want := range []string{"manager dev [flags]", "manager export [flags]", "manager plan [flags]", "manager help [command]", "manager version", "--version", "-sync-period"} {
			if !strings.Contains(r.stdout, want) {
				t.Errorf("manager %q does not list %q:\n%s", args, want, r.stdout)
			}
		}
	}
}

func TestHelpOfACommand(t *testing.T) {
	bin := managerBin(t)
	for _, c := range []struct {
		args      []string
		cmd, flag string
	}{
		{[]string{"help", "dev"}, "dev", "-crd-dir"},
		{[]string{"dev", "--help"}, "dev", "-crd-dir"},
		{[]string{"help", "export"}, "export", "-output-dir"},
		{[]string{"help", "plan"}, "plan", "-output"},
		{[]string{"plan", "--help"}, "plan", "-output"},
		{[]string{"plan", "--live", "-h"}, "plan", "-output"},
	} {
		r := runBin(t, bin, c.args...)
		if r.code != 0 || !strings.HasPrefix(r.stdout, "Usage: manager "+c.cmd+" ") || !strings.Contains(r.stdout, "\n  "+c.flag+" ") {
			t.Errorf("manager %q: exit status %d, want 0 and the usage of %s with %s; stdout:\n%s\nstderr:\n%s", c.args, r.code, c.cmd, c.flag, r.stdout, r.stderr)
		}
	}
}

// Words that are no command are refused at once, in one line, with exit status 2: before, they
// started the operator, which failed on the missing cluster with stack traces.
func TestUnknownWordsAreRefused(t *testing.T) {
	bin := managerBin(t)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"plans"}, `unknown command "plans" (did you mean "plan"?); run "manager help" for usage`},
		{[]string{"ex"}, `unknown command "ex" (did you mean "export"?)`},
		{[]string{"verison"}, `unknown command "verison" (did you mean "version"?)`},
		{[]string{"start"}, `unknown command "start"; run "manager help" for usage`},
		{[]string{"help", "plna"}, `unknown command "plna" (did you mean "plan"?)`},
		{[]string{"--leader-elect", "plans"}, `manager: unexpected argument "plans"`},
		{[]string{"--no-such-flag"}, `manager: flag provided but not defined: -no-such-flag; see "manager --help"`},
		{[]string{"dev", "--sync-period=often"}, `manager dev: invalid value "often" for flag -sync-period`},
		{[]string{"dev", "--metrics-bind-address=:8080"}, `":8080" is not a loopback address`},
		{[]string{"export", "extra"}, `manager export: unexpected argument "extra"`},
		{[]string{"version", "--short"}, `manager version: no arguments expected`},
	} {
		r := runBin(t, bin, c.args...)
		if r.code != 2 {
			t.Errorf("manager %q: exit status %d, want 2; stderr:\n%s", c.args, r.code, r.stderr)
		}
		if lines := strings.Split(strings.TrimSuffix(r.stderr, "\n"), "\n"); len(lines) != 1 || !strings.Contains(r.stderr, c.want) {
			t.Errorf("manager %q: stderr %q, want one line with %q", c.args, r.stderr, c.want)
		}
		if r.stdout != "" {
			t.Errorf("manager %q printed on stdout: %q", c.args, r.stdout)
		}
	}
}

func TestVersion(t *testing.T) {
	bin := managerBin(t)
	want := "manager " + testVersion + " (" + runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH + ")\n"
	for _, args := range [][]string{{"version"}, {"--version"}, {"-version"}} {
		if r := runBin(t, bin, args...); r.code != 0 || r.stdout != want {
			t.Errorf("manager %q: exit status %d, stdout %q; want 0 and %q", args, r.code, r.stdout, want)
		}
	}
}

// Installed under the plugin's name, as the README once said, the manager runs nothing (least of
// all the operator) and says which binary to install.
func TestManagerRefusesToBeThePlugin(t *testing.T) {
	plugin := filepath.Join(t.TempDir(), kubectlPlugin)
	if err := os.Symlink(managerBin(t), plugin); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{nil, {"plan", "-f", "-"}, {"--leader-elect"}, {"version"}} {
		if r := runBin(t, plugin, args...); r.code != 2 || r.stdout != "" || strings.Count(r.stderr, "\n") != 1 || !strings.Contains(r.stderr, "make kubectl-orq") {
			t.Errorf("kubectl-orq (the manager) %q: exit status %d, stdout %q, stderr %q; want 2 and one line naming make kubectl-orq", args, r.code, r.stdout, r.stderr)
		}
	}
}
