package argocd

import (
	"path/filepath"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"
	"sigs.k8s.io/yaml"
)

// ScriptPath and CustomizationsDir seen from this package's directory.
const (
	scriptFile     = "health.lua"
	customizations = "resource_customizations/" + Group
)

type healthTests struct {
	Tests []struct {
		HealthStatus healthStatus `json:"healthStatus"`
		InputPath    string       `json:"inputPath"`
	} `json:"tests"`
}

// Every kind's cases show at least these health statuses.
var statusesEveryKindShows = []string{"Healthy", "Progressing", "Degraded", "Suspended"}

// TestHealthScript runs each kind's health.lua on every case of its health_test.yaml, as Argo
// CD's own TestLuaHealthScript does for the scripts it ships.
func TestHealthScript(t *testing.T) {
	for _, kind := range kinds(t) {
		t.Run(kind, func(t *testing.T) {
			dir := filepath.Join(customizations, kind)
			script := readFile(t, filepath.Join(dir, "health.lua"))
			var cases healthTests
			if err := yaml.UnmarshalStrict([]byte(readFile(t, filepath.Join(dir, "health_test.yaml"))), &cases); err != nil {
				t.Fatalf("%s/health_test.yaml: %v", dir, err)
			}
			seen, shown := map[string]bool{}, map[string]bool{}
			for _, tc := range cases.Tests {
				t.Run(tc.InputPath, func(t *testing.T) {
					if seen[tc.InputPath] {
						t.Fatalf("%s is tested twice", tc.InputPath)
					}
					seen[tc.InputPath] = true
					obj := loadObject(t, filepath.Join(dir, tc.InputPath))
					if obj["kind"] != kind {
						t.Fatalf("%s is a %v, not a %s", tc.InputPath, obj["kind"], kind)
					}
					got, err := runHealthLua(script, obj)
					if err != nil {
						t.Fatal(err)
					}
					shown[got.Status] = true
					if got != tc.HealthStatus {
						t.Errorf("health.lua returned\n  status:  %q\n  message: %q\nwant\n  status:  %q\n  message: %q",
							got.Status, got.Message, tc.HealthStatus.Status, tc.HealthStatus.Message)
					}
				})
			}
			for _, s := range statusesEveryKindShows {
				if !shown[s] {
					t.Errorf("no case of %s/health_test.yaml is %s", dir, s)
				}
			}
			for _, f := range testdata(t, kind) {
				if rel := "testdata/" + filepath.Base(f); !seen[rel] {
					t.Errorf("%s is not used by any case of %s/health_test.yaml", rel, dir)
				}
			}
		})
	}
}

// TestHealthScriptIsDefensive runs health.lua on objects with missing or oddly typed fields, as
// every kind: it must always return a valid status, never fail.
func TestHealthScriptIsDefensive(t *testing.T) {
	script := readFile(t, scriptFile)
	gen1 := map[string]any{"generation": int64(1)}
	for name, obj := range map[string]map[string]any{
		"empty object":             {},
		"no metadata nor spec":     {"status": map[string]any{"observedGeneration": int64(1)}},
		"spec not a map":           {"spec": "x", "status": map[string]any{}},
		"conditions not a list":    {"metadata": gen1, "status": map[string]any{"observedGeneration": int64(1), "conditions": "Ready"}},
		"condition not a map":      {"metadata": gen1, "status": map[string]any{"observedGeneration": int64(1), "conditions": []any{"Ready", nil}}},
		"condition without fields": {"metadata": gen1, "status": map[string]any{"observedGeneration": int64(1), "conditions": []any{map[string]any{"type": "Stalled", "status": "True"}}}},
		"ready without message":    {"metadata": gen1, "status": map[string]any{"observedGeneration": int64(1), "conditions": []any{map[string]any{"type": "Ready", "status": "False", "reason": "APIUnavailable"}}}},
		"ready, isActive a string": {"metadata": gen1, "spec": map[string]any{"suspend": true}, "status": map[string]any{"observedGeneration": int64(1), "isActive": "no", "conditions": []any{map[string]any{"type": "Ready", "status": "True"}}}},
		"ready, suspend a string":  {"metadata": gen1, "spec": map[string]any{"suspend": "true"}, "status": map[string]any{"observedGeneration": int64(1), "isActive": false, "conditions": []any{map[string]any{"type": "Ready", "status": "True"}}}},
	} {
		for _, kind := range append(kinds(t), "", "Unknown", "7") {
			t.Run(name+"/"+kind, func(t *testing.T) {
				obj := copyWithKind(obj, kind)
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
}

// copyWithKind is obj with kind set ("" leaves it out; "7" sets a number).
func copyWithKind(obj map[string]any, kind string) map[string]any {
	out := map[string]any{}
	for k, v := range obj {
		out[k] = v
	}
	switch kind {
	case "":
	case "7":
		out["kind"] = int64(7)
	default:
		out["kind"] = kind
	}
	return out
}

// TestKstatusOfTestdata records what Flux (wait: true) and other kstatus readers make of the same
// objects, next to Argo CD's view: Flux needs no custom health check because the operator writes
// the conditions kstatus reads. kstatus knows no Suspended: a suspended object is Current.
func TestKstatusOfTestdata(t *testing.T) {
	want := map[string]map[string]status.Status{
		"Agent": {
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
		},
		"Tool": {
			"healthy.yaml":                      status.CurrentStatus,
			"unprocessed_as_served.yaml":        status.InProgressStatus,
			"reconciling_secret_not_found.yaml": status.InProgressStatus,
			"stalled_api_rejected.yaml":         status.FailedStatus,
			"suspended.yaml":                    status.CurrentStatus,
			"observe_drifted.yaml":              status.CurrentStatus,
		},
		"KnowledgeBase": {
			"healthy.yaml":                   status.CurrentStatus,
			"unprocessed_as_served.yaml":     status.InProgressStatus,
			"reconciling_rate_limited.yaml":  status.InProgressStatus,
			"stalled_adoption_required.yaml": status.FailedStatus,
			"not_converging.yaml":            status.FailedStatus,
			"suspended.yaml":                 status.CurrentStatus,
			"observe_drifted.yaml":           status.CurrentStatus,
			"observe_remote_not_found.yaml":  status.FailedStatus,
		},
		"MemoryStore": {
			"healthy.yaml":                     status.CurrentStatus,
			"unprocessed_as_served.yaml":       status.InProgressStatus,
			"old_generation.yaml":              status.InProgressStatus,
			"reconciling_api_unavailable.yaml": status.InProgressStatus,
			"stalled_unauthorized.yaml":        status.FailedStatus,
			"suspended.yaml":                   status.CurrentStatus,
			"observe_drifted.yaml":             status.CurrentStatus,
		},
		"AgentSchedule": {
			"healthy.yaml":                     status.CurrentStatus,
			"unprocessed_as_served.yaml":       status.InProgressStatus,
			"reconciling_agent_not_ready.yaml": status.InProgressStatus,
			"stalled_api_rejected.yaml":        status.FailedStatus,
			"suspended_inactive.yaml":          status.CurrentStatus,
			"suspend_not_applied_yet.yaml":     status.InProgressStatus,
			"suspend_stalled.yaml":             status.FailedStatus,
			"observe_drifted.yaml":             status.CurrentStatus,
			"observe_inactive.yaml":            status.CurrentStatus,
		},
	}
	for _, kind := range kinds(t) {
		t.Run(kind, func(t *testing.T) {
			files := testdata(t, kind)
			if len(files) != len(want[kind]) {
				t.Errorf("%d testdata files, but %d expectations", len(files), len(want[kind]))
			}
			for _, f := range files {
				t.Run(filepath.Base(f), func(t *testing.T) {
					w, ok := want[kind][filepath.Base(f)]
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
		})
	}
}

// kinds are the kinds of the CRDs, each of which has its directory of resource customizations.
func kinds(t *testing.T) []string {
	t.Helper()
	ks, err := Kinds()
	if err != nil {
		t.Fatal(err)
	}
	if len(ks) == 0 {
		t.Fatal("no kind of group " + Group + " in config/crd/bases")
	}
	return ks
}

// testdata lists the testdata files of a kind.
func testdata(t *testing.T, kind string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(customizations, kind, "testdata", "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatalf("%s has no testdata", filepath.Join(customizations, kind))
	}
	return files
}
