// Command crd-prose makes the descriptions of the CRD manifests that controller-gen generates read
// as prose. controller-gen keeps the line breaks of the Go comments it copies into `description`
// (controller-tools v0.23 has no option to join them), and kubectl explain then shows them
// mid-sentence. crd-prose joins the lines of each paragraph with a space and keeps paragraphs,
// list items and code blocks; `make manifests` runs it on config/crd/bases before the copy to
// the chart:
//
//	go run ./hack/crd-prose config/crd/bases/*.yaml
//
// With -check it rewrites nothing and lists the descriptions that do not read as prose or say
// too little (a hard wrap, a bare restatement of the field's name, an enum whose values are not
// named); the tests of this package run the same check on config/crd/bases.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
)

func main() {
	check := flag.Bool("check", false, "List the descriptions that do not read as prose or say too little; rewrite nothing.")
	flag.Usage = func() {
		fmt.Fprintln(flag.CommandLine.Output(), "usage: crd-prose [-check] CRD-FILE...")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() == 0 {
		flag.Usage()
		os.Exit(2)
	}
	if err := run(flag.Args(), *check, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "crd-prose:", err)
		os.Exit(1)
	}
}

func run(files []string, check bool, stdout io.Writer) error {
	problems := 0
	for _, path := range files {
		if !check {
			if err := proseFile(path); err != nil {
				return err
			}
			continue
		}
		found, err := lintFile(path)
		if err != nil {
			return err
		}
		for _, p := range found {
			fmt.Fprintf(stdout, "%s: %s\n", path, p)
		}
		problems += len(found)
	}
	if problems > 0 {
		return fmt.Errorf("%d descriptions to fix (in the Go comments of api/, then `make manifests`)", problems)
	}
	return nil
}

func lintFile(path string) ([]problem, error) {
	in, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	crd, err := decode(in)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return lint(crd), nil
}
