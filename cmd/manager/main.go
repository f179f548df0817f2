// Command manager runs the orq-operator.
//
//	manager [flags]      run against the cluster of the current kubeconfig and the orq API
//	manager dev [flags]     run locally: a local control plane (unless KUBECONFIG is set), the
//	                        CRD installed, and the in-memory orq API (unless ORQ_API_KEY is set)
//	manager export [flags]  write an Agent manifest for every agent of the workspace
//	manager plan -f FILE    tell what the operator would do to the workspace for these manifests
//	manager help [command]  the commands, or the flags of one
//	manager version         the version set at build time (-ldflags "-X main.version=..."), also --version
//	manager trigger agentschedule/NAME  run a schedule now
//
// The kubectl plugin (kubectl orq) is its own binary, cmd/kubectl-orq, sharing plan, export and
// trigger with this one through internal/cli.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/go-logr/logr"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/healthz"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
	ctrlmetrics "sigs.k8s.io/controller-runtime/pkg/metrics"
	"sigs.k8s.io/controller-runtime/pkg/metrics/filters"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
	"github.com/orq-ai/orq-operator/internal/controller"
	"github.com/orq-ai/orq-operator/internal/eventrecorder"
	"github.com/orq-ai/orq-operator/internal/managed"
	"github.com/orq-ai/orq-operator/internal/metrics"
	"github.com/orq-ai/orq-operator/internal/orqclient"
)

const (
	envAPIKey  = "ORQ_API_KEY"
	envBaseURL = "ORQ_API_BASE_URL"
)

var (
	scheme   = runtime.NewScheme()
	setupLog = ctrl.Log.WithName("setup")
	// version is set at build time.
	version = "dev"
)

func init() {
	utilruntime.Must(clientgoscheme.AddToScheme(scheme))
	utilruntime.Must(orqv1alpha1.AddToScheme(scheme))
}

// options are the manager's settings, from flags and the environment.
type options struct {
	baseURL                 string
	apiKey                  string // from ORQ_API_KEY only, never a flag: flags show up in ps
	syncPeriod              time.Duration
	requestTimeout          time.Duration
	maxConcurrentReconciles int
	metricsAddr             string
	probeAddr               string
	pprofAddr               string
	leaderElect             bool
	leaderElectionNamespace string
	defaultDeletionPolicy   string
	qps                     float64
	burst                   int
	watchNamespaces         string
	agentSelector           string
	leaderElectionID        string
	metricsSecure           bool
	otlpEndpoint            string
}

func (o *options) bind(fs *flag.FlagSet) {
	defaultBase := os.Getenv(envBaseURL)
	if defaultBase == "" {
		defaultBase = orqclient.DefaultBaseURL
	}
	fs.StringVar(&o.baseURL, "orq-base-url", defaultBase, "Base URL of the orq API (env "+envBaseURL+").")
	fs.Lookup("orq-base-url").DefValue = orqclient.QuoteURL(defaultBase) // what --help shows (review R13)
	fs.DurationVar(&o.syncPeriod, "sync-period", controller.DefaultSyncPeriod, "How often drift is looked for: each workspace is listed, and only the agents changed in orq are read (jittered by up to 10%).")
	fs.DurationVar(&o.requestTimeout, "orq-request-timeout", orqclient.DefaultTimeout, "Timeout of each request to the orq API.")
	fs.Float64Var(&o.qps, "orq-qps", 10, "Requests a second to the orq API, shared by all workers (0: unlimited).")
	fs.IntVar(&o.burst, "orq-burst", 20, "Bursts of requests to the orq API above --orq-qps.")
	fs.IntVar(&o.maxConcurrentReconciles, "max-concurrent-reconciles", 4, "How many Agents are reconciled at once.")
	fs.StringVar(&o.metricsAddr, "metrics-bind-address", ":8443", "Address of the metrics endpoint; 0 disables it.")
	fs.BoolVar(&o.metricsSecure, "metrics-secure", true, "Serve metrics over HTTPS, to callers whose token may get /metrics (TokenReview and SubjectAccessReview); false serves plain HTTP to anyone.")
	fs.StringVar(&o.probeAddr, "health-probe-bind-address", ":8081", "Address of the health and readiness probes; 0 disables them.")
	fs.StringVar(&o.pprofAddr, "pprof-bind-address", "0", "Address of Go's profiling endpoints (/debug/pprof/, plain HTTP, no authentication); 0 disables them.")
	fs.BoolVar(&o.leaderElect, "leader-elect", false, "Elect a leader, so that only one replica writes to orq.")
	fs.StringVar(&o.defaultDeletionPolicy, "default-deletion-policy", string(orqv1alpha1.DeletionPolicyDelete), "Deletion policy of Agents that do not set spec.deletionPolicy: Delete or Orphan.")
	fs.StringVar(&o.watchNamespaces, "watch-namespaces", "", "Comma-separated namespaces whose Agents this operator manages (default: all). With --agent-selector, splits Agents between operator Deployments (shards).")
	fs.StringVar(&o.agentSelector, "agent-selector", "", "Label selector of the Agents this operator manages (default: all), for example shard=a.")
	fs.StringVar(&o.leaderElectionID, "leader-election-id", "orq-operator.orq.ai", "Name of the leader election lease; give each shard its own.")
	fs.StringVar(&o.leaderElectionNamespace, "leader-election-namespace", "", "Namespace of the leader election lease (default: the pod's namespace).")
	fs.StringVar(&o.otlpEndpoint, "otlp-endpoint", "", "Base URL of an OTLP receiver to send traces to, such as http://otel-collector:4318 (default: OTEL_EXPORTER_OTLP_ENDPOINT; none: no tracing).")
}

// eventDrainTimeout is how long the events still queued at shutdown may take to be written.
const eventDrainTimeout = 5 * time.Second

func main() {
	cmd, args, err := command(os.Args[0], os.Args[1:])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	os.Exit(runCommand(cmd, args))
}

// parseFlagsOnly parses the common flags and the command's own (extra), and sets up logging, for
// commands that take no arguments besides flags: a word left over (`manager --leader-elect plans`)
// is an error, not something to ignore. -h prints the command's help on standard output and
// returns flag.ErrHelp.
func parseFlagsOnly(name string, args []string, extra func(*flag.FlagSet)) (*options, error) {
	o, rest, err := parseCommandLine(name, args, extra)
	if err == nil && len(rest) > 0 {
		err = fmt.Errorf("%s: unexpected argument %q (a command goes first, flags after it); see %q", name, rest[0], name+" --help")
	}
	return o, err
}

// exitStatusOf is the exit status of a command whose flags could not be parsed: 0 when help was
// asked for (it has been printed), else 2 after printing the error.
func exitStatusOf(err error) int {
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	fmt.Fprintln(os.Stderr, err)
	return 2
}

// parseCommandLine parses args for the command name ("manager dev") and returns the arguments
// that are not flags, in order: flags may come before and after them, as kubectl takes them
// (all after a "--" are arguments). Its errors start with the command as the user typed it
// ("manager plan").
func parseCommandLine(name string, args []string, extra func(*flag.FlagSet)) (*options, []string, error) {
	o := &options{}
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard) // the error is returned, and -h prints the help below
	fs.Usage = func() {}
	o.bind(fs)
	if extra != nil {
		extra(fs)
	}
	zapOpts := logOptions(name == devCommand, stderrIsTerminal())
	zapOpts.BindFlags(fs)
	positional, err := parseInterspersed(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			printUsage(os.Stdout, name, fs)
			return nil, nil, err
		}
		return nil, nil, fmt.Errorf("%s: %w; see %q", name, err, name+" --help")
	}
	ctrl.SetLogger(zap.New(zap.UseFlagOptions(&zapOpts)))
	o.apiKey = os.Getenv(envAPIKey)
	if _, err := labels.Parse(o.agentSelector); err != nil {
		return nil, nil, fmt.Errorf("%s: --agent-selector: %w", name, err)
	}
	switch orqv1alpha1.DeletionPolicy(o.defaultDeletionPolicy) {
	case orqv1alpha1.DeletionPolicyDelete, orqv1alpha1.DeletionPolicyOrphan:
	default:
		return nil, nil, fmt.Errorf("%s: --default-deletion-policy must be Delete or Orphan, not %q", name, o.defaultDeletionPolicy)
	}
	return o, positional, nil
}

// parseInterspersed parses the flags of args wherever they are, and returns the other arguments.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if stopped := len(args) - len(rest); stopped > 0 && args[stopped-1] == "--" {
			return append(positional, rest...), nil
		}
		if len(rest) == 0 {
			return positional, nil
		}
		positional, args = append(positional, rest[0]), rest[1:]
	}
}

func runManager(args []string) int {
	o, err := parseFlagsOnly("manager", args, nil)
	if err != nil {
		return exitStatusOf(err)
	}
	if o.apiKey == "" {
		setupLog.Info(envAPIKey + " is not set: only Agents with spec.apiKeySecretRef can be managed; the others report NoCredentials")
	}
	cfg, err := ctrl.GetConfig()
	if err != nil {
		setupLog.Error(err, "no Kubernetes configuration")
		return 1
	}
	if err := start(ctrl.SetupSignalHandler(), cfg, o); err != nil {
		setupLog.Error(err, "manager stopped with an error")
		return 1
	}
	return 0
}

// +kubebuilder:rbac:groups=authentication.k8s.io,resources=tokenreviews,verbs=create
// +kubebuilder:rbac:groups=authorization.k8s.io,resources=subjectaccessreviews,verbs=create

// metricsOptions serves the metrics over HTTPS with authentication and authorization (the
// secure endpoint), unless --metrics-secure=false.
func metricsOptions(o *options) metricsserver.Options {
	m := metricsserver.Options{BindAddress: o.metricsAddr, SecureServing: o.metricsSecure}
	if o.metricsSecure {
		m.FilterProvider = filters.WithAuthenticationAndAuthorization
	}
	return m
}

// start runs the manager until ctx ends.
func start(ctx context.Context, cfg *rest.Config, o *options) error {
	// One client, with its own limiter, per API key: each key is a workspace with its own quota.
	pool := &orqclient.Pool{
		Options: orqclient.Options{
			BaseURL:   o.baseURL,
			Timeout:   o.requestTimeout,
			UserAgent: "orq-operator/" + version,
			Observe:   metrics.ObserveRequest,
		},
		NewLimiter: func() *orqclient.Limiter {
			limiter := orqclient.NewLimiter(o.qps, o.burst)
			limiter.OnWait = metrics.ObserveRateLimitWait
			return limiter
		},
	}
	opts := controller.Options{
		SyncPeriod:              o.syncPeriod,
		DefaultDeletionPolicy:   orqv1alpha1.DeletionPolicy(o.defaultDeletionPolicy),
		MaxConcurrentReconciles: o.maxConcurrentReconciles,
		APIFor: func(source, apiKey string) (managed.API, error) {
			return pool.For(source, apiKey)
		},
	}
	// Before any client is made: each takes its Tracer from pool.Options.
	stopTracing, err := startTracing(ctx, o.otlpEndpoint, &pool.Options, &opts)
	if err != nil {
		return err
	}
	defer stopTracing() // after mgr.Start has returned: the last reconciles' spans are sent
	if o.apiKey != "" {
		api, err := pool.Pin(o.apiKey) // shared with the Secrets holding the same key
		if err != nil {
			return err
		}
		opts.API, opts.DefaultAPIKeyHash = api, orqclient.KeyHash(o.apiKey)
	} else if _, err := orqclient.New(pool.Options); err != nil {
		return err // the base URL is checked at start, whatever the keys
	}
	selector, _ := labels.Parse(o.agentSelector) // checked by parseCommandLine
	var namespaces []string
	for _, ns := range strings.Split(o.watchNamespaces, ",") {
		if ns = strings.TrimSpace(ns); ns != "" {
			namespaces = append(namespaces, ns)
		}
	}
	mgr, err := ctrl.NewManager(cfg, ctrl.Options{
		Scheme:                  scheme,
		Cache:                   controller.CacheOptions(namespaces, selector),
		Metrics:                 metricsOptions(o),
		HealthProbeBindAddress:  o.probeAddr,
		PprofBindAddress:        o.pprofAddr,
		LeaderElection:          o.leaderElect,
		LeaderElectionID:        o.leaderElectionID,
		LeaderElectionNamespace: o.leaderElectionNamespace,
	})
	if err != nil {
		return fmt.Errorf("creating manager: %w", err)
	}
	opts.SecretReader, opts.ConfigMapReader = mgr.GetAPIReader(), mgr.GetAPIReader()
	events := eventrecorder.New(mgr.GetClient(), mgr.GetScheme(), "orq-operator", eventrecorder.DefaultQueueLength, mgr.GetLogger().WithName("events"))
	opts.Recorder = events
	stopEvents := events.Run()
	// Deferred: it runs once mgr.Start has returned, when the controllers have stopped, so that
	// the events of the last reconciles are written too.
	defer stopEvents(eventDrainTimeout)
	if err := controller.Setup(ctx, mgr, opts); err != nil {
		return err
	}
	if err := ctrlmetrics.Registry.Register(&metrics.AgentCollector{Reader: mgr.GetCache(), Elected: mgr.Elected()}); err != nil {
		return fmt.Errorf("registering the Agent metrics: %w", err)
	}
	objects := &metrics.ObjectCollector{Reader: mgr.GetCache(), Elected: mgr.Elected(), Lists: controller.ObjectLists()}
	if err := ctrlmetrics.Registry.Register(objects); err != nil {
		return fmt.Errorf("registering the object metrics: %w", err)
	}
	if o.probeAddr != "0" {
		if err := mgr.AddHealthzCheck("healthz", healthz.Ping); err != nil {
			return err
		}
		if err := mgr.AddReadyzCheck("readyz", healthz.Ping); err != nil {
			return err
		}
	}
	logStart(setupLog, o)
	return mgr.Start(ctx)
}

// logStart logs the start of the manager; the base URL without what may carry credentials
// (review R13).
func logStart(log logr.Logger, o *options) {
	log.Info("starting manager", "version", version, "orqBaseURL", orqclient.QuoteURL(o.baseURL), "syncPeriod", o.syncPeriod.String())
}
