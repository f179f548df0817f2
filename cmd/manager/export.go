package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/orq-ai/orq-operator/internal/cli"
)

// runExport is manager export: see cli.Export.
func runExport(args []string) int { return exportTo(args, os.Stdout, os.Stderr) }

// exportTo is runExport writing to stdout and stderr.
func exportTo(args []string, stdout, stderr io.Writer) int {
	var opts cli.ExportOptions
	o, err := parseFlagsOnly("manager export", args, func(fs *flag.FlagSet) { opts.Bind(fs) })
	if err == nil {
		err = opts.Check()
	}
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		fmt.Fprintln(stderr, err)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return cli.Export(ctx, opts, orqOf(o, "export"), cli.Streams{Out: stdout, Err: stderr})
}
