package sdkcontract

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// stampFile, inside node_modules, holds the hash of the lock file that was
// installed, so that reruns skip npm ci.
const stampFile = "node_modules/.orq-sdkcontract-lock"

// installTimeout bounds npm ci.
const installTimeout = 5 * time.Minute

// lookPath returns the path of a program, skipping the test without it.
func lookPath(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		t.Skipf("%s not found on PATH: the SDK contract test needs Node.js and npm (%v)", name, err)
	}
	return p
}

// installSDK runs npm ci unless node_modules already holds this lock file.
func installSDK(t *testing.T, npm string) {
	t.Helper()
	want := lockHash(t)
	if got, err := os.ReadFile(stampFile); err == nil && string(got) == want {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), installTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, npm, "ci", "--no-audit", "--no-fund", "--loglevel=error")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("npm ci in %s: %v\n%s", mustAbs(t, "."), err, out)
	}
	if err := os.WriteFile(stampFile, []byte(want), 0o644); err != nil {
		t.Fatal(err)
	}
}

// lockHash is the hash of package.json, .npmrc and package-lock.json.
func lockHash(t *testing.T) string {
	t.Helper()
	h := sha256.New()
	for _, f := range []string{"package.json", ".npmrc", "package-lock.json"} {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// mustAbs returns the absolute form of path.
func mustAbs(t *testing.T, path string) string {
	t.Helper()
	p, err := filepath.Abs(path)
	if err != nil {
		t.Fatal(err)
	}
	return p
}
