// Command testreport runs `go test -json` with the arguments it is given and prints what plain
// `go test` prints (an ok line a package, the output of failed tests), then the tests that were
// skipped, grouped by reason: a suite that skips for want of a tool (promtool, helm, the envtest
// binaries, the OpenAPI file) would otherwise show as ok. It exits with go test's status.
//
//	go run ./hack/testreport [go test flags] ./...
package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"sort"
	"strings"
)

func main() {
	// Ctrl-C reaches go test too: it stops, and the report says what ran until then.
	signal.Ignore(os.Interrupt)
	os.Exit(run(os.Args[1:], "", os.Stdout, os.Stderr))
}

// run runs go test -json with args in dir ("": here) and reports on stdout; it returns go test's
// exit status.
func run(args []string, dir string, stdout, stderr io.Writer) int {
	cmd := exec.Command("go", append([]string{"test", "-json"}, args...)...)
	cmd.Dir, cmd.Stderr = dir, stderr
	pipe, err := cmd.StdoutPipe()
	if err == nil {
		err = cmd.Start()
	}
	if err != nil {
		fmt.Fprintln(stderr, "testreport:", err)
		return 1
	}
	r := newReport(stdout)
	r.verbose = verbose(args)
	if err := r.read(pipe); err != nil {
		fmt.Fprintln(stderr, "testreport:", err)
	}
	err = cmd.Wait()
	r.summary()
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		return exit.ExitCode()
	case err != nil:
		fmt.Fprintln(stderr, "testreport:", err)
		return 1
	}
	return 0
}

// event is a line of `go test -json` (cmd/test2json).
type event struct {
	Action     string
	Package    string
	Test       string
	Output     string
	ImportPath string // build-output
}

// line is a line of output of a test.
type line struct{ test, text string }

// report turns the events into plain go test output.
type report struct {
	out io.Writer
	// verbose prints every line as it comes, as go test -v does.
	verbose bool
	// running holds, per package and top-level test, the output of that test and its subtests
	// until it ends: printed if it failed.
	running map[string]map[string][]line
	// outcome is the last action (pass, fail, skip) of each test, per package.
	outcome map[string]map[string]string
	skipped []skip
}

// skip is a test that did not run, and what it said.
type skip struct{ pkg, test, reason string }

func newReport(out io.Writer) *report {
	return &report{out: out, running: map[string]map[string][]line{}, outcome: map[string]map[string]string{}}
}

// read consumes a go test -json stream; a line that is not an event is printed as it is.
func (r *report) read(in io.Reader) error {
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 1024*1024), 16*1024*1024)
	for sc.Scan() {
		var e event
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil || e.Action == "" {
			fmt.Fprintln(r.out, sc.Text())
			continue
		}
		r.handle(e)
	}
	return sc.Err()
}

func (r *report) handle(e event) {
	switch {
	case e.Action == "build-output":
		fmt.Fprint(r.out, e.Output)
	case e.Test == "" && e.Action == "output":
		// The package's own lines: its ok or FAIL line, "?   pkg [no test files]", what a
		// TestMain prints. PASS and the coverage line are in the ok line already.
		if strings.HasPrefix(e.Output, "FAIL") {
			r.unfinished(e.Package)
		}
		if r.verbose || e.Output != "PASS\n" && !strings.HasPrefix(e.Output, "coverage: ") {
			fmt.Fprint(r.out, e.Output)
		}
	case e.Test == "" && e.Action == "fail":
		r.unfinished(e.Package)
	case e.Test == "":
	case e.Action == "output":
		if r.verbose {
			fmt.Fprint(r.out, e.Output)
		}
		top := topLevel(e.Test)
		if r.running[e.Package] == nil {
			r.running[e.Package] = map[string][]line{}
		}
		r.running[e.Package][top] = append(r.running[e.Package][top], line{e.Test, e.Output})
	case e.Action == "pass" || e.Action == "fail" || e.Action == "skip":
		if r.outcome[e.Package] == nil {
			r.outcome[e.Package] = map[string]string{}
		}
		r.outcome[e.Package][e.Test] = e.Action
		if e.Action == "skip" {
			r.skipped = append(r.skipped, skip{e.Package, e.Test, r.skipReason(e.Package, e.Test)})
		}
		if e.Test == topLevel(e.Test) {
			r.finish(e.Package, e.Test)
		}
	}
}

// finish prints the output of a top-level test that failed: its own and its failed subtests',
// without the === framing lines of -json's verbose stream, as plain go test shows it.
func (r *report) finish(pkg, test string) {
	lines := r.running[pkg][test]
	delete(r.running[pkg], test)
	if r.verbose || r.outcome[pkg][test] != "fail" {
		return
	}
	for _, l := range lines {
		if r.outcome[pkg][l.test] == "fail" && !strings.HasPrefix(l.text, "=== ") {
			fmt.Fprint(r.out, l.text)
		}
	}
}

// unfinished prints the output of the tests of pkg that never ended: a test binary that timed out
// or crashed says why (panic: test timed out, the goroutines) in the output of the test that was
// running, which gets no fail of its own.
func (r *report) unfinished(pkg string) {
	tests := make([]string, 0, len(r.running[pkg]))
	for test := range r.running[pkg] {
		tests = append(tests, test)
	}
	sort.Strings(tests)
	for _, test := range tests {
		if !r.verbose {
			for _, l := range r.running[pkg][test] {
				if !strings.HasPrefix(l.text, "=== ") {
					fmt.Fprint(r.out, l.text)
				}
			}
		}
		delete(r.running[pkg], test)
	}
}

// skipReason is what a skipped test said: its output but the framing lines, without the
// file:line prefix of t.Skip.
func (r *report) skipReason(pkg, test string) string {
	var said []string
	for _, l := range r.running[pkg][topLevel(test)] {
		text := strings.TrimSpace(l.text)
		if l.test != test || strings.HasPrefix(text, "=== ") || strings.HasPrefix(text, "--- ") || text == "" {
			continue
		}
		if i := strings.Index(text, ": "); i > 0 && strings.Contains(text[:i], ".go:") {
			text = text[i+2:]
		}
		said = append(said, text)
	}
	if len(said) == 0 {
		return "(no reason given)"
	}
	return strings.Join(said, " ")
}

// summary lists the skipped tests, grouped by package and reason.
func (r *report) summary() {
	if len(r.skipped) == 0 {
		return
	}
	type group struct{ pkg, reason string }
	tests := map[group][]string{}
	for _, s := range r.skipped {
		g := group{s.pkg, s.reason}
		tests[g] = append(tests[g], s.test)
	}
	groups := make([]group, 0, len(tests))
	for g := range tests {
		groups = append(groups, g)
	}
	sort.Slice(groups, func(i, j int) bool {
		if groups[i].pkg != groups[j].pkg {
			return groups[i].pkg < groups[j].pkg
		}
		return groups[i].reason < groups[j].reason
	})
	fmt.Fprintf(r.out, "\nNOT RUN: %d tests were skipped:\n", len(r.skipped))
	for _, g := range groups {
		fmt.Fprintf(r.out, "  SKIP %s %s: %s\n", g.pkg, strings.Join(tests[g], ", "), g.reason)
	}
}

// topLevel is the top-level test of a test or subtest name.
func topLevel(test string) string {
	if i := strings.IndexByte(test, '/'); i >= 0 {
		return test[:i]
	}
	return test
}

// verbose tells whether go test's arguments ask for -v.
func verbose(args []string) bool {
	for _, a := range args {
		switch a {
		case "-v", "--v", "-v=true", "--v=true", "-test.v", "-test.v=true":
			return true
		}
	}
	return false
}
