package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/orq-ai/orq-operator/internal/cli"
)

// summaries say in a line what each command does, for the help of the binary and of the command.
var summaries = []struct{ name, synopsis, summary string }{
	{cmdManager, "[flags]", "run the operator against the cluster of the kubeconfig and the orq API (what the Deployment runs)"},
	{cmdDev, "dev [flags]", "run it on this machine: a local control plane unless KUBECONFIG is set, the in-memory orq API unless ORQ_API_KEY is set (what make run runs)"},
	{cmdExport, "export [flags]", "write manifests of the memory stores, knowledge bases, tools, agents and schedules of the workspace of ORQ_API_KEY"},
	{cmdPlan, "plan [flags]", "tell what the operator would do to the workspace of ORQ_API_KEY for manifests of every kind, writing nothing"},
	{cmdTrigger, "trigger agentschedule/NAME [flags]", "run the schedule of an AgentSchedule of the cluster now, in the workspace of its Agent"},
	{cmdHelp, "help [command]", "this help, or the flags of a command"},
	{cmdVersion, "version", "the version of this binary (also --version)"},
}

// writeCommands lists the commands.
func writeCommands(w io.Writer) {
	fmt.Fprintln(w, "Usage:")
	for _, s := range summaries {
		fmt.Fprintf(w, "  %-30s %s\n", "manager "+s.synopsis, s.summary)
	}
}

// printUsage writes the help of a command (name as parseFlagsOnly gets it, such as "manager dev") and
// its flags.
func printUsage(w io.Writer, name string, fs *flag.FlagSet) {
	sub := strings.TrimSpace(strings.TrimPrefix(name, "manager"))
	if sub == cmdManager {
		fmt.Fprintln(w, "manager runs the orq-operator, which makes the agents of orq.ai workspaces match Agent objects.")
		fmt.Fprintln(w)
		writeCommands(w)
		fmt.Fprintln(w)
		fmt.Fprintln(w, `Run "manager help COMMAND" or "manager COMMAND --help" for the flags of a command.`)
		fmt.Fprintln(w, "Documentation: docs/configuration.md. The flags of manager:")
	} else {
		for _, s := range summaries {
			if s.name == sub {
				fmt.Fprintf(w, "Usage: manager %s\n\n%s.\n\nFlags:\n", s.synopsis, strings.ToUpper(s.summary[:1])+s.summary[1:])
			}
		}
	}
	fs.SetOutput(w)
	fs.PrintDefaults()
}

// runHelp prints the help of the binary, or of the command named in args.
func runHelp(args []string) int {
	if len(args) > 1 {
		fmt.Fprintf(os.Stderr, "manager help: one command at most, not %q\n", args)
		return 2
	}
	if len(args) == 0 {
		return runManager([]string{"-h"})
	}
	for _, c := range commands {
		if c == args[0] {
			return runCommand(c, []string{"-h"})
		}
	}
	fmt.Fprintln(os.Stderr, unknownCommand(args[0]))
	return 2
}

// runCommand runs one command with its arguments and returns the exit status.
func runCommand(cmd string, args []string) int {
	switch cmd {
	case cmdDev:
		return runDev(args)
	case cmdExport:
		return runExport(args)
	case cmdPlan:
		if helpRequested(args) {
			// plan's exit status 1 on -h is its "error"; help asked for is not one.
			runPlan([]string{"-h"}, os.Stdin, os.Stdout, io.Discard)
			return 0
		}
		return runPlan(args, os.Stdin, os.Stdout, os.Stderr)
	case cmdTrigger:
		return runTrigger(args)
	case cmdHelp:
		return runHelp(args)
	case cmdVersion:
		if len(args) > 0 {
			fmt.Fprintf(os.Stderr, "manager version: no arguments expected, not %q\n", args)
			return 2
		}
		fmt.Println(cli.VersionLine("manager", version))
		return 0
	}
	return runManager(args)
}

// helpRequested tells whether args ask for help (-h, -help or --help before a "--").
func helpRequested(args []string) bool {
	for _, a := range args {
		switch a {
		case "--":
			return false
		case "-h", "-help", "--help":
			return true
		}
	}
	return false
}
