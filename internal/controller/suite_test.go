package controller

import (
	"context"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"k8s.io/apimachinery/pkg/runtime"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	logf "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
	"github.com/orq-ai/orq-operator/internal/eventrecorder"
	"github.com/orq-ai/orq-operator/internal/openapi"
	"github.com/orq-ai/orq-operator/internal/orqclient"
	"github.com/orq-ai/orq-operator/internal/orqmem"
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
)

var (
	testEnv   *envtest.Environment
	k8s       client.Client
	orqAPI    *orqmem.Server
	orqServer *httptest.Server
	schema    *openapi.Spec // nil when the OpenAPI file is absent
	cancel    context.CancelFunc
)

func TestController(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "Agent controller suite (envtest)")
}

var _ = BeforeSuite(func() {
	logf.SetLogger(zap.New(zap.WriteTo(GinkgoWriter), zap.UseDevMode(true)))

	scheme := runtime.NewScheme()
	utilruntime.Must(clientgoscheme.AddToScheme(scheme))
	utilruntime.Must(orqv1alpha1.AddToScheme(scheme))

	testEnv = &envtest.Environment{
		CRDDirectoryPaths:     []string{filepath.Join("..", "..", "config", "crd", "bases")},
		ErrorIfCRDPathMissing: true,
	}
	cfg, err := testEnv.Start()
	Expect(err).NotTo(HaveOccurred(), "envtest needs KUBEBUILDER_ASSETS: run `make test`")

	k8s, err = client.New(cfg, client.Options{Scheme: scheme})
	Expect(err).NotTo(HaveOccurred())

	opts := orqmem.Options{APIKeys: []string{suiteAPIKey, teamAKey, teamBKey, rotatedKey}}
	if path, err := openapi.Locate(); err == nil {
		schema, err = openapi.Load(path)
		Expect(err).NotTo(HaveOccurred())
		opts.Schema = schema // every request body the operator sends is checked against the official schema
	} else {
		GinkgoWriter.Printf("OpenAPI file not found (%v): requests are checked by the in-memory API's own validation only\n", err)
	}
	orqAPI = orqmem.New(opts)
	orqServer = httptest.NewServer(orqAPI) // loopback only

	api, err := orqclient.New(orqclient.Options{BaseURL: orqServer.URL, APIKey: suiteAPIKey, Timeout: 5 * time.Second})
	Expect(err).NotTo(HaveOccurred())

	var ctx context.Context
	ctx, cancel = context.WithCancel(context.Background())
	pool := &orqclient.Pool{Options: orqclient.Options{BaseURL: orqServer.URL, Timeout: 5 * time.Second}}
	mgr, err := ctrl.NewManager(cfg, ctrl.Options{Scheme: scheme, Metrics: metricsserver.Options{BindAddress: "0"},
		Cache: CacheOptions(nil, nil)})
	Expect(err).NotTo(HaveOccurred())
	recorder := eventrecorder.New(mgr.GetClient(), mgr.GetScheme(), "orq-operator", eventrecorder.DefaultQueueLength, mgr.GetLogger())
	Expect((&AgentReconciler{
		Client:            mgr.GetClient(),
		API:               api,
		DefaultAPIKeyHash: orqclient.KeyHash(suiteAPIKey),
		APIFor: func(source, key string) (AgentAPI, error) {
			return pool.For(source, key)
		},
		SecretReader:            mgr.GetAPIReader(),
		Recorder:                recorder,
		SyncPeriod:              suiteSyncPeriod,
		MaxConcurrentReconciles: 2,
		CreateClockSkew:         time.Millisecond,
	}).SetupWithManager(ctx, mgr)).To(Succeed())

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
	if orqServer != nil {
		orqServer.Close()
	}
	if testEnv != nil {
		Expect(testEnv.Stop()).To(Succeed())
	}
})
