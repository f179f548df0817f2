// Package resilience tests the operator under faults with managers the tests start, crash and
// stop themselves: leader election, a crash at every point of create, update and delete, a storm
// of API failures, and that the API key never leaks.
package resilience

import (
	"bytes"
	"cmp"
	"context"
	"sync"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/rest"
	"k8s.io/utils/ptr"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/config"
	logf "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	"github.com/orq-ai/orq-operator/internal/controller"
	"github.com/orq-ai/orq-operator/internal/eventrecorder"
	"github.com/orq-ai/orq-operator/internal/managed"
	"github.com/orq-ai/orq-operator/internal/orqclient"
	"github.com/orq-ai/orq-operator/internal/orqmem"
	"github.com/orq-ai/orq-operator/internal/testenv"
)

const syncPeriod = 2 * time.Second

var (
	env    *testenv.Env
	cfg    *rest.Config
	scheme *runtime.Scheme
	k8s    client.Client
	orqAPI *orqmem.Server
	orqURL string
)

func TestResilience(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "Resilience suite (envtest)")
}

var _ = BeforeSuite(func() {
	logf.SetLogger(zap.New(zap.WriteTo(GinkgoWriter), zap.UseDevMode(true)))
	var err error
	env, err = testenv.Start(orqmem.Options{})
	Expect(err).NotTo(HaveOccurred())
	cfg, scheme, k8s, orqAPI, orqURL = env.Config, env.Scheme, env.Client, env.Orq, env.OrqURL
})

var _ = AfterSuite(func() {
	Expect(env.Stop()).To(Succeed())
})

// managerOptions configure a manager started by a test.
type managerOptions struct {
	apiKey      string
	wrap        func(managed.API) managed.API // nil: the client as it is
	leaderElect bool
	limiter     *orqclient.Limiter
	timeout     time.Duration
	logs        *syncBuffer // where the manager logs; GinkgoWriter when nil
	workers     int
	namespaces  []string
	selector    labels.Selector
	electionID  string
}

// runningManager is a manager started by a test.
type runningManager struct {
	cancel context.CancelFunc
	done   chan struct{}
	mgr    ctrl.Manager
}

// startManager starts the operator's manager as the binary does, with test options.
func startManager(o managerOptions) *runningManager {
	GinkgoHelper()
	if o.timeout == 0 {
		o.timeout = 5 * time.Second
	}
	api, err := orqclient.New(orqclient.Options{BaseURL: orqURL, APIKey: o.apiKey, Timeout: o.timeout, Limiter: o.limiter})
	Expect(err).NotTo(HaveOccurred())
	var agentAPI managed.API = api
	if o.wrap != nil {
		agentAPI = o.wrap(api)
	}
	logger := zap.New(zap.WriteTo(GinkgoWriter), zap.UseDevMode(true))
	if o.logs != nil {
		logger = zap.New(zap.WriteTo(o.logs), zap.UseDevMode(true))
	}
	mgr, err := ctrl.NewManager(cfg, ctrl.Options{
		Scheme:                        scheme,
		Logger:                        logger,
		Metrics:                       metricsserver.Options{BindAddress: "0"},
		LeaderElection:                o.leaderElect,
		LeaderElectionID:              cmp.Or(o.electionID, "orq-operator-resilience"),
		Cache:                         controller.CacheOptions(o.namespaces, o.selector),
		LeaderElectionNamespace:       "default",
		LeaderElectionReleaseOnCancel: true,
		LeaseDuration:                 ptr.To(3 * time.Second),
		RenewDeadline:                 ptr.To(2 * time.Second),
		RetryPeriod:                   ptr.To(500 * time.Millisecond),
		GracefulShutdownTimeout:       ptr.To(time.Second),
		Controller:                    config.Controller{SkipNameValidation: ptr.To(true)},
	})
	Expect(err).NotTo(HaveOccurred())
	ctx, cancel := context.WithCancel(context.Background())
	recorder := eventrecorder.New(mgr.GetClient(), mgr.GetScheme(), "orq-operator", eventrecorder.DefaultQueueLength, mgr.GetLogger())
	Expect(controller.Setup(ctx, mgr, controller.Options{
		API:                     agentAPI,
		SecretReader:            mgr.GetAPIReader(), // as cmd/manager wires them
		ConfigMapReader:         mgr.GetAPIReader(),
		Recorder:                recorder,
		SyncPeriod:              syncPeriod,
		MaxConcurrentReconciles: max(o.workers, 2),
	})).To(Succeed())
	m := &runningManager{cancel: cancel, done: make(chan struct{}), mgr: mgr}
	stopEvents := recorder.Run()
	go func() {
		defer GinkgoRecover()
		defer close(m.done)
		defer stopEvents(time.Second)
		_ = mgr.Start(ctx)
	}()
	return m
}

// stop stops the manager and waits until it has.
func (m *runningManager) stop() {
	GinkgoHelper()
	m.cancel()
	Eventually(m.done, 10*time.Second).Should(BeClosed())
}

// syncBuffer is a bytes.Buffer safe for concurrent writers.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
