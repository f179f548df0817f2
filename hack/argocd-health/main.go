// Command argocd-health copies the one Argo CD health check of the orq.ai kinds,
// deploy/argocd/health.lua, to where Argo CD needs it: a health.lua per kind in
// deploy/argocd/resource_customizations/orq.ai/<Kind>/ (Argo CD's own layout) and a key per kind
// in examples/argocd/argocd-cm.yaml. The kinds are those of the CRDs of config/crd/bases, so
// `make manifests` runs it after generating them, from the repository root:
//
//	go run ./hack/argocd-health
//
// The tests of deploy/argocd fail when the copies differ from what it writes, and when a kind has
// no health_test.yaml cases.
package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/orq-ai/orq-operator/deploy/argocd"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "argocd-health:", err)
		os.Exit(1)
	}
}

func run() error {
	script, err := os.ReadFile(argocd.ScriptPath)
	if err != nil {
		return fmt.Errorf("%w (run it from the repository root)", err)
	}
	kinds, err := argocd.Kinds()
	if err != nil {
		return err
	}
	for path, content := range argocd.Files(string(script), kinds) {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			return err
		}
	}
	return nil
}
