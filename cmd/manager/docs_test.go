package main

// Tests that the hand-written docs keep up with the code: every flag of every command, every
// environment variable the code reads, the metrics, the annotations, and every condition type and
// reason.
// (The API reference, docs/api-reference.md and docs/api/, is checked against the CRDs by the
// tests of hack/apidocs.)

import (
	"flag"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"sigs.k8s.io/controller-runtime/pkg/log/zap"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
	"github.com/orq-ai/orq-operator/internal/planreport"
)

const (
	configurationDoc   = "../../docs/configuration.md"
	troubleshootingDoc = "../../docs/troubleshooting.md"
)

func readDoc(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// usageFlags runs a command with -h, as a user would, and returns the flags its usage lists, with
// their defaults as printed ("" when the usage shows none). want is the exit status of -h: 0,
// but 1 for runPlan, whose 2 means "changes" (main turns it into 0 for the user).
func usageFlags(t *testing.T, run func([]string) int, want int) map[string]string {
	t.Helper()
	f, err := os.CreateTemp(t.TempDir(), "usage")
	if err != nil {
		t.Fatal(err)
	}
	stdout, stderr := os.Stdout, os.Stderr
	os.Stdout, os.Stderr = f, f
	code := run([]string{"-h"})
	os.Stdout, os.Stderr = stdout, stderr
	if code != want {
		t.Fatalf("-h: exit status %d, want %d", code, want)
	}
	out, err := os.ReadFile(f.Name())
	if err != nil {
		t.Fatal(err)
	}
	flags := map[string]string{}
	name := ""
	for _, line := range strings.Split(string(out), "\n") {
		if m := regexp.MustCompile(`^  -([A-Za-z0-9][A-Za-z0-9-]*)`).FindStringSubmatch(line); m != nil {
			name = m[1]
			flags[name] = ""
			continue
		}
		if m := regexp.MustCompile(`\(default (.*)\)$`).FindStringSubmatch(line); m != nil && name != "" {
			def := m[1]
			if u, err := strconv.Unquote(def); err == nil {
				def = u
			}
			flags[name] = def
		}
	}
	if len(flags) == 0 {
		t.Fatalf("no flags in the usage output:\n%s", out)
	}
	return flags
}

// commonFlags are the flags every manager command registers, with their exact defaults.
func commonFlags() map[string]string {
	fs := flag.NewFlagSet("docs", flag.ContinueOnError)
	(&options{}).bind(fs)
	zapOpts := zap.Options{}
	zapOpts.BindFlags(fs)
	out := map[string]string{}
	fs.VisitAll(func(f *flag.Flag) { out[f.Name] = f.DefValue })
	return out
}

// sourceFlags are the flag names registered by fs.XxxVar(..., "name", ...) calls in a Go file,
// with their default when it is a literal.
func sourceFlags(t *testing.T, path string) map[string]string {
	t.Helper()
	file, err := parser.ParseFile(token.NewFileSet(), path, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	ast.Inspect(file, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok || len(call.Args) < 3 {
			return true
		}
		sel, ok := call.Fun.(*ast.SelectorExpr)
		if !ok || !strings.HasSuffix(sel.Sel.Name, "Var") {
			return true
		}
		if recv, ok := sel.X.(*ast.Ident); !ok || recv.Name != "fs" {
			return true
		}
		lit, ok := call.Args[1].(*ast.BasicLit)
		if !ok || lit.Kind != token.STRING {
			return true
		}
		name, _ := strconv.Unquote(lit.Value)
		def := ""
		if d, ok := call.Args[2].(*ast.BasicLit); ok {
			def = d.Value
			if u, err := strconv.Unquote(def); err == nil {
				def = u
			}
		}
		out[name] = def
		return true
	})
	return out
}

// flagRow returns the table row documenting --name: a line starting with "| `--name`" (or
// "| `-f`" for a one-letter flag, as kubectl spells them).
func flagRow(doc, name string) (string, bool) {
	for _, line := range strings.Split(doc, "\n") {
		if strings.HasPrefix(line, "| `--"+name+"`") || (len(name) == 1 && strings.HasPrefix(line, "| `-"+name+"`")) {
			return line, true
		}
	}
	return "", false
}

// defaultDocumented tells whether the default column of a row (its second cell) states the
// default: as a code span, or, for a duration, as a code span of the same duration (`10m` for
// 10m0s).
func defaultDocumented(row, def string) bool {
	if def == "" {
		return true
	}
	cells := strings.Split(row, " | ")
	if len(cells) < 3 {
		return false
	}
	spans := regexp.MustCompile("`([^`]*)`").FindAllStringSubmatch(cells[1], -1)
	want, derr := time.ParseDuration(def)
	for _, s := range spans {
		if s[1] == def {
			return true
		}
		if derr == nil {
			if d, err := time.ParseDuration(s[1]); err == nil && d == want {
				return true
			}
		}
	}
	return false
}

// machineDefaults are defaults that depend on the machine; the row must say this instead.
var machineDefaults = map[string]string{
	"state-dir": "orq-operator/dev",
}

func checkFlags(t *testing.T, doc, command string, flags map[string]string) {
	t.Helper()
	for name, def := range flags {
		row, ok := flagRow(doc, name)
		if !ok {
			t.Errorf("%s: flag --%s has no row (a line starting with \"| `--%s`\") in docs/configuration.md", command, name, name)
			continue
		}
		if want, ok := machineDefaults[name]; ok {
			if cells := strings.Split(row, " | "); len(cells) < 3 || !strings.Contains(cells[1], want) {
				t.Errorf("%s: the row of --%s does not say its default is under %s", command, name, want)
			}
			continue
		}
		if !defaultDocumented(row, def) {
			t.Errorf("%s: the default column of --%s does not give its default `%s`:\n%s", command, name, def, row)
		}
	}
}

func TestConfigurationDocumentsEveryFlag(t *testing.T) {
	t.Setenv(envBaseURL, "") // the documented default of --orq-base-url is the built-in one
	doc := readDoc(t, configurationDoc)
	common := commonFlags()
	runPlanCLI := func(args []string) int { return runPlan(args, os.Stdin, os.Stdout, os.Stderr) }
	commands := map[string]func([]string) int{"manager": runManager, "manager dev": runDev, "manager export": runExport, "manager plan": runPlanCLI,
		"manager trigger": runTrigger}
	sources := map[string]string{"manager": "main.go", "manager dev": "dev.go", "manager export": "export.go", "manager plan": "plan.go",
		"manager trigger": "../../internal/cli/trigger.go"}
	for command, run := range commands {
		want := 0
		if command == "manager plan" {
			want = planreport.ExitError
		}
		flags := usageFlags(t, run, want)
		for name := range common {
			if _, ok := flags[name]; !ok {
				t.Errorf("%s does not list the common flag --%s: is the usage capture broken?", command, name)
			}
			flags[name] = common[name] // exact defaults, false included
		}
		for name := range sourceFlags(t, sources[command]) {
			if _, ok := flags[name]; !ok {
				t.Errorf("%s: --%s is registered in %s but not in the usage output", command, name, sources[command])
			}
		}
		checkFlags(t, doc, command, flags)
	}

	// orq-mem-api lives in another package: read its flags from the source.
	memFlags := sourceFlags(t, "../orq-mem-api/main.go")
	if len(memFlags) < 5 {
		t.Fatalf("found only %v in cmd/orq-mem-api/main.go", memFlags)
	}
	checkFlags(t, doc, "orq-mem-api", memFlags)
}

// envVars returns the environment variables read with os.Getenv or os.LookupEnv by the non-test Go
// files under root, resolving package-level string constants.
func envVars(t *testing.T, root string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return err
		}
		pkgs, err := parser.ParseDir(token.NewFileSet(), path, func(fi fs.FileInfo) bool {
			return !strings.HasSuffix(fi.Name(), "_test.go")
		}, 0)
		if err != nil {
			return err
		}
		for _, pkg := range pkgs {
			consts := map[string]string{}
			for _, f := range pkg.Files {
				maps.Copy(consts, stringConstants(f))
			}
			for fname, f := range pkg.Files {
				ast.Inspect(f, func(n ast.Node) bool {
					call, ok := n.(*ast.CallExpr)
					if !ok || len(call.Args) != 1 {
						return true
					}
					sel, ok := call.Fun.(*ast.SelectorExpr)
					if !ok || (sel.Sel.Name != "Getenv" && sel.Sel.Name != "LookupEnv") {
						return true
					}
					if x, ok := sel.X.(*ast.Ident); !ok || x.Name != "os" {
						return true
					}
					switch a := call.Args[0].(type) {
					case *ast.BasicLit:
						name, _ := strconv.Unquote(a.Value)
						out[name] = fname
					case *ast.Ident:
						if v, ok := consts[a.Name]; ok {
							out[v] = fname
						} else {
							t.Errorf("%s: os.%s(%s): cannot resolve the variable's name", fname, sel.Sel.Name, a.Name)
						}
					default:
						t.Errorf("%s: os.%s with a computed name: teach this test", fname, sel.Sel.Name)
					}
					return true
				})
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestConfigurationDocumentsEveryEnvironmentVariable(t *testing.T) {
	doc := readDoc(t, configurationDoc)
	vars := map[string]string{}
	for _, dir := range []string{"../../cmd", "../../internal", "../../api"} {
		for k, v := range envVars(t, dir) {
			vars[k] = v
		}
	}
	for _, want := range []string{"ORQ_API_KEY", "ORQ_API_BASE_URL", "KUBECONFIG", "KUBEBUILDER_ASSETS", "ORQ_OPENAPI_FILE", "ORQ_MEM_API_KEY"} {
		if _, ok := vars[want]; !ok {
			t.Errorf("%s was not found in the code: is the scan broken?", want)
		}
	}
	for name, file := range vars {
		if !strings.Contains(doc, "\n| `"+name+"` |") {
			t.Errorf("%s (read in %s) has no row (\"| `%s` |\") in the environment variables of docs/configuration.md", name, file, name)
		}
	}
}

func TestConfigurationDocumentsEveryMetric(t *testing.T) {
	doc := readDoc(t, configurationDoc)
	src := readDoc(t, "../../internal/metrics/metrics.go")
	names := regexp.MustCompile(`"(orq_operator_[a-z_]+)"`).FindAllStringSubmatch(src, -1)
	if len(names) < 7 {
		t.Fatalf("found only %d metric names in internal/metrics/metrics.go: is the scan broken?", len(names))
	}
	for _, m := range names {
		if !strings.Contains(doc, "\n| `"+m[1]+"` |") {
			t.Errorf("metric %s has no row in the metrics of docs/configuration.md", m[1])
		}
	}
}

func TestConfigurationDocumentsTheAnnotations(t *testing.T) {
	doc := readDoc(t, configurationDoc)
	for _, a := range []string{orqv1alpha1.AnnotationSyncInterval, orqv1alpha1.AnnotationReconcileRequestedAt} {
		if !strings.Contains(doc, "\n| `"+a+"` |") {
			t.Errorf("annotation %s has no row in docs/configuration.md", a)
		}
	}
}

// conditionConstants returns the string constants of api/v1alpha1/constants.go whose
// names start with prefix.
func conditionConstants(t *testing.T, prefix string) map[string]string {
	t.Helper()
	file, err := parser.ParseFile(token.NewFileSet(), "../../api/v1alpha1/constants.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	out := stringConstants(file)
	maps.DeleteFunc(out, func(name, _ string) bool { return !strings.HasPrefix(name, prefix) })
	return out
}

// stringConstants returns the constants of a file declared with a string literal, by name.
func stringConstants(file *ast.File) map[string]string {
	out := map[string]string{}
	for _, decl := range file.Decls {
		gd, ok := decl.(*ast.GenDecl)
		if !ok || gd.Tok != token.CONST {
			continue
		}
		for _, spec := range gd.Specs {
			vs := spec.(*ast.ValueSpec)
			for i, name := range vs.Names {
				if i >= len(vs.Values) {
					continue
				}
				if lit, ok := vs.Values[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
					out[name.Name], _ = strconv.Unquote(lit.Value)
				}
			}
		}
	}
	return out
}

func TestTroubleshootingDocumentsEveryReason(t *testing.T) {
	doc := readDoc(t, troubleshootingDoc)
	reasons := conditionConstants(t, "Reason")
	if len(reasons) < 20 {
		t.Fatalf("found only %d Reason constants: is the parse broken?", len(reasons))
	}
	for name, value := range reasons {
		// Each reason has an entry of its own: a heading or a table row.
		if !strings.Contains(doc, "\n### `"+value+"`\n") && !strings.Contains(doc, "\n| `"+value+"` |") {
			t.Errorf("%s (%q) has no heading (### `%s`) or table row (| `%s` |) in docs/troubleshooting.md", name, value, value, value)
		}
	}
	for name, value := range conditionConstants(t, "Condition") {
		if !strings.Contains(doc, "| `"+value+"` |") {
			t.Errorf("condition type %s (%q) has no row in the conditions table of docs/troubleshooting.md", name, value)
		}
	}
}
