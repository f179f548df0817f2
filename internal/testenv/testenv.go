// Package testenv starts what the envtest suites share: a real kube-apiserver and etcd (envtest)
// with the Agent CRD installed, a client of it, and the in-memory orq API on loopback. Only tests
// import it.
package testenv

import (
	"fmt"
	"net/http/httptest"
	"path/filepath"
	"runtime"

	k8sruntime "k8s.io/apimachinery/pkg/runtime"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
	"github.com/orq-ai/orq-operator/internal/openapi"
	"github.com/orq-ai/orq-operator/internal/orqmem"
)

// Env is a started test environment.
type Env struct {
	Config *rest.Config
	Scheme *k8sruntime.Scheme
	Client client.Client
	// Orq is the in-memory orq API, served at OrqURL.
	Orq    *orqmem.Server
	OrqURL string
	// Schema is the official OpenAPI description, nil when its file is absent; when present,
	// the in-memory API checks every request body against it.
	Schema *openapi.Spec
	// Note says what was left out (the OpenAPI file not found), for the suite's log.
	Note string

	env    *envtest.Environment
	server *httptest.Server
}

// Start starts the environment; orq configures the in-memory API (its Schema is set here).
func Start(orq orqmem.Options) (*Env, error) {
	e := &Env{Scheme: k8sruntime.NewScheme()}
	utilruntime.Must(clientgoscheme.AddToScheme(e.Scheme))
	utilruntime.Must(orqv1alpha1.AddToScheme(e.Scheme))
	e.env = &envtest.Environment{CRDDirectoryPaths: []string{crdDir()}, ErrorIfCRDPathMissing: true}
	cfg, err := e.env.Start()
	if err != nil {
		return nil, fmt.Errorf("envtest needs KUBEBUILDER_ASSETS (run `make test`): %w", err)
	}
	e.Config = cfg
	if e.Client, err = client.New(cfg, client.Options{Scheme: e.Scheme}); err != nil {
		return nil, err
	}
	if path, err := openapi.Locate(); err == nil {
		if e.Schema, err = openapi.Load(path); err != nil {
			return nil, err
		}
		orq.Schema = e.Schema
	} else {
		e.Note = fmt.Sprintf("OpenAPI file not found (%v): requests are checked by the in-memory API's own validation only", err)
	}
	if path, err := openapi.LocateGraph(); err == nil {
		graph, err := openapi.LoadGraph(path)
		if err != nil {
			return nil, err
		}
		orq.Graph = graph
	}
	e.Orq = orqmem.New(orq)
	e.server = httptest.NewServer(e.Orq) // loopback only
	e.OrqURL = e.server.URL
	return e, nil
}

// Stop stops the in-memory API and the control plane.
func (e *Env) Stop() error {
	if e == nil {
		return nil
	}
	if e.server != nil {
		e.server.Close()
	}
	return e.env.Stop()
}

// crdDir is config/crd/bases of this module, wherever the test runs from.
func crdDir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "config", "crd", "bases")
}
