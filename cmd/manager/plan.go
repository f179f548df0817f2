package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/orq-ai/orq-operator/internal/cli"
	"github.com/orq-ai/orq-operator/internal/planreport"
)

// runPlan is manager plan: see cli.Plan. Its exit status 2 means changes, so a flag error is 1.
func runPlan(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	var opts cli.PlanOptions
	o, err := parseFlagsOnly("manager plan", args, func(fs *flag.FlagSet) { opts.Bind(fs) })
	if err != nil {
		fmt.Fprintln(stderr, err)
		return planreport.ExitError
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return cli.Plan(ctx, opts, orqOf(o, "plan"), cli.Kubeconfig(), cli.Streams{In: stdin, Out: stdout, Err: stderr})
}

// orqOf is how a command reaches orq, from the manager's flags and environment.
func orqOf(o *options, command string) cli.Orq {
	return cli.Orq{BaseURL: o.baseURL, RequestTimeout: o.requestTimeout, APIKey: o.apiKey, UserAgent: "orq-operator-" + command + "/" + version}
}
