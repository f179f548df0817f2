// Command kubectl-orq is the kubectl plugin of orq-operator. Installed as kubectl-orq on the
// PATH, it answers `kubectl orq plan|export|trigger|version|completion`. Its commands are the
// manager's (internal/cli), without the operator: no manager, no leader election, no webhooks.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/orq-ai/orq-operator/internal/cli"
)

// version is set at build time: go build -ldflags "-X main.version=v1.2.3".
var version = "dev"

func main() {
	os.Exit(run(os.Args[1:], cli.Streams{In: os.Stdin, Out: os.Stdout, Err: os.Stderr}))
}

// run runs the command line args and returns its exit status: the command's own, 2 for a command
// line that names no command or flag (1 for plan, whose 2 means changes), 1 for other errors.
func run(args []string, s cli.Streams) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	status := 0
	root := newRoot(s, &status)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	var usage usageError
	switch {
	case errors.As(err, &usage):
		fmt.Fprintln(s.Err, usage.msg)
		return usage.code
	case err != nil:
		fmt.Fprintln(s.Err, "kubectl orq:", err)
		return 1
	}
	return status
}

// usageError is a command line that names no command, argument or flag of the plugin.
type usageError struct {
	msg  string
	code int
}

func (e usageError) Error() string { return e.msg }
