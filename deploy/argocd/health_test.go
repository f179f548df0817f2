package argocd

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	lua "github.com/yuin/gopher-lua"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"
	"sigs.k8s.io/yaml"
)

const (
	agentDir    = "resource_customizations/orq.ai/Agent"
	argocdCM    = "../../examples/argocd/argocd-cm.yaml"
	argocdCMKey = "resource.customizations.health.orq.ai_Agent"
)

// healthStatus is what a health.lua returns, as in Argo CD's health_test.yaml.
type healthStatus struct {
	Status  string `json:"status"`
	Message string `json:"message"`
}

type healthTests struct {
	Tests []struct {
		HealthStatus healthStatus `json:"healthStatus"`
		InputPath    string       `json:"inputPath"`
	} `json:"tests"`
}

// The health statuses Argo CD accepts from a script; any other becomes Unknown.
var validHealthStatuses = map[string]bool{
	"Healthy": true, "Progressing": true, "Degraded": true, "Suspended": true, "Missing": true, "Unknown": true,
}

// TestHealthScript runs health.lua on every case of health_test.yaml, as Argo CD's own
// TestLuaHealthScript does for the scripts it ships.
func TestHealthScript(t *testing.T) {
	script := readFile(t, filepath.Join(agentDir, "health.lua"))
	var cases healthTests
	if err := yaml.UnmarshalStrict([]byte(readFile(t, filepath.Join(agentDir, "health_test.yaml"))), &cases); err != nil {
		t.Fatalf("health_test.yaml: %v", err)
	}
	if len(cases.Tests) < 8 {
		t.Fatalf("health_test.yaml has %d cases, want at least 8", len(cases.Tests))
	}
	seen := map[string]bool{}
	for _, tc := range cases.Tests {
		t.Run(tc.InputPath, func(t *testing.T) {
			if seen[tc.InputPath] {
				t.Fatalf("%s is tested twice", tc.InputPath)
			}
			seen[tc.InputPath] = true
			got, err := runHealthLua(script, loadObject(t, filepath.Join(agentDir, tc.InputPath)))
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.HealthStatus {
				t.Errorf("health.lua returned\n  status:  %q\n  message: %q\nwant\n  status:  %q\n  message: %q",
					got.Status, got.Message, tc.HealthStatus.Status, tc.HealthStatus.Message)
			}
		})
	}

	// Every testdata file is used by a case.
	files, err := filepath.Glob(filepath.Join(agentDir, "testdata", "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if rel := "testdata/" + filepath.Base(f); !seen[rel] {
			t.Errorf("%s is not used by any case of health_test.yaml", rel)
		}
	}
}

// TestHealthScriptIsDefensive runs health.lua on objects with missing or oddly typed fields: it
// must always return a valid status, never fail.
func TestHealthScriptIsDefensive(t *testing.T) {
	script := readFile(t, filepath.Join(agentDir, "health.lua"))
	for name, obj := range map[string]map[string]any{
		"empty object":             {},
		"no metadata nor spec":     {"status": map[string]any{"observedGeneration": int64(1)}},
		"spec not a map":           {"spec": "x", "status": map[string]any{}},
		"conditions not a list":    {"metadata": map[string]any{"generation": int64(1)}, "status": map[string]any{"observedGeneration": int64(1), "conditions": "Ready"}},
		"condition not a map":      {"metadata": map[string]any{"generation": int64(1)}, "status": map[string]any{"observedGeneration": int64(1), "conditions": []any{"Ready", nil}}},
		"condition without fields": {"metadata": map[string]any{"generation": int64(1)}, "status": map[string]any{"observedGeneration": int64(1), "conditions": []any{map[string]any{"type": "Stalled", "status": "True"}}}},
		"ready without message":    {"metadata": map[string]any{"generation": int64(1)}, "status": map[string]any{"observedGeneration": int64(1), "conditions": []any{map[string]any{"type": "Ready", "status": "False", "reason": "APIUnavailable"}}}},
	} {
		t.Run(name, func(t *testing.T) {
			got, err := runHealthLua(script, obj)
			if err != nil {
				t.Fatal(err)
			}
			if !validHealthStatuses[got.Status] || got.Message == "" {
				t.Errorf("health.lua returned %+v", got)
			}
		})
	}
}

// TestArgoCDConfigMapEmbedsHealthScript keeps examples/argocd/argocd-cm.yaml in step with
// health.lua: the value of its health key must be the script, byte for byte.
func TestArgoCDConfigMapEmbedsHealthScript(t *testing.T) {
	script := readFile(t, filepath.Join(agentDir, "health.lua"))
	var cm struct {
		APIVersion string `json:"apiVersion"`
		Kind       string `json:"kind"`
		Metadata   struct {
			Name      string `json:"name"`
			Namespace string `json:"namespace"`
		} `json:"metadata"`
		Data map[string]string `json:"data"`
	}
	if err := yaml.Unmarshal([]byte(readFile(t, argocdCM)), &cm); err != nil {
		t.Fatalf("%s: %v", argocdCM, err)
	}
	if cm.APIVersion != "v1" || cm.Kind != "ConfigMap" || cm.Metadata.Name != "argocd-cm" {
		t.Errorf("%s is a %s %s named %q, want the v1 ConfigMap argocd-cm", argocdCM, cm.APIVersion, cm.Kind, cm.Metadata.Name)
	}
	embedded, ok := cm.Data[argocdCMKey]
	if !ok {
		t.Fatalf("%s has no data key %q", argocdCM, argocdCMKey)
	}
	if embedded != script {
		t.Errorf("the Lua under %q in %s differs from %s/health.lua: copy health.lua into it again (indented by 4 spaces)",
			argocdCMKey, argocdCM, agentDir)
	}
}

// TestKstatusOfTestdata records what Flux (wait: true) and other kstatus readers make of the same
// Agents, next to Argo CD's view: Flux needs no custom health check because the operator writes
// the conditions kstatus reads.
func TestKstatusOfTestdata(t *testing.T) {
	want := map[string]status.Status{
		"suspended.yaml": status.CurrentStatus, // keeps the Ready condition it had
		// kstatus cannot tell an Agent the operator has not reported on yet from a resource
		// without status: it calls both Current (Argo CD's health check says Progressing). The
		// API server never serves an Agent so: the CRD defaults status.observedGeneration to 0,
		// which kstatus reads as InProgress (unprocessed_as_served.yaml).
		"unprocessed_as_served.yaml":        status.InProgressStatus,
		"suspended_no_status.yaml":          status.CurrentStatus,
		"no_status.yaml":                    status.CurrentStatus,
		"empty_status.yaml":                 status.CurrentStatus,
		"old_generation.yaml":               status.InProgressStatus,
		"reconciling_rate_limited.yaml":     status.InProgressStatus,
		"reconciling_first_generation.yaml": status.InProgressStatus,
		"stalled_api_rejected.yaml":         status.FailedStatus,
		"stalled_key_conflict.yaml":         status.FailedStatus,
		"not_converging.yaml":               status.FailedStatus,
		"healthy.yaml":                      status.CurrentStatus,
		"healthy_without_synced.yaml":       status.CurrentStatus,
		"observe_drifted.yaml":              status.CurrentStatus,
		"drifted_under_manage.yaml":         status.CurrentStatus,
		"observe_remote_not_found.yaml":     status.FailedStatus,
	}
	files, err := filepath.Glob(filepath.Join(agentDir, "testdata", "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != len(want) {
		t.Errorf("%d testdata files, but %d expectations", len(files), len(want))
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			w, ok := want[filepath.Base(f)]
			if !ok {
				t.Fatalf("no kstatus expectation for %s", f)
			}
			js, err := yaml.YAMLToJSON([]byte(readFile(t, f)))
			if err != nil {
				t.Fatal(err)
			}
			u := &unstructured.Unstructured{}
			if err := u.UnmarshalJSON(js); err != nil { // integers as int64, as from the apiserver
				t.Fatal(err)
			}
			res, err := status.Compute(u)
			if err != nil {
				t.Fatal(err)
			}
			if res.Status != w {
				t.Errorf("kstatus %s (%s), want %s", res.Status, res.Message, w)
			}
		})
	}
}

// runHealthLua runs a health script the way Argo CD's lua.VM does in the application
// controller: a state with only the package, base and table libraries (no string, math or io),
// a one-second deadline, the object as the global obj, and the script's return value read as a
// table holding status and message.
func runHealthLua(script string, obj map[string]any) (healthStatus, error) {
	l := lua.NewState(lua.Options{SkipOpenLibs: true})
	defer l.Close()
	for _, lib := range []struct {
		name string
		open lua.LGFunction
	}{
		{lua.LoadLibName, lua.OpenPackage},
		{lua.BaseLibName, lua.OpenBase},
		{lua.TabLibName, lua.OpenTable},
	} {
		if err := l.CallByParam(lua.P{Fn: l.NewFunction(lib.open), NRet: 0, Protect: true}, lua.LString(lib.name)); err != nil {
			return healthStatus{}, err
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	l.SetContext(ctx)
	l.SetGlobal("obj", toLua(l, obj))
	if err := l.DoString(script); err != nil {
		return healthStatus{}, err
	}
	ret, ok := l.Get(-1).(*lua.LTable)
	if !ok {
		return healthStatus{}, fmt.Errorf("health.lua returned a %s, want a table", l.Get(-1).Type())
	}
	var hs healthStatus
	for field, dst := range map[string]*string{"status": &hs.Status, "message": &hs.Message} {
		switch v := ret.RawGetString(field).(type) {
		case lua.LString:
			*dst = string(v)
		case *lua.LNilType:
		default:
			return healthStatus{}, fmt.Errorf("health.lua returned a %s %s, want a string", v.Type(), field)
		}
	}
	if !validHealthStatuses[hs.Status] {
		return healthStatus{}, fmt.Errorf("health.lua returned the status %q, which Argo CD turns into Unknown", hs.Status)
	}
	return hs, nil
}

// toLua converts a decoded object to Lua values as Argo CD's decodeValue does: maps become
// tables with string keys, slices array tables (1-based), numbers LNumber, and nil LNil.
func toLua(l *lua.LState, value any) lua.LValue {
	switch v := value.(type) {
	case nil:
		return lua.LNil
	case bool:
		return lua.LBool(v)
	case string:
		return lua.LString(v)
	case float64:
		return lua.LNumber(v)
	case int:
		return lua.LNumber(v)
	case int32:
		return lua.LNumber(v)
	case int64:
		return lua.LNumber(v)
	case []any:
		t := l.CreateTable(len(v), 0)
		for _, item := range v {
			t.Append(toLua(l, item))
		}
		return t
	case map[string]any:
		t := l.CreateTable(0, len(v))
		for key, item := range v {
			t.RawSetString(key, toLua(l, item))
		}
		return t
	default:
		return lua.LNil
	}
}

// loadObject reads a testdata manifest as Argo CD's tests do: sigs.k8s.io/yaml into a map.
func loadObject(t *testing.T, path string) map[string]any {
	t.Helper()
	obj := map[string]any{}
	if err := yaml.Unmarshal([]byte(readFile(t, path)), &obj); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return obj
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
