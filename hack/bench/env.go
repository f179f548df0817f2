package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	"github.com/orq-ai/orq-operator/internal/orqmem"
)

// bench holds the running components: the control plane, the in-memory orq API and the manager.
type bench struct {
	cfg     config
	workdir string

	env        *envtest.Environment
	kubeconfig string
	dyn        dynamic.Interface
	kube       kubernetes.Interface
	benchOwn   *writeCounter

	mem    *orqmem.Server
	rec    *orqRecorder
	srv    *http.Server
	orqURL string
	apiKey string

	mgr       *managerProc
	mgrSerial int
	// pprofAddr is where the manager serves its profiling endpoints: from -manager-args, else
	// a free loopback port the bench chose.
	pprofAddr string

	// statusRate and createRate are the calibrated rates of Agent status writes and of Agent
	// creates the apiserver takes (0: unknown).
	statusRate, createRate float64
}

// setup starts the control plane and the in-memory orq API, and builds the manager if needed.
func (b *bench) setup(ctx context.Context) error {
	if os.Getenv("KUBEBUILDER_ASSETS") == "" {
		return errors.New("KUBEBUILDER_ASSETS is not set: run `make bench`, or KUBEBUILDER_ASSETS=$(hack/envtest-assets.sh)")
	}
	if _, err := os.Stat(b.cfg.crdDir); err != nil {
		return fmt.Errorf("-crd-dir: %w", err)
	}
	if b.cfg.managerPath == "" {
		path := filepath.Join(b.workdir, "manager")
		log.Printf("building the manager: go build -o %s ./cmd/manager", path)
		cmd := exec.CommandContext(ctx, "go", "build", "-o", path, "./cmd/manager")
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("building the manager (run from the repository root, or pass -manager): %w", err)
		}
		b.cfg.managerPath = path
	}
	if abs, err := filepath.Abs(b.cfg.managerPath); err == nil {
		b.cfg.managerPath = abs
	}

	log.Printf("starting the control plane (envtest: kube-apiserver + etcd, CRD from %s)", b.cfg.crdDir)
	b.env = &envtest.Environment{
		CRDDirectoryPaths:     []string{b.cfg.crdDir},
		ErrorIfCRDPathMissing: true,
	}
	restCfg, err := b.env.Start()
	if err != nil {
		b.env = nil
		return fmt.Errorf("starting envtest: %w", err)
	}
	user, err := b.env.AddUser(envtest.User{Name: "bench", Groups: []string{"system:masters"}}, nil)
	if err != nil {
		return fmt.Errorf("adding the kubeconfig user: %w", err)
	}
	kc, err := user.KubeConfig()
	if err != nil {
		return err
	}
	b.kubeconfig = filepath.Join(b.workdir, "kubeconfig")
	if err := os.WriteFile(b.kubeconfig, kc, 0o600); err != nil {
		return err
	}

	own := rest.CopyConfig(restCfg)
	own.QPS, own.Burst = 500, 1000
	b.benchOwn = &writeCounter{}
	own.Wrap(b.benchOwn.wrap)
	if b.dyn, err = dynamic.NewForConfig(own); err != nil {
		return err
	}
	if b.kube, err = kubernetes.NewForConfig(own); err != nil {
		return err
	}

	key := make([]byte, 16)
	if _, err := rand.Read(key); err != nil {
		return err
	}
	b.apiKey = "bench-" + hex.EncodeToString(key)
	b.mem = orqmem.New(orqmem.Options{APIKeys: []string{b.apiKey}})
	b.rec = newOrqRecorder(b.mem)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	b.srv = &http.Server{
		Handler:           b.rec,
		ReadHeaderTimeout: 10 * time.Second,
		ConnState:         func(c net.Conn, s http.ConnState) { b.rec.connState(c, s) },
	}
	go func() { _ = b.srv.Serve(ln) }()
	b.orqURL = "http://" + ln.Addr().String()
	b.resetOrq()
	log.Printf("in-memory orq API at %s, latency %s per call", b.orqURL, b.cfg.latency)
	addr, set := pprofAddrIn(strings.Fields(b.cfg.extraArgs))
	if !set {
		if addr, err = freeLoopbackAddr(); err != nil {
			return err
		}
	}
	b.pprofAddr = addr // "" when -manager-args turned the endpoints off: no heap figures
	return nil
}

// resetOrq empties the in-memory API and puts back the per-call latency (a latency-only fault).
func (b *bench) resetOrq() {
	b.mem.Reset()
	b.addLatency()
}

func (b *bench) addLatency() {
	if b.cfg.latency > 0 {
		b.mem.AddFault(orqmem.Fault{Latency: b.cfg.latency})
	}
}

// teardown stops everything that was started, whatever state it is in.
func (b *bench) teardown() {
	if b.mgr != nil {
		b.mgr.stop(15 * time.Second)
		b.mgr = nil
	}
	if b.srv != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_ = b.srv.Shutdown(ctx)
		cancel()
		b.srv = nil
	}
	if b.env != nil {
		log.Printf("stopping the control plane")
		if err := b.env.Stop(); err != nil {
			log.Printf("stopping envtest: %v", err)
		}
		b.env = nil
	}
}

// ensureNamespace creates ns if it does not exist.
func (b *bench) ensureNamespace(ctx context.Context, ns string) error {
	_, err := b.kube.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{})
	if apierrors.IsAlreadyExists(err) {
		return nil
	}
	return err
}

// managerProc is a running manager.
type managerProc struct {
	cmd     *exec.Cmd
	logPath string
	started time.Time
	done    chan struct{}
	err     error
	once    sync.Once
}

func (m *managerProc) pid() int { return m.cmd.Process.Pid }

// exited tells whether the process ended, and how.
func (m *managerProc) exited() (bool, error) {
	select {
	case <-m.done:
		return true, m.err
	default:
		return false, nil
	}
}

// stop ends the manager as Kubernetes does: SIGTERM, then SIGKILL after timeout.
func (m *managerProc) stop(timeout time.Duration) {
	m.once.Do(func() {
		_ = m.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-m.done:
		case <-time.After(timeout):
			log.Printf("manager did not stop within %s; killing it", timeout)
			_ = m.cmd.Process.Kill()
			<-m.done
		}
	})
}

// managerArgs are the flags the manager runs with.
func (b *bench) managerArgs() []string {
	args := []string{
		"--orq-base-url=" + b.orqURL,
		"--metrics-bind-address=0",
		"--health-probe-bind-address=0",
		"--orq-qps=" + strconv.FormatFloat(b.cfg.qps, 'f', -1, 64),
		"--max-concurrent-reconciles=" + strconv.Itoa(b.cfg.workers),
		"--sync-period=" + b.cfg.syncPeriod.String(),
	}
	if b.cfg.burst > 0 {
		args = append(args, "--orq-burst="+strconv.Itoa(b.cfg.burst))
	}
	extra := strings.Fields(b.cfg.extraArgs)
	if _, set := pprofAddrIn(extra); !set {
		// For the heap figures; an idle listener otherwise.
		args = append(args, pprofFlag+"="+b.pprofAddr)
	}
	return append(args, extra...)
}

// startManager runs the manager binary as a user runs it: its own process, a kubeconfig, the
// API key in the environment.
func (b *bench) startManager() error {
	b.mgrSerial++
	logPath := filepath.Join(b.workdir, fmt.Sprintf("manager-%02d.log", b.mgrSerial))
	logFile, err := os.Create(logPath)
	if err != nil {
		return err
	}
	cmd := exec.Command(b.cfg.managerPath, b.managerArgs()...)
	env := []string{}
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "KUBECONFIG=") || strings.HasPrefix(kv, "ORQ_") || strings.HasPrefix(kv, "GOMEMLIMIT=") {
			continue
		}
		env = append(env, kv)
	}
	cmd.Env = append(env, "KUBECONFIG="+b.kubeconfig, "ORQ_API_KEY="+b.apiKey)
	if b.cfg.goMemLimit != "" {
		cmd.Env = append(cmd.Env, "GOMEMLIMIT="+b.cfg.goMemLimit) // as the Deployment runs it
	}
	cmd.Stdout, cmd.Stderr = logFile, logFile
	// The manager dies with the bench, even when the bench is killed.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		_ = logFile.Close()
		return fmt.Errorf("starting the manager %s: %w", b.cfg.managerPath, err)
	}
	m := &managerProc{cmd: cmd, logPath: logPath, started: time.Now(), done: make(chan struct{})}
	go func() {
		m.err = cmd.Wait()
		_ = logFile.Close()
		close(m.done)
	}()
	b.mgr = m
	log.Printf("manager started (pid %d, log %s)", m.pid(), logPath)
	return nil
}

// readyLine is what controller-runtime logs when the Agent controller's workers start, after
// its caches synced. The probes are off (as asked), so the log tells when the manager is ready.
const readyLine = `"Starting workers"`

// waitReady waits until the manager's workers started, and returns when they did.
func (b *bench) waitReady(ctx context.Context, timeout time.Duration) (time.Time, error) {
	deadline := time.Now().Add(timeout)
	for {
		if data, err := os.ReadFile(b.mgr.logPath); err == nil && strings.Contains(string(data), readyLine) {
			return time.Now(), nil
		}
		if err := b.managerAlive(); err != nil {
			return time.Time{}, err
		}
		if time.Now().After(deadline) {
			return time.Time{}, fmt.Errorf("the manager did not start its workers within %s; see %s", timeout, b.mgr.logPath)
		}
		if !sleepCtx(ctx, 20*time.Millisecond) {
			return time.Time{}, ctx.Err()
		}
	}
}

// stopManager stops the running manager.
func (b *bench) stopManager() {
	if b.mgr == nil {
		return
	}
	start := time.Now()
	b.mgr.stop(15 * time.Second)
	log.Printf("manager stopped in %s (%v)", fmtDuration(time.Since(start)), b.mgr.err)
	b.mgr = nil
}

// managerAlive fails when the manager exited.
func (b *bench) managerAlive() error {
	if b.mgr == nil {
		return nil
	}
	if done, err := b.mgr.exited(); done {
		return fmt.Errorf("the manager exited (%v); see %s", err, b.mgr.logPath)
	}
	return nil
}

// procSet names the processes whose CPU time is reported.
func (b *bench) procSet() map[string]int {
	procs := map[string]int{"bench": os.Getpid()}
	for comm, pid := range childrenByName(os.Getpid()) {
		switch comm {
		case "kube-apiserver", "etcd":
			procs[comm] = pid
		}
	}
	if b.mgr != nil {
		procs["manager"] = b.mgr.pid()
	}
	return procs
}
