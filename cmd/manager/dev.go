package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/orq-ai/orq-operator/internal/openapi"
	"github.com/orq-ai/orq-operator/internal/orqclient"
	"github.com/orq-ai/orq-operator/internal/orqmem"
)

// runDev runs the operator on a machine with nothing else: a local control plane built from the
// envtest binaries (KUBEBUILDER_ASSETS) unless KUBECONFIG names a cluster, the CRD installed, and
// the in-memory orq API unless ORQ_API_KEY is set (then the real orq API is used).
func runDev(args []string) int {
	var crdDir, stateDir, memListen string
	o, err := parseFlagsOnly(devCommand, args, func(fs *flag.FlagSet) {
		fs.StringVar(&crdDir, "crd-dir", filepath.Join("config", "crd", "bases"), "Directory of the CRD manifests to install.")
		fs.StringVar(&stateDir, "state-dir", defaultStateDir(), "Where the local kubeconfig is written.")
		fs.StringVar(&memListen, "orq-mem-listen", "127.0.0.1:0", "Listen address of the in-memory orq API.")
		// Locally the metrics are off unless asked for (on loopback): their port may be taken.
		setDefault(fs, "metrics-bind-address", "0")
	})
	if err != nil {
		return exitStatusOf(err)
	}
	if err := checkLoopback(o.metricsAddr); err != nil {
		fmt.Fprintf(os.Stderr, "%s: --metrics-bind-address: %v\n", devCommand, err)
		return 2
	}
	// The probe and profiling ports are not needed locally, and may be taken.
	o.probeAddr, o.pprofAddr = "0", "0"
	ctx, lastly, stopSignals := handleSignals()
	defer stopSignals()

	cluster, err := startDevCluster(crdDir, stateDir, func(s string) { fmt.Fprintf(os.Stderr, "%s: %s\n", devCommand, s) })
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", devCommand, err)
		return 1
	}
	defer cluster.stop()
	lastly(cluster.stop)
	if ctx.Err() != nil { // stopped while the control plane was starting
		return 0
	}

	orqNote, memURL := "the real orq API at "+orqclient.QuoteURL(o.baseURL), ""
	if o.apiKey == "" {
		url, err := startMemAPI(ctx, memListen, o)
		if err != nil {
			fmt.Fprintf(os.Stderr, "%s: starting the in-memory orq API: %v\n", devCommand, err)
			return 1
		}
		o.baseURL, memURL = url, url
		orqNote = "the in-memory orq API at " + url + " (set " + envAPIKey + " to use orq.ai)"
	}

	fmt.Print(devBanner(cluster, orqNote, memURL, o))
	if err := start(ctx, cluster.cfg, o); err != nil {
		setupLog.Error(err, "manager stopped with an error")
		return 1
	}
	return 0
}

// devBanner says what manager dev runs against, and what to do next.
func devBanner(cluster *devCluster, orqNote, memURL string, o *options) string {
	warning := ""
	if w := devWarning(!cluster.local, os.Getenv(envAPIKey) != ""); w != "" {
		warning = "\nWARNING: " + w + "\n"
	}
	return fmt.Sprintf(`%s
orq-operator is running against %s.
Agents are written to %s.

In another shell:
  export KUBECONFIG=%s
  kubectl apply -f config/samples/
  kubectl get orqagent -w
%s%s
Stop with Ctrl-C.

`, warning, kubeconfigNote(cluster), orqNote, cluster.kubeconfig, memWorkspaceNote(memURL, o.apiKey, cluster.kubeconfig, managerBinary()), metricsNote(o))
}

// setDefault changes the default of a flag that fs already has.
func setDefault(fs *flag.FlagSet, name, value string) {
	f := fs.Lookup(name)
	_ = f.Value.Set(value)
	f.DefValue = value
}

// checkLoopback accepts "0" (off) and loopback addresses only: manager dev serves nothing beyond
// this machine.
func checkLoopback(addr string) error {
	if addr == "0" {
		return nil
	}
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return err
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return fmt.Errorf("%q is not a loopback address: manager dev serves metrics on this machine only, such as 127.0.0.1:8080", addr)
	}
	return nil
}

// metricsNote tells where the metrics are served, "" when they are not.
func metricsNote(o *options) string {
	if o.metricsAddr == "0" {
		return ""
	}
	if o.metricsSecure {
		return fmt.Sprintf("\nMetrics: https://%s/metrics (a bearer token allowed to get /metrics is needed; --metrics-secure=false serves plain HTTP)\n", o.metricsAddr)
	}
	return fmt.Sprintf("\nMetrics: curl -s http://%s/metrics | grep ^orq_operator_\n", o.metricsAddr)
}

// managerBinary is the absolute path of this binary, to print in commands to copy; "manager"
// when it cannot be found.
func managerBinary() string {
	if p, err := os.Executable(); err == nil {
		return p
	}
	return "manager"
}

// memWorkspaceNote tells how to look at the in-memory workspace: its agents with curl, and a plan
// of the samples against it. It shows the throwaway key of that workspace, made for this run and
// valid nowhere else; "" for the real orq API (url ""), whose key is never printed.
// The plan is run by the binary itself, not `go run`: go run turns the plan's exit status 2
// (changes) into 1 and adds a line of its own.
func memWorkspaceNote(url, key, kubeconfig, manager string) string {
	if url == "" {
		return ""
	}
	return fmt.Sprintf(`
Look at the in-memory orq workspace (its key is a throwaway one, made for this run):
  curl -H "Authorization: Bearer %[2]s" %[1]s/v2/agents
  KUBECONFIG=%[3]s %[4]s=%[2]s %[5]s=%[1]s \
    %[6]s plan --live -f config/samples/
The samples name their tool, knowledge base and memory store by Tool, KnowledgeBase and
MemoryStore objects. Those your Agents name by key or id must exist first, e.g.:
  curl -H "Authorization: Bearer %[2]s" %[1]s/v2/tools -d '{"path":"Default","key":"weather-api",
    "description":"Weather","type":"http","http":{"blueprint":{"url":"https://example.com","method":"GET"}}}'
`, url, key, kubeconfig, envAPIKey, envBaseURL, manager)
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

func kubeconfigNote(c *devCluster) string {
	if !c.local {
		return "the cluster of KUBECONFIG"
	}
	return "a local control plane (kubeconfig " + c.kubeconfig + ")"
}

func defaultStateDir() string {
	dir, err := os.UserCacheDir()
	if err != nil {
		dir = os.TempDir()
	}
	return filepath.Join(dir, "orq-operator", "dev")
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
