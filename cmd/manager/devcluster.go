package main

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"

	"k8s.io/client-go/discovery"
	"k8s.io/client-go/rest"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
)

// controlPlaneStopGrace is how long kube-apiserver, then etcd, may take to stop after SIGTERM
// before they are killed: a kube-apiserver whose etcd is gone may never stop by itself.
const controlPlaneStopGrace = 10 * time.Second

// pingTimeout bounds the first request to the cluster of KUBECONFIG.
const pingTimeout = 10 * time.Second

// devCluster is the cluster manager dev runs against, with the CRD installed.
type devCluster struct {
	cfg        *rest.Config
	kubeconfig string // the kubeconfig to give kubectl
	local      bool   // a local control plane, started by this process
	stopOnce   sync.Once
	stopLocal  func()
}

// stop stops the local control plane, if there is one, and removes the kubeconfig written for it.
// It may be called more than once.
func (c *devCluster) stop() {
	c.stopOnce.Do(func() {
		if c.stopLocal != nil {
			c.stopLocal()
		}
	})
}

// startDevCluster returns the cluster of KUBECONFIG when it is set, else starts a local control
// plane whose kubeconfig is written to stateDir. A KUBECONFIG naming that very file is the
// leftover of an earlier run (README has the user export it): its control plane stopped with that
// run, so a new one is started and its kubeconfig written there again, which makes the user's
// exported KUBECONFIG work again. note is told what was decided that the user may not expect.
func startDevCluster(crdDir, stateDir string, note func(string)) (*devCluster, error) {
	crds := envtest.CRDInstallOptions{Paths: []string{crdDir}, ErrorIfPathMissing: true}
	own := filepath.Join(stateDir, "kubeconfig")
	kc := os.Getenv("KUBECONFIG")
	if kc != "" && !samePath(kc, own) {
		return kubeconfigCluster(kc, crds)
	}
	if kc != "" {
		note(fmt.Sprintf("KUBECONFIG is %s, the kubeconfig of an earlier manager dev (make run), whose control plane stopped with it: starting a new one and writing its kubeconfig there.", kc))
	}
	return localCluster(crds, own)
}

// samePath tells whether two paths name the same file, whether it exists or not.
func samePath(a, b string) bool {
	abs := func(p string) string {
		if p, err := filepath.Abs(p); err == nil {
			return p
		}
		return filepath.Clean(p)
	}
	return abs(a) == abs(b)
}

// kubeconfigCluster is the cluster of KUBECONFIG, checked to answer before anything is installed.
func kubeconfigCluster(kc string, crds envtest.CRDInstallOptions) (*devCluster, error) {
	unset := "If it is a local cluster that has stopped, run `unset KUBECONFIG` and start again: without KUBECONFIG, manager dev starts a local control plane of its own."
	if _, err := os.Stat(kc); errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("KUBECONFIG is set to %s, which does not exist. %s", kc, unset)
	}
	cfg, err := ctrl.GetConfig()
	if err != nil {
		return nil, fmt.Errorf("KUBECONFIG=%s: %w", kc, err)
	}
	if err := ping(cfg); err != nil {
		return nil, fmt.Errorf("KUBECONFIG is set to %s, whose cluster %s does not answer: %w\n%s", kc, cfg.Host, err, unset)
	}
	if _, err := envtest.InstallCRDs(cfg, crds); err != nil {
		return nil, fmt.Errorf("installing the CRD into the cluster of KUBECONFIG (%s): %w", kc, err)
	}
	return &devCluster{cfg: cfg, kubeconfig: kc}, nil
}

// ping asks the cluster for its version.
func ping(cfg *rest.Config) error {
	c := rest.CopyConfig(cfg)
	c.Timeout = pingTimeout
	dc, err := discovery.NewDiscoveryClientForConfig(c)
	if err != nil {
		return err
	}
	_, err = dc.ServerVersion()
	return err
}

// localCluster starts kube-apiserver and etcd from KUBEBUILDER_ASSETS, installs the CRD, and
// writes an admin kubeconfig to path; stopping it removes that kubeconfig (unless a later run has
// replaced it) and the control plane's data.
func localCluster(crds envtest.CRDInstallOptions, path string) (*devCluster, error) {
	if os.Getenv("KUBEBUILDER_ASSETS") == "" {
		return nil, errors.New("KUBEBUILDER_ASSETS is not set: run `make run`, which builds the control plane binaries")
	}
	env := &envtest.Environment{
		CRDInstallOptions: crds,
		ControlPlane: envtest.ControlPlane{
			APIServer: &envtest.APIServer{StopTimeout: controlPlaneStopGrace},
			Etcd:      &envtest.Etcd{StopTimeout: controlPlaneStopGrace},
		},
	}
	cfg, err := env.Start()
	if err != nil {
		_ = env.Stop() // what started of it
		return nil, fmt.Errorf("starting the local control plane: %w", err)
	}
	var written []byte
	c := &devCluster{cfg: cfg, kubeconfig: path, local: true, stopLocal: func() {
		if err := env.Stop(); err != nil {
			setupLog.Error(err, "stopping the local control plane")
		}
		removeIfUnchanged(path, written)
	}}
	if written, err = writeKubeconfig(env, path); err != nil {
		c.stop()
		return nil, err
	}
	return c, nil
}

// writeKubeconfig writes to path a kubeconfig of an administrator of env, and returns it.
func writeKubeconfig(env *envtest.Environment, path string) ([]byte, error) {
	user, err := env.AddUser(envtest.User{Name: "dev-admin", Groups: []string{"system:masters"}}, nil)
	if err != nil {
		return nil, err
	}
	kubeconfig, err := user.KubeConfig()
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, err
	}
	return kubeconfig, os.WriteFile(path, kubeconfig, 0o600)
}

// removeIfUnchanged removes the file at path if it still holds content: another manager dev
// started since may have written its own there.
func removeIfUnchanged(path string, content []byte) {
	if content == nil {
		return
	}
	if got, err := os.ReadFile(path); err == nil && bytes.Equal(got, content) {
		_ = os.Remove(path)
	}
}
