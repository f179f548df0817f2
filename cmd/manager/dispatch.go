package main

import (
	"fmt"
	"path/filepath"
	"strings"
)

// kubectlPlugin is the name under which kubectl finds this binary as a plugin: installed as
// kubectl-orq on the PATH, it answers `kubectl orq plan` and `kubectl orq export`.
const kubectlPlugin = "kubectl-orq"

// The subcommands; "" runs the operator.
const (
	cmdManager = ""
	cmdDev     = "dev"
	cmdExport  = "export"
	cmdPlan    = "plan"
)

// command chooses the subcommand from the binary's name (argv[0]) and its arguments. As the
// kubectl plugin, only the workspace tools are offered: running the operator, or the dev
// cluster, from kubectl is not what anyone means.
func command(argv0 string, args []string) (string, []string, error) {
	name := strings.TrimSuffix(filepath.Base(argv0), ".exe")
	first := ""
	if len(args) > 0 {
		first = args[0]
	}
	if name == kubectlPlugin {
		switch first {
		case cmdPlan, cmdExport:
			return first, args[1:], nil
		}
		return "", nil, fmt.Errorf("usage: kubectl orq plan -f FILE|DIR|- [--output text|markdown|json]\n       kubectl orq export [--namespace NS] [--output-dir DIR]")
	}
	switch first {
	case cmdDev, cmdExport, cmdPlan:
		return first, args[1:], nil
	}
	return cmdManager, args, nil
}
