package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/tools/clientcmd"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"
)

// These tests run the built manager dev as make run does, on a real local control plane (the
// envtest binaries), and check what a user would: after a signal, its kube-apiserver and etcd
// are gone and their data removed.

// devBound bounds each wait for the manager: a failsafe against a hung test, not a measure.
const devBound = 3 * time.Minute

// controlPlaneProc is a kube-apiserver or etcd that manager dev started.
type controlPlaneProc struct {
	name    string
	pid     int
	started string // start time in clock ticks, from /proc/PID/stat: tells the process from a later one with its pid
	dir     string // its data (etcd) or certificate (kube-apiserver) directory
}

// devRun is a manager dev started by a test.
type devRun struct {
	cmd      *exec.Cmd
	stateDir string
	stdout   *lineLog
	stderr   *lineLog
	exited   chan struct{}
}

// lineLog keeps what a pipe printed, and tells when a line containing a text appears.
type lineLog struct {
	mu    sync.Mutex
	text  strings.Builder
	added chan struct{}
}

func newLineLog(r io.Reader) *lineLog {
	l := &lineLog{added: make(chan struct{}, 1)}
	go func() {
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			l.mu.Lock()
			l.text.WriteString(sc.Text() + "\n")
			l.mu.Unlock()
			select {
			case l.added <- struct{}{}:
			default:
			}
		}
	}()
	return l
}

func (l *lineLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.text.String()
}

// needControlPlane skips the test when the envtest binaries are not at hand.
func needControlPlane(t *testing.T) string {
	t.Helper()
	if runtime.GOOS != "linux" {
		t.Skip("reads /proc to find the control plane's processes")
	}
	if testing.Short() {
		t.Skip("-short: starts a local control plane")
	}
	assets := os.Getenv("KUBEBUILDER_ASSETS")
	if assets == "" {
		t.Skip("KUBEBUILDER_ASSETS is not set, so manager dev cannot start its control plane: run `make test`, or KUBEBUILDER_ASSETS=$(hack/envtest-assets.sh) go test ./cmd/manager/")
	}
	for _, bin := range []string{"kube-apiserver", "etcd"} {
		if _, err := os.Stat(filepath.Join(assets, bin)); err != nil {
			t.Skipf("the envtest assets are missing (%v): run hack/envtest-assets.sh", err)
		}
	}
	return assets
}

// startDev runs the built manager dev from the repository's root with stateDir ("": one of its
// own), and waits until it says it is running. env is added to a clean environment (no
// KUBECONFIG, no ORQ_API_KEY).
func startDev(t *testing.T, stateDir string, env []string, args ...string) *devRun {
	t.Helper()
	bin := managerBin(t)
	if stateDir == "" {
		stateDir = t.TempDir()
	}
	d := &devRun{stateDir: stateDir, exited: make(chan struct{})}
	d.cmd = exec.Command(bin, append([]string{"dev", "--state-dir", d.stateDir}, args...)...)
	d.cmd.Dir = filepath.Join("..", "..")
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "KUBECONFIG=") && !strings.HasPrefix(kv, envAPIKey+"=") {
			d.cmd.Env = append(d.cmd.Env, kv)
		}
	}
	d.cmd.Env = append(d.cmd.Env, env...)
	stdout, err := d.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr, err := d.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	d.stdout, d.stderr = newLineLog(stdout), newLineLog(stderr)
	if err := d.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { _ = d.cmd.Wait(); close(d.exited) }()
	t.Cleanup(func() { // only if the test failed half-way: nothing of this run may stay
		_ = d.cmd.Process.Kill()
		<-d.exited
	})
	deadline := time.After(devBound)
	for !strings.Contains(d.stdout.String(), "Stop with Ctrl-C.") {
		select {
		case <-d.stdout.added:
		case <-d.exited:
			t.Fatalf("manager dev ended before it ran (%v):\n%s\n%s", d.cmd.ProcessState, d.stdout, d.stderr)
		case <-deadline:
			t.Fatalf("manager dev did not say it was running within %s:\n%s\n%s", devBound, d.stdout, d.stderr)
		}
	}
	return d
}

// controlPlane returns the kube-apiserver and etcd that d started, from /proc.
func (d *devRun) controlPlane(t *testing.T) []controlPlaneProc {
	t.Helper()
	entries, err := os.ReadDir("/proc")
	if err != nil {
		t.Fatal(err)
	}
	var procs []controlPlaneProc
	for _, e := range entries {
		var pid int
		if _, err := fmt.Sscan(e.Name(), &pid); err != nil {
			continue
		}
		name, ppid, started, err := procStat(pid)
		if err != nil || ppid != d.cmd.Process.Pid || (name != "kube-apiserver" && name != "etcd") {
			continue
		}
		raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
		if err != nil {
			continue
		}
		p := controlPlaneProc{name: name, pid: pid, started: started}
		for _, arg := range strings.Split(string(raw), "\x00") {
			for _, flag := range []string{"--data-dir=", "--cert-dir="} {
				if strings.HasPrefix(arg, flag) {
					p.dir = strings.TrimPrefix(arg, flag)
				}
			}
		}
		procs = append(procs, p)
		t.Cleanup(func() { // only if it outlived the test: it was started by it
			if alive(p) {
				_ = syscall.Kill(p.pid, syscall.SIGKILL)
			}
		})
	}
	if len(procs) != 2 || procs[0].name == procs[1].name {
		t.Fatalf("want one kube-apiserver and one etcd under manager dev (pid %d), found %+v", d.cmd.Process.Pid, procs)
	}
	for _, p := range procs {
		if p.dir == "" {
			t.Fatalf("%s (pid %d): no --data-dir or --cert-dir in its command line", p.name, p.pid)
		}
		if _, err := os.Stat(p.dir); err != nil {
			t.Fatalf("%s: its directory: %v", p.name, err)
		}
	}
	return procs
}

// procStat reads a process's name, parent and start time from /proc/PID/stat.
func procStat(pid int) (name string, ppid int, started string, err error) {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return "", 0, "", err
	}
	s := string(raw)
	open, closing := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
	if open < 0 || closing < open {
		return "", 0, "", fmt.Errorf("/proc/%d/stat: %q", pid, s)
	}
	fields := strings.Fields(s[closing+1:]) // state, ppid, ... starttime is field 22 of the line
	if len(fields) < 20 {
		return "", 0, "", fmt.Errorf("/proc/%d/stat: %q", pid, s)
	}
	if fields[0] == "Z" || fields[0] == "X" {
		return "", 0, "", fs.ErrNotExist // it has ended, only its exit status is left
	}
	_, err = fmt.Sscan(fields[1], &ppid)
	return s[open+1 : closing], ppid, fields[19], err
}

// alive tells whether p is still running (the same process: its pid may have been reused).
func alive(p controlPlaneProc) bool {
	name, _, started, err := procStat(p.pid)
	return err == nil && name == p.name && started == p.started
}

// stopWith sends the signals to manager dev, one after the other, waits until it has exited, and
// returns its exit status.
func (d *devRun) stopWith(t *testing.T, sigs ...syscall.Signal) int {
	t.Helper()
	for _, sig := range sigs {
		if err := d.cmd.Process.Signal(sig); err != nil {
			t.Fatal(err)
		}
	}
	select {
	case <-d.exited:
	case <-time.After(devBound):
		t.Fatalf("manager dev did not exit within %s of %v:\n%s", devBound, sigs, d.stderr)
	}
	return d.cmd.ProcessState.ExitCode()
}

// checkGone asserts that the control plane's processes have ended, their directories and the
// kubeconfig are removed.
func (d *devRun) checkGone(t *testing.T, procs []controlPlaneProc) {
	t.Helper()
	for _, p := range procs {
		if alive(p) {
			t.Errorf("%s (pid %d) still runs after manager dev exited", p.name, p.pid)
		}
		if _, err := os.Stat(p.dir); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%s's directory %s is still there (%v)", p.name, p.dir, err)
		}
	}
	if _, err := os.Stat(filepath.Join(d.stateDir, "kubeconfig")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the kubeconfig of the stopped control plane is still there (%v)", err)
	}
	if t.Failed() {
		t.Logf("stdout:\n%s\nstderr:\n%s", d.stdout, d.stderr)
	}
}

// Closing the terminal (SIGHUP), a kill (SIGTERM) and an impatient second signal all stop the
// local control plane: before, SIGHUP ended manager dev at once and left kube-apiserver and etcd
// running with their data. (Ctrl-C, SIGINT, ends the tests below.)
func TestDevStopsItsControlPlaneOnSignals(t *testing.T) {
	needControlPlane(t)
	for _, c := range []struct {
		name string
		sigs []syscall.Signal
		exit int
	}{
		{"terminal closed", []syscall.Signal{syscall.SIGHUP}, 0},
		{"killed", []syscall.Signal{syscall.SIGTERM}, 0},
		{"terminal closed, then killed", []syscall.Signal{syscall.SIGHUP, syscall.SIGTERM}, -1},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			d := startDev(t, "", nil)
			procs := d.controlPlane(t)
			code := d.stopWith(t, c.sigs...)
			if c.exit >= 0 && code != c.exit {
				t.Errorf("exit status %d, want %d", code, c.exit)
			}
			d.checkGone(t, procs)
		})
	}
}

// The shell where README had the user export KUBECONFIG makes the next make run see it: that is
// the kubeconfig of the earlier run, whose control plane is gone. The new run starts one and
// writes its kubeconfig there, so that the exported KUBECONFIG works again.
func TestDevTakesItsOwnLeftoverKubeconfigBack(t *testing.T) {
	needControlPlane(t)
	t.Parallel()
	stateDir := t.TempDir()
	leftover := filepath.Join(stateDir, "kubeconfig")
	stale := "apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: 'https://127.0.0.1:1'}}]\n" +
		"contexts: [{name: c, context: {cluster: c, user: u}}]\ncurrent-context: c\nusers: [{name: u, user: {}}]\n"
	if err := os.WriteFile(leftover, []byte(stale), 0o600); err != nil {
		t.Fatal(err)
	}
	d := startDev(t, stateDir, []string{"KUBECONFIG=" + leftover})
	if !strings.Contains(d.stderr.String(), "the kubeconfig of an earlier manager dev") ||
		!strings.Contains(d.stdout.String(), "running against a local control plane (kubeconfig "+leftover+")") {
		t.Errorf("manager dev did not take its leftover kubeconfig back:\n%s\n%s", d.stdout, d.stderr)
	}
	// The plan line runs this very binary: `go run` would turn the plan's exit status 2 into 1.
	if want := "    " + managerBin(t) + " plan --live -f config/samples/\n"; !strings.Contains(d.stdout.String(), want) {
		t.Errorf("the banner's plan line is not %q:\n%s", want, d.stdout)
	}
	cfg, err := clientcmd.BuildConfigFromFlags("", leftover)
	if err != nil {
		t.Fatal(err)
	}
	if err := ping(cfg); err != nil {
		t.Errorf("the exported KUBECONFIG does not reach the new control plane: %v", err)
	}
	procs := d.controlPlane(t)
	if code := d.stopWith(t, syscall.SIGINT); code != 0 {
		t.Errorf("exit status %d", code)
	}
	d.checkGone(t, procs)
}

// A KUBECONFIG of another cluster that does not answer is named, with what to do.
func TestDevSaysKubeconfigNamesAStoppedCluster(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := ln.Addr().String()
	ln.Close() // nothing listens there now: connection refused
	dir := t.TempDir()
	kc := filepath.Join(dir, "other-kubeconfig")
	cfg := "apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: 'https://" + dead + "', insecure-skip-tls-verify: true}}]\n" +
		"contexts: [{name: c, context: {cluster: c, user: u}}]\ncurrent-context: c\nusers: [{name: u, user: {token: t}}]\n"
	if err := os.WriteFile(kc, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	bin := managerBin(t)
	for _, c := range []struct{ kubeconfig, want string }{
		{kc, "KUBECONFIG is set to " + kc + ", whose cluster https://" + dead + " does not answer"},
		{filepath.Join(dir, "gone"), "KUBECONFIG is set to " + filepath.Join(dir, "gone") + ", which does not exist"},
	} {
		cmd := exec.Command(bin, "dev", "--state-dir", filepath.Join(dir, "state"), "--crd-dir", "../../config/crd/bases")
		cmd.Env = append(os.Environ(), "KUBECONFIG="+c.kubeconfig, envAPIKey+"=")
		out, err := cmd.CombinedOutput()
		if code := cmd.ProcessState.ExitCode(); code != 1 {
			t.Errorf("KUBECONFIG=%s: exit status %d (%v), want 1", c.kubeconfig, code, err)
		}
		if !strings.Contains(string(out), c.want) || !strings.Contains(string(out), "run `unset KUBECONFIG`") {
			t.Errorf("KUBECONFIG=%s: want %q and how to unset it in:\n%s", c.kubeconfig, c.want, out)
		}
	}
}

// Asked for, manager dev serves the operator's metrics on loopback, as docs/monitoring.md shows:
// once the samples are applied, their Agents and the operator's calls to orq are counted.
func TestDevServesMetricsOnLoopback(t *testing.T) {
	needControlPlane(t)
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	d := startDev(t, "", nil, "--metrics-bind-address", addr, "--metrics-secure=false")
	procs := d.controlPlane(t)
	if want := "curl -s http://" + addr + "/metrics"; !strings.Contains(d.stdout.String(), want) {
		t.Errorf("manager dev does not say where its metrics are (%q):\n%s", want, d.stdout)
	}
	applySamples(t, filepath.Join(d.stateDir, "kubeconfig"))
	deadline := time.Now().Add(devBound)
	var body string
	for !strings.Contains(body, "\norq_operator_api_requests_total{") || !strings.Contains(body, "\norq_operator_agents{") {
		if time.Now().After(deadline) {
			t.Fatalf("GET /metrics: no orq_operator_ series within %s of applying the samples:\n%.3000s", devBound, body)
		}
		time.Sleep(200 * time.Millisecond)
		body = getMetrics(t, addr)
	}
	d.stopWith(t, syscall.SIGINT)
	d.checkGone(t, procs)
}

func getMetrics(t *testing.T, addr string) string {
	t.Helper()
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /metrics: %s", resp.Status)
	}
	return string(body)
}

// applySamples creates the objects of config/samples/, as kubectl apply -f would.
func applySamples(t *testing.T, kubeconfig string) {
	t.Helper()
	cfg, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	c, err := client.New(cfg, client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob("../../config/samples/*.yaml")
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, doc := range strings.Split(string(raw), "\n---") {
			obj := &unstructured.Unstructured{}
			if err := yaml.Unmarshal([]byte(doc), &obj.Object); err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			if len(obj.Object) == 0 {
				continue
			}
			if obj.GetNamespace() == "" {
				obj.SetNamespace("default")
			}
			if err := c.Create(context.Background(), obj); err != nil {
				t.Fatalf("%s: %v", f, err)
			}
		}
	}
}
