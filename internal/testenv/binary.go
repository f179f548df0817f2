package testenv

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

// Binary is a command of this module built once for the tests of a package (the package in the
// working directory, as go test runs them), so that its run as a user runs it can be tested.
type Binary struct {
	// Name is the file's name; Flags are given to go build before -o, Env added to its environment.
	Name  string
	Flags []string
	Env   []string

	once sync.Once
	dir  string
	err  error
}

// Path builds the binary on the first call and returns its path.
func (b *Binary) Path(t testing.TB) string {
	t.Helper()
	b.once.Do(func() {
		if b.dir, b.err = os.MkdirTemp("", b.Name+"-test"); b.err != nil {
			return
		}
		args := append(append([]string{"build"}, b.Flags...), "-o", filepath.Join(b.dir, b.Name), ".")
		cmd := exec.Command("go", args...)
		cmd.Env = append(os.Environ(), b.Env...)
		if out, err := cmd.CombinedOutput(); err != nil {
			b.err = errors.New(err.Error() + "\n" + string(out))
		}
	})
	if b.err != nil {
		t.Fatalf("building %s: %v", b.Name, b.err)
	}
	return filepath.Join(b.dir, b.Name)
}

// Remove deletes what Path built; for TestMain, after the tests.
func (b *Binary) Remove() {
	if b.dir != "" {
		_ = os.RemoveAll(b.dir)
	}
}

// Exec runs bin with args, env added to the test process's environment, and returns its exit
// status and what it wrote. A binary that could not be started fails the test.
func Exec(t testing.TB, bin string, env []string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), env...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatalf("%s %q: %v", bin, args, err)
	}
	return cmd.ProcessState.ExitCode(), out.String(), errOut.String()
}
