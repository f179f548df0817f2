package main

import (
	"bytes"
	"fmt"
	"os"
)

// prose rewrites every description of a CRD manifest (of its schemas and printer columns) with
// unwrap, leaving everything else as controller-gen wrote it.
func prose(manifest []byte) ([]byte, error) {
	crd, err := decode(manifest)
	if err != nil {
		return nil, err
	}
	schemas(crd, func(n *node) {
		if d, ok := n.schema["description"].(string); ok {
			n.schema["description"] = unwrap(d)
		}
	})
	for _, c := range printerColumns(crd) {
		if d, ok := c["description"].(string); ok {
			c["description"] = unwrap(d)
		}
	}
	return encode(crd)
}

// proseFile rewrites a CRD file in place, and only when its descriptions change.
func proseFile(path string) error {
	in, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	out, err := prose(in)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if bytes.Equal(in, out) {
		return nil
	}
	return os.WriteFile(path, out, 0o644)
}
