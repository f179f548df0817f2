package main

import (
	"bytes"
	"strings"
	"testing"
)

// testdata/mod is a module whose tests pass, fail and skip, at the top level and in subtests.
const testModule = "testdata/mod"

func TestReportOfAFailingRun(t *testing.T) {
	var out, errOut bytes.Buffer
	code := run([]string{"-coverprofile", t.TempDir() + "/cover.out", "./..."}, testModule, &out, &errOut)
	if code != 1 {
		t.Errorf("exit status %d, want go test's 1 (a test failed); stderr:\n%s", code, errOut.String())
	}
	got := out.String()
	for _, want := range []string{
		"ok  \texample.com/reported/a\t",
		"    b_test.go:6: before\n",
		"    b_test.go:7: boom\n--- FAIL: TestFail/bad (",
		"--- FAIL: TestFail (",
		"FAIL\texample.com/reported/b\t",
		"\nNOT RUN: 2 tests were skipped:\n",
		"  SKIP example.com/reported/a TestSkip: promtool is not installed\n",
		"  SKIP example.com/reported/a TestSub/skipped: no helm\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("no %q in the report:\n%s", want, got)
		}
	}
	// What plain go test hides: the output of passing tests, and -json's framing lines.
	for _, unwanted := range []string{"quiet", "hidden", "=== RUN", "--- PASS", "--- SKIP", "\nPASS\n", "{\"Time\""} {
		if strings.Contains(got, unwanted) {
			t.Errorf("%q in the report:\n%s", unwanted, got)
		}
	}
}

func TestReportOfAPassingRunWithoutSkips(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := run([]string{"-run", "TestPass", "./a/"}, testModule, &out, &errOut); code != 0 {
		t.Errorf("exit status %d, want 0; stderr:\n%s", code, errOut.String())
	}
	if got := out.String(); !strings.HasPrefix(got, "ok  \texample.com/reported/a\t") || strings.Count(got, "\n") != 1 {
		t.Errorf("want the ok line alone, got:\n%s", got)
	}
}

// With -v, every line is printed, as go test -v prints it, and the skipped tests are still listed.
func TestReportOfAVerboseRun(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := run([]string{"-v", "./a/"}, testModule, &out, &errOut); code != 0 {
		t.Errorf("exit status %d, want 0; stderr:\n%s", code, errOut.String())
	}
	for _, want := range []string{"=== RUN   TestPass\n", "a_test.go:5: quiet\n", "--- PASS: TestPass (", "\nPASS\n", "ok  \texample.com/reported/a\t", "\nNOT RUN: 2 tests were skipped:\n"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("no %q in the verbose report:\n%s", want, out.String())
		}
	}
}

// A test binary that times out (or crashes) fails without a fail of the test that was running:
// what it said, the panic and the goroutines, is shown all the same. Seen failing before: only
// the FAIL line of the package was printed.
func TestReportOfATimeout(t *testing.T) {
	var out, errOut bytes.Buffer
	code := run([]string{"-tags", "hang", "-timeout", "1s", "./e/"}, testModule, &out, &errOut)
	got := out.String()
	if code == 0 {
		t.Errorf("exit status 0 for a test that timed out:\n%s", got)
	}
	for _, want := range []string{"e_test.go:13: waiting for something that never comes\n", "panic: test timed out after 1s\n", "goroutine ", "FAIL\texample.com/reported/e\t"} {
		if !strings.Contains(got, want) {
			t.Errorf("no %q in the report:\n%s", want, got)
		}
	}
	if strings.Index(got, "panic: test timed out") > strings.Index(got, "FAIL\texample.com/reported/e") {
		t.Errorf("the panic comes after the package's FAIL line:\n%s", got)
	}
	if strings.Contains(got, "quick and quiet") || strings.Contains(got, "=== RUN") {
		t.Errorf("the output of a passed test, or framing lines, in the report:\n%s", got)
	}
}

// A build failure is shown as go test shows it, and fails the run.
func TestReportOfABuildFailure(t *testing.T) {
	var out, errOut bytes.Buffer
	code := run([]string{"-tags", "broken", "./d/"}, testModule, &out, &errOut)
	if got := out.String() + errOut.String(); code == 0 || !strings.Contains(got, "undefined: undefinedFunction") || !strings.Contains(got, "FAIL\texample.com/reported/d [build failed]") {
		t.Errorf("exit status %d, want the compiler's error and the package's FAIL line:\n%s", code, got)
	}
}

func TestSkipReasonDropsTheFileAndLine(t *testing.T) {
	r := newReport(&bytes.Buffer{})
	for _, e := range []event{
		{Action: "run", Package: "p", Test: "TestX"},
		{Action: "output", Package: "p", Test: "TestX", Output: "=== RUN   TestX\n"},
		{Action: "output", Package: "p", Test: "TestX", Output: "    suite_test.go:68: promtool is not installed (Debian: apt-get install prometheus)\n"},
		{Action: "output", Package: "p", Test: "TestX", Output: "--- SKIP: TestX (0.00s)\n"},
		{Action: "skip", Package: "p", Test: "TestX"},
		{Action: "output", Package: "p", Test: "TestY", Output: "--- SKIP: TestY (0.00s)\n"},
		{Action: "skip", Package: "p", Test: "TestY"},
	} {
		r.handle(e)
	}
	want := []skip{{"p", "TestX", "promtool is not installed (Debian: apt-get install prometheus)"}, {"p", "TestY", "(no reason given)"}}
	if len(r.skipped) != 2 || r.skipped[0] != want[0] || r.skipped[1] != want[1] {
		t.Errorf("skipped %+v, want %+v", r.skipped, want)
	}
}
