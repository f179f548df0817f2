package main

import (
	"debug/elf"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// No Docker engine runs where the tests run, so this checks the Dockerfile instead: a
// multi-stage build whose final image is distroless and non-root, and whose build command,
// run here as it is, produces a static manager binary.
func TestDockerfileBuildsAStaticNonRootImage(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "..", "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	df := string(raw)
	froms := regexp.MustCompile(`(?m)^FROM\s+(\S+)`).FindAllStringSubmatch(df, -1)
	if len(froms) < 2 {
		t.Fatalf("want a multi-stage build, got FROM lines %v", froms)
	}
	if final := froms[len(froms)-1][1]; !strings.HasPrefix(final, "gcr.io/distroless/static") && final != "scratch" {
		t.Errorf("final image %q is neither distroless static nor scratch", final)
	}
	if !regexp.MustCompile(`(?m)^USER\s+65532(:65532)?\s*$`).MatchString(df) {
		t.Error("the image does not run as the non-root user 65532")
	}
	if !strings.Contains(df, `ENTRYPOINT ["/manager"]`) {
		t.Error(`ENTRYPOINT is not ["/manager"]`)
	}
	run := regexp.MustCompile(`(?m)^RUN\s+(CGO_ENABLED=0\s+go build .*)$`).FindStringSubmatch(df)
	if run == nil {
		t.Fatal("no RUN CGO_ENABLED=0 go build line")
	}

	// Run the Dockerfile's own build command, with its output redirected here.
	out := filepath.Join(t.TempDir(), "manager")
	cmdline := strings.ReplaceAll(run[1], "${VERSION}", "test")
	cmdline = strings.Replace(cmdline, "-o /manager", "-o "+out, 1)
	if !strings.Contains(cmdline, "-o "+out) || !strings.HasSuffix(cmdline, "./cmd/manager") {
		t.Fatalf("unexpected build command %q", run[1])
	}
	cmd := exec.Command("sh", "-c", cmdline)
	cmd.Dir = filepath.Join("..", "..")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", cmdline, err, b)
	}
	bin, err := elf.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer bin.Close()
	for _, p := range bin.Progs {
		if p.Type == elf.PT_INTERP {
			t.Error("the manager binary is dynamically linked; distroless static needs a static binary")
		}
	}
}

// The build stage copies the source directories one by one: each package of this module that the
// manager imports (config/crd embeds the CRD, for manager plan) must be under one of them.
func TestDockerfileCopiesEveryPackageTheManagerImports(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "..", "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	var copied []string
	for _, m := range regexp.MustCompile(`(?m)^COPY\s+(\S+/)\s+\S+\s*$`).FindAllStringSubmatch(string(raw), -1) {
		copied = append(copied, m[1])
	}
	cmd := exec.Command("go", "list", "-deps", "-f", "{{if .Module}}{{if .Module.Main}}{{.Dir}}{{end}}{{end}}", "./cmd/manager")
	cmd.Dir = filepath.Join("..", "..")
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	for _, dir := range strings.Fields(string(out)) {
		rel, err := filepath.Rel(root, dir)
		if err != nil {
			t.Fatal(err)
		}
		rel = filepath.ToSlash(rel) + "/"
		if !slices.ContainsFunc(copied, func(c string) bool { return strings.HasPrefix(rel, c) }) {
			t.Errorf("the manager imports %s, which the Dockerfile does not copy (it copies %v)", rel, copied)
		}
	}
}
