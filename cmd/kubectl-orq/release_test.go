package main

import (
	"archive/tar"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// fakeGo is a stand-in for the go command: its build writes, at the path after -o, a file naming
// the platform and the flags it was asked to build with, so that the release's packaging is tested
// without compiling kubectl-orq four times.
const fakeGo = `#!/bin/sh
out=""
prev=""
for a in "$@"; do
  [ "$prev" = "-o" ] && out=$a
  prev=$a
done
printf '%s/%s cgo=%s %s\n' "$GOOS" "$GOARCH" "$CGO_ENABLED" "$*" > "$out"
`

// A release is the four archives the krew manifest names, each holding the kubectl-orq binary of
// its platform at its root, executable, and the manifest filled in with their sums: what krew
// downloads, checks and installs.
func TestReleaseBuildsWhatKrewInstalls(t *testing.T) {
	const version = "v1.2.3"
	bin, dist := t.TempDir(), t.TempDir()
	goCmd := filepath.Join(bin, "go")
	if err := os.WriteFile(goCmd, []byte(fakeGo), 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("../../hack/kubectl-orq-release.sh", version, dist)
	cmd.Env = append(os.Environ(), "GO="+goCmd)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("hack/kubectl-orq-release.sh: %v\n%s", err, out)
	}
	manifest, err := os.ReadFile(filepath.Join(dist, "orq.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	p, err := readKrewPlugin(manifest)
	if err != nil {
		t.Fatal(err)
	}
	if err := validateKrewPlugin("orq", p); err != nil {
		t.Fatal(err)
	}
	for _, pl := range p.Spec.Platforms {
		platform := pl.Selector.MatchLabels["os"] + "/" + pl.Selector.MatchLabels["arch"]
		archive := filepath.Join(dist, filepath.Base(pl.URI))
		raw, err := os.ReadFile(archive)
		if err != nil {
			t.Fatalf("%s: the archive the manifest names: %v", platform, err)
		}
		if sum := sha256.Sum256(raw); hex.EncodeToString(sum[:]) != pl.Sha256 {
			t.Errorf("%s: the manifest's sha256 is not the archive's", platform)
		}
		files := untar(t, archive)
		binary, ok := files[pl.Files[0].From]
		if len(files) != 1 || !ok {
			t.Fatalf("%s: the archive holds %v, want only %s", platform, keys(files), pl.Files[0].From)
		}
		if binary.mode&0o111 == 0 {
			t.Errorf("%s: %s is not executable (%v)", platform, pl.Files[0].From, binary.mode)
		}
		for _, want := range []string{platform + " cgo=0 ", "-trimpath", "main.version=" + version, "./cmd/kubectl-orq"} {
			if !strings.Contains(binary.data, want) {
				t.Errorf("%s: built as %q, want %q in it", platform, binary.data, want)
			}
		}
	}
}

type archived struct {
	mode os.FileMode
	data string
}

// untar reads a .tar.gz's regular files by name.
func untar(t *testing.T, path string) map[string]archived {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]archived{}
	r := tar.NewReader(gz)
	for {
		h, err := r.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(r)
		if err != nil {
			t.Fatal(err)
		}
		out[h.Name] = archived{mode: h.FileInfo().Mode(), data: string(data)}
	}
}

func keys(m map[string]archived) []string {
	var out []string
	for k := range m {
		out = append(out, fmt.Sprintf("%q", k))
	}
	return out
}
