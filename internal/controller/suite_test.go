package controller

import (
	"context"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	logf "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	"github.com/orq-ai/orq-operator/internal/eventrecorder"
	"github.com/orq-ai/orq-operator/internal/managed"
	"github.com/orq-ai/orq-operator/internal/orqclient"
	"github.com/orq-ai/orq-operator/internal/orqmem"
	"github.com/orq-ai/orq-operator/internal/testenv"
)

// suiteSyncPeriod is short so that the steady-state test sees several resyncs.
const suiteSyncPeriod = 2 * time.Second

// The operator's own key, and the keys of the Secrets of the credentials specs; the in-memory
// API accepts these and no other.
const (
	suiteAPIKey = "suite-api-key-0123456789"
	teamAKey    = "team-a-key-0123456789"
	teamBKey    = "team-b-key-0123456789"
	rotatedKey  = "team-a-rotated-key-0123456789"
	// projectKey is scoped to the project "Default" of the workspace.
	projectKey = "project-default-key-0123456789"
)

var (
	env    *testenv.Env
	k8s    client.Client
	orqAPI *orqmem.Server
	orqURL string
	cancel context.CancelFunc
)

func TestController(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "Agent controller suite (envtest)")
}

var _ = BeforeSuite(func() {
	logf.SetLogger(zap.New(zap.WriteTo(GinkgoWriter), zap.UseDevMode(true)))
	var err error
	env, err = testenv.Start(orqmem.Options{APIKeys: []string{suiteAPIKey, teamAKey, teamBKey, rotatedKey},
		ProjectKeys: map[string]string{projectKey: "Default"}})
	Expect(err).NotTo(HaveOccurred())
	if env.Note != "" {
		GinkgoWriter.Println(env.Note)
	}
	k8s, orqAPI, orqURL = env.Client, env.Orq, env.OrqURL
	seedWorkspace(orqAPI)

	api, err := orqclient.New(orqclient.Options{BaseURL: orqURL, APIKey: suiteAPIKey, Timeout: 5 * time.Second})
	Expect(err).NotTo(HaveOccurred())

	var ctx context.Context
	ctx, cancel = context.WithCancel(context.Background())
	pool := &orqclient.Pool{Options: orqclient.Options{BaseURL: orqURL, Timeout: 5 * time.Second}}
	mgr, err := ctrl.NewManager(env.Config, ctrl.Options{Scheme: env.Scheme, Metrics: metricsserver.Options{BindAddress: "0"},
		Cache: CacheOptions(nil, nil)})
	Expect(err).NotTo(HaveOccurred())
	recorder := eventrecorder.New(mgr.GetClient(), mgr.GetScheme(), "orq-operator", eventrecorder.DefaultQueueLength, mgr.GetLogger())
	Expect(Setup(ctx, mgr, Options{
		API:               api,
		DefaultAPIKeyHash: orqclient.KeyHash(suiteAPIKey),
		APIFor: func(source, key string) (managed.API, error) {
			return pool.For(source, key)
		},
		SecretReader:            mgr.GetAPIReader(),
		ConfigMapReader:         mgr.GetAPIReader(),
		Recorder:                recorder,
		SyncPeriod:              suiteSyncPeriod,
		MaxConcurrentReconciles: 2,
	})).To(Succeed())

	stopEvents := recorder.Run()
	go func() {
		defer GinkgoRecover()
		defer stopEvents(time.Second)
		Expect(mgr.Start(ctx)).To(Succeed())
	}()
})

var _ = AfterSuite(func() {
	if cancel != nil {
		cancel()
	}
	Expect(env.Stop()).To(Succeed())
})
