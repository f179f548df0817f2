package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"k8s.io/client-go/rest"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	"github.com/orq-ai/orq-operator/internal/openapi"
	"github.com/orq-ai/orq-operator/internal/orqmem"
)

// runDev runs the operator on a machine with nothing else: a local control plane built from the
// envtest binaries (KUBEBUILDER_ASSETS) unless KUBECONFIG names a cluster, the CRD installed, and
// the in-memory orq API unless ORQ_API_KEY is set (then the real orq API is used).
func runDev(args []string) int {
	var crdDir, stateDir, memListen string
	o, err := parseFlags("manager dev", args, func(fs *flag.FlagSet) {
		fs.StringVar(&crdDir, "crd-dir", filepath.Join("config", "crd", "bases"), "Directory of the CRD manifests to install.")
		fs.StringVar(&stateDir, "state-dir", defaultStateDir(), "Where the local kubeconfig is written.")
		fs.StringVar(&memListen, "orq-mem-listen", "127.0.0.1:0", "Listen address of the in-memory orq API.")
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	// Locally, the metrics and probe ports are not needed and may be taken.
	o.metricsAddr, o.probeAddr, o.pprofAddr = "0", "0", "0"
	ctx := ctrl.SetupSignalHandler()

	cfg, kubeconfig, stop, err := devCluster(crdDir, stateDir)
	if err != nil {
		setupLog.Error(err, "starting the local control plane")
		return 1
	}
	defer stop()

	orqNote, memURL := "the real orq API at "+o.baseURL, ""
	if o.apiKey == "" {
		url, err := startMemAPI(ctx, memListen, o)
		if err != nil {
			setupLog.Error(err, "starting the in-memory orq API")
			return 1
		}
		o.baseURL, memURL = url, url
		orqNote = "the in-memory orq API at " + url + " (set " + envAPIKey + " to use orq.ai)"
	}

	if warning := devWarning(os.Getenv("KUBECONFIG") != "", os.Getenv(envAPIKey) != ""); warning != "" {
		fmt.Printf("\nWARNING: %s\n", warning)
	}
	fmt.Printf(`
orq-operator is running against %s.
Agents are written to %s.

In another shell:
  export KUBECONFIG=%s
  kubectl apply -f config/samples/
  kubectl get orqagent -w

%s
Stop with Ctrl-C.

`, kubeconfigNote(kubeconfig), orqNote, kubeconfig, memWorkspaceNote(memURL, o.apiKey, kubeconfig))

	if err := start(ctx, cfg, o); err != nil {
		setupLog.Error(err, "manager stopped with an error")
		return 1
	}
	return 0
}

// memWorkspaceNote tells how to look at the in-memory workspace: its agents with curl, and a plan
// of the samples against it. It shows the throwaway key of that workspace, made for this run and
// valid nowhere else; "" for the real orq API (url ""), whose key is never printed.
func memWorkspaceNote(url, key, kubeconfig string) string {
	if url == "" {
		return ""
	}
	return fmt.Sprintf(`
Look at the in-memory orq workspace (its key is a throwaway one, made for this run):
  curl -H "Authorization: Bearer %[2]s" %[1]s/v2/agents
  KUBECONFIG=%[3]s %[4]s=%[2]s %[5]s=%[1]s \
    go run ./cmd/manager plan --live -f config/samples/
The samples name their tool, knowledge base and memory store by Tool, KnowledgeBase and
MemoryStore objects. Those your Agents name by key or id must exist first, e.g.:
  curl -H "Authorization: Bearer %[2]s" %[1]s/v2/tools -d '{"path":"Default","key":"weather-api",
    "description":"Weather","type":"http","http":{"blueprint":{"url":"https://example.com","method":"GET"}}}'
`, url, key, kubeconfig, envAPIKey, envBaseURL)
}

// devWarning says what is risky about a combination of a real cluster and the real orq API.
func devWarning(realCluster, realOrq bool) string {
	switch {
	case realCluster && !realOrq:
		return "every Agent of the KUBECONFIG cluster is now managed against the in-memory orq API " +
			"(finalizers, status). Do not run this next to an operator deployed in that cluster."
	case !realCluster && realOrq:
		return "agents are created in your real orq.ai workspace. The local control plane is discarded " +
			"when you stop, and with it the Agents, without deleting their remote agents: delete the " +
			"Agents before stopping to remove them from orq."
	}
	return ""
}

func kubeconfigNote(path string) string {
	if os.Getenv("KUBECONFIG") != "" {
		return "the cluster of KUBECONFIG"
	}
	return "a local control plane (kubeconfig " + path + ")"
}

func defaultStateDir() string {
	dir, err := os.UserCacheDir()
	if err != nil {
		dir = os.TempDir()
	}
	return filepath.Join(dir, "orq-operator", "dev")
}

// devCluster returns the cluster to run against, with the CRD installed: the cluster of
// KUBECONFIG when it is set, else a local control plane whose kubeconfig is written to stateDir.
func devCluster(crdDir, stateDir string) (*rest.Config, string, func(), error) {
	crds := envtest.CRDInstallOptions{Paths: []string{crdDir}, ErrorIfPathMissing: true}
	if kc := os.Getenv("KUBECONFIG"); kc != "" {
		cfg, err := ctrl.GetConfig()
		if err != nil {
			return nil, "", nil, err
		}
		if _, err := envtest.InstallCRDs(cfg, crds); err != nil {
			return nil, "", nil, fmt.Errorf("installing the CRD: %w", err)
		}
		return cfg, kc, func() {}, nil
	}
	if os.Getenv("KUBEBUILDER_ASSETS") == "" {
		return nil, "", nil, errors.New("KUBEBUILDER_ASSETS is not set: run `make run`, which builds the control plane binaries")
	}
	env := &envtest.Environment{CRDInstallOptions: crds}
	cfg, err := env.Start()
	if err != nil {
		return nil, "", nil, err
	}
	stop := func() { _ = env.Stop() }
	user, err := env.AddUser(envtest.User{Name: "dev-admin", Groups: []string{"system:masters"}}, nil)
	if err != nil {
		stop()
		return nil, "", nil, err
	}
	kubeconfig, err := user.KubeConfig()
	if err != nil {
		stop()
		return nil, "", nil, err
	}
	if err := os.MkdirAll(stateDir, 0o700); err != nil {
		stop()
		return nil, "", nil, err
	}
	path := filepath.Join(stateDir, "kubeconfig")
	if err := os.WriteFile(path, kubeconfig, 0o600); err != nil {
		stop()
		return nil, "", nil, err
	}
	return cfg, path, stop, nil
}

// startMemAPI serves the in-memory orq API on loopback with a fresh API key, which it sets in o.
// When the official OpenAPI file is at hand, request bodies are also validated against it.
func startMemAPI(ctx context.Context, listen string, o *options) (string, error) {
	key := make([]byte, 16)
	if _, err := rand.Read(key); err != nil {
		return "", err
	}
	o.apiKey = "dev-" + hex.EncodeToString(key)
	opts := orqmem.Options{APIKeys: []string{o.apiKey}}
	if path, err := openapi.Locate(); err == nil {
		if spec, err := openapi.Load(path); err == nil {
			opts.Schema = spec
			setupLog.Info("in-memory orq API validates requests with the OpenAPI file", "path", path)
		}
	}
	if path, err := openapi.LocateGraph(); err == nil {
		if graph, err := openapi.LoadGraph(path); err == nil {
			opts.Graph = graph
			setupLog.Info("in-memory orq API validates tools, knowledge, memory store and schedule requests with the OpenAPI file", "path", path)
		}
	}
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return "", err
	}
	srv := &http.Server{Handler: orqmem.New(opts), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()
	return "http://" + ln.Addr().String(), nil
}
