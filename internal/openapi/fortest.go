package openapi

import (
	"sync"
	"testing"
)

// loaded caches specs by path so that many tests can share one compilation.
var loaded struct {
	sync.Mutex
	specs map[string]*Spec
}

// ForTest returns the OpenAPI Spec for contract tests. It skips the test when
// the document cannot be located and fails it when the document is invalid.
// Compiled specs are cached per path.
func ForTest(t testing.TB) *Spec {
	t.Helper()
	path, err := Locate()
	if err != nil {
		t.Skipf("OpenAPI file not found (%v); set ORQ_OPENAPI_FILE to run contract tests", err)
	}
	loaded.Lock()
	defer loaded.Unlock()
	if s, ok := loaded.specs[path]; ok {
		return s
	}
	s, err := Load(path)
	if err != nil {
		t.Fatalf("load OpenAPI document: %v", err)
	}
	if loaded.specs == nil {
		loaded.specs = map[string]*Spec{}
	}
	loaded.specs[path] = s
	return s
}

// graphs caches graph documents by path.
var graphs struct {
	sync.Mutex
	byPath map[string]*Graph
}

// GraphForTest returns the graph document (tools, knowledge bases, memory
// stores, agent schedules) for contract tests. It skips the test when the
// document cannot be located and fails it when the document is invalid.
func GraphForTest(t testing.TB) *Graph {
	t.Helper()
	path, err := LocateGraph()
	if err != nil {
		t.Skipf("graph OpenAPI file not found (%v); set %s to run these contract tests", err, EnvGraphFile)
	}
	graphs.Lock()
	defer graphs.Unlock()
	if g, ok := graphs.byPath[path]; ok {
		return g
	}
	g, err := LoadGraph(path)
	if err != nil {
		t.Fatalf("load graph OpenAPI document: %v", err)
	}
	if graphs.byPath == nil {
		graphs.byPath = map[string]*Graph{}
	}
	graphs.byPath[path] = g
	return g
}
