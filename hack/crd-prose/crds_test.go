package main

// The checks of the CRDs this repository generates (config/crd/bases).

import (
	"os"
	"path/filepath"
	"testing"
)

const crdDir = "../../config/crd/bases"

// TestCommittedCRDsAreProse fails when config/crd/bases holds what controller-gen wrote without
// this program's pass (`make manifests` runs both), and shows that a pass over controller-gen's
// output changes nothing but descriptions: the files are byte for byte what prose makes of them.
func TestCommittedCRDsAreProse(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(crdDir, "*.yaml"))
	if err != nil || len(files) < 5 {
		t.Fatalf("found %d CRDs in %s (%v): expected the five kinds", len(files), crdDir, err)
	}
	for _, f := range files {
		in, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		out, err := prose(in)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if string(out) != string(in) {
			t.Errorf("%s is not what crd-prose makes of it: run `make manifests`", f)
		}
	}
}

// TestCRDDescriptionsReadAsProse is the check of every CRD of config/crd/bases: each field's
// description reads as prose (no hard wrap), says more than its name, and names the values an
// enum or a closed union accepts. Fix a failure in the Go comments of api/, then `make manifests`.
func TestCRDDescriptionsReadAsProse(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(crdDir, "*.yaml"))
	if err != nil || len(files) < 5 {
		t.Fatalf("found %d CRDs in %s (%v): expected the five kinds", len(files), crdDir, err)
	}
	for _, f := range files {
		problems, err := lintFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range problems {
			t.Errorf("%s: %s", filepath.Base(f), p)
		}
	}
}
