// Package hack holds the scripts that make run and make test call; these tests run them with a
// fake go on the PATH, so that they take no time and build nothing.
package hack

import (
	"bufio"
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// fakeGo is a go command that prints the download noise of a first build, and fails to build
// when FAKE_GO_BUILD_FAILS is set; go env GOPROXY names nothing reachable.
const fakeGo = `#!/bin/sh
case "$1" in
env) echo "http://127.0.0.1:1" ;;
build)
  echo "go: downloading k8s.io/kubernetes v1.37.2" >&2
  if [ -n "$FAKE_GO_BUILD_FAILS" ]; then echo "compile: undefined: somethingMissing" >&2; exit 1; fi
  while [ "$1" != "-o" ]; do shift; done
  printf '#!/bin/sh\n' > "$2"; chmod +x "$2" ;;
*) echo "go: downloading example.com/dependency v1.0.0" >&2 ;;
esac
`

// scriptCmd is a script of this directory to run with the fake go first on the PATH and the cache
// under cacheDir.
func scriptCmd(t *testing.T, cacheDir string, env []string, name string, args ...string) *exec.Cmd {
	t.Helper()
	bin := t.TempDir()
	if err := os.WriteFile(filepath.Join(bin, "go"), []byte(fakeGo), 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("./"+name, args...)
	cmd.Env = append(os.Environ(), "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"), "ORQ_OPERATOR_CACHE="+cacheDir)
	cmd.Env = append(cmd.Env, env...)
	return cmd
}

// script runs scriptCmd and returns its stdout, stderr and exit status.
func script(t *testing.T, cacheDir string, env []string, name string, args ...string) (string, string, int) {
	t.Helper()
	cmd := scriptCmd(t, cacheDir, env, name, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	_ = cmd.Run()
	return stdout.String(), stderr.String(), cmd.ProcessState.ExitCode()
}

// A first build says what it builds, for how long and where, on stderr, one line a binary; the
// go commands' chatter goes to the log. Stdout is only the directory, for KUBEBUILDER_ASSETS.
func TestEnvtestAssetsSayWhatTheyBuild(t *testing.T) {
	cache := t.TempDir()
	stdout, stderr, code := script(t, cache, nil, "envtest-assets.sh")
	assets := filepath.Join(cache, "envtest", "k8s-1.37.2-etcd-3.7.0")
	if code != 0 || stdout != assets+"\n" {
		t.Fatalf("exit status %d, stdout %q; want 0 and %s\nstderr:\n%s", code, stdout, assets, stderr)
	}
	lines := strings.Split(strings.TrimSuffix(stderr, "\n"), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "envtest: building kube-apiserver v1.37.2") ||
		!strings.Contains(lines[0], "minutes on 2 cores") || !strings.Contains(lines[0], "cached in "+assets) ||
		!strings.HasPrefix(lines[1], "envtest: building etcd v3.7.0") {
		t.Errorf("want one line a binary, naming the time and the cache; got:\n%s", stderr)
	}
	log, err := os.ReadFile(filepath.Join(cache, "envtest", "build", "build.log"))
	if err != nil || !strings.Contains(string(log), "go: downloading") {
		t.Errorf("the download lines are not in the log (%v):\n%s", err, log)
	}
	// Built once: the next call prints the directory and nothing else.
	if stdout, stderr, code := script(t, cache, nil, "envtest-assets.sh"); code != 0 || stdout != assets+"\n" || stderr != "" {
		t.Errorf("cached: exit status %d, stdout %q, stderr %q", code, stdout, stderr)
	}
}

// A failed build shows the end of its log and names it.
func TestEnvtestAssetsShowTheLogOfAFailedBuild(t *testing.T) {
	cache := t.TempDir()
	stdout, stderr, code := script(t, cache, []string{"FAKE_GO_BUILD_FAILS=1"}, "envtest-assets.sh")
	logPath := filepath.Join(cache, "envtest", "build", "build.log")
	if code == 0 || stdout != "" {
		t.Errorf("exit status %d, stdout %q: want a failure and no directory", code, stdout)
	}
	for _, want := range []string{"envtest: the build failed", logPath, "  | compile: undefined: somethingMissing"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("no %q in stderr:\n%s", want, stderr)
		}
	}
}

// make run and make test started at once build the control plane once: the second waits.
func TestEnvtestAssetsWaitForAnotherBuild(t *testing.T) {
	if _, err := exec.LookPath("flock"); err != nil {
		t.Skip("flock is not installed: the script builds without a lock")
	}
	cache := t.TempDir()
	if err := os.MkdirAll(filepath.Join(cache, "envtest"), 0o755); err != nil {
		t.Fatal(err)
	}
	// Another build holds the lock until the test lets it go (closing its stdin).
	holder := exec.Command("flock", filepath.Join(cache, "envtest", ".build.lock"), "cat")
	release, err := holder.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	locked, err := holder.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := holder.Start(); err != nil {
		t.Fatal(err)
	}
	if _, err := release.Write([]byte("held\n")); err != nil { // cat echoes it once it holds the lock
		t.Fatal(err)
	}
	if _, err := locked.Read(make([]byte, 5)); err != nil {
		t.Fatal(err)
	}
	cmd := scriptCmd(t, cache, nil, "envtest-assets.sh")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stdout bytes.Buffer
	cmd.Stdout = &stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	said := bufio.NewReader(stderr)
	first, err := said.ReadString('\n') // it says it waits, and waits, until the lock is let go
	if err != nil || !strings.HasPrefix(first, "envtest: another build of kube-apiserver and etcd is under way; waiting") {
		t.Fatalf("the script did not say it waits for the other build: %q, %v", first, err)
	}
	release.Close()
	_ = holder.Wait()
	rest, _ := io.ReadAll(said)
	if err := cmd.Wait(); err != nil || !strings.HasPrefix(string(rest), "envtest: building kube-apiserver") || !strings.HasSuffix(stdout.String(), "k8s-1.37.2-etcd-3.7.0\n") {
		t.Errorf("after the wait: %v, stdout %q, stderr:\n%s", err, stdout.String(), rest)
	}
}

func TestQuietlyShowsOutputOnlyOnFailure(t *testing.T) {
	log := filepath.Join(t.TempDir(), "sub", "step.log")
	stdout, stderr, code := script(t, t.TempDir(), nil, "quietly.sh", log, "sh", "-c", "echo go: downloading x; echo done")
	if code != 0 || stdout != "" || stderr != "" {
		t.Errorf("success: exit status %d, stdout %q, stderr %q; want 0 and silence", code, stdout, stderr)
	}
	if b, _ := os.ReadFile(log); string(b) != "go: downloading x\ndone\n" {
		t.Errorf("log %q", b)
	}
	_, stderr, code = script(t, t.TempDir(), nil, "quietly.sh", log, "sh", "-c", "echo noise; echo the reason >&2; exit 3")
	if code != 3 || !strings.Contains(stderr, "FAILED (exit status 3)") || !strings.Contains(stderr, log) || !strings.Contains(stderr, "  | the reason") {
		t.Errorf("failure: exit status %d, stderr:\n%s", code, stderr)
	}
}
