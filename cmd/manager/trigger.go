package main

import (
	"context"
	"flag"
	"os"
	"os/signal"
	"syscall"

	"github.com/orq-ai/orq-operator/internal/cli"
)

// runTrigger runs the schedule of an AgentSchedule of the cluster now (see cli.Trigger).
func runTrigger(args []string) int {
	var opts cli.TriggerOptions
	o, rest, err := parseCommandLine("manager trigger", args, func(fs *flag.FlagSet) {
		opts.Bind(fs)
		opts.BindShort(fs)
	})
	if err != nil {
		return exitStatusOf(err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return cli.Trigger(ctx, rest, opts, orqOf(o, "trigger"), cli.Kubeconfig(), cli.Streams{In: os.Stdin, Out: os.Stdout, Err: os.Stderr})
}
