package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRunWritesTheFile(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "crd.yaml")
	if err := os.WriteFile(in, []byte(smallCRD), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "ref.md")
	if err := run(in, out); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(out)
	if err != nil || !strings.Contains(string(b), "# API reference: Widget") {
		t.Errorf("got %q, %v", b, err)
	}
	if err := run(filepath.Join(dir, "missing.yaml"), out); err == nil {
		t.Error("a missing CRD file is not an error")
	}
}
