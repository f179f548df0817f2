package main

import (
	"fmt"
	"path/filepath"
	"strings"
)

// kubectlPlugin is the name of the kubectl plugin, which is its own binary (cmd/kubectl-orq). The
// manager installed under that name, as it once was, refuses to run: `kubectl orq` must not start
// the operator.
const kubectlPlugin = "kubectl-orq"

// The subcommands; "" runs the operator.
const (
	cmdManager = ""
	cmdDev     = "dev"
	cmdExport  = "export"
	cmdPlan    = "plan"
	cmdTrigger = "trigger"
	cmdHelp    = "help"
	cmdVersion = "version"
)

// usageError is a command line that names no command or flag of this binary: exit status 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// commands are the manager's subcommands.
var commands = []string{cmdDev, cmdExport, cmdPlan, cmdTrigger, cmdHelp, cmdVersion}

// command chooses the subcommand from the binary's arguments. A first argument that is neither a
// flag nor a command is refused: `manager plans` must not start the operator. Nor does the
// binary run at all under the plugin's name (argv[0]).
func command(argv0 string, args []string) (string, []string, error) {
	if strings.TrimSuffix(filepath.Base(argv0), ".exe") == kubectlPlugin {
		return "", nil, usageError{"this kubectl-orq is the manager binary under the plugin's name: build the plugin with `make kubectl-orq` and install bin/kubectl-orq instead"}
	}
	first := ""
	if len(args) > 0 {
		first = args[0]
	}
	switch {
	case first == "--version" || first == "-version":
		return cmdVersion, args[1:], nil
	case first == "-h" || first == "-help" || first == "--help":
		return cmdHelp, args[1:], nil
	case first == "" || strings.HasPrefix(first, "-"):
		return cmdManager, args, nil
	}
	for _, c := range commands {
		if first == c {
			return c, args[1:], nil
		}
	}
	return "", nil, unknownCommand(first)
}

// unknownCommand refuses word, suggesting the command it most likely misspells.
func unknownCommand(word string) error {
	msg := fmt.Sprintf("manager: unknown command %q", word)
	if near := nearest(word, commands); near != "" {
		msg += fmt.Sprintf(" (did you mean %q?)", near)
	}
	return usageError{msg + "; run \"manager help\" for usage"}
}

// nearest returns the candidate word most likely misspells: a prefix of it (of two letters or
// more), or one within an edit (two for words of five letters or more; a swap of neighbours
// counts as one edit); "" when none is that close.
func nearest(word string, candidates []string) string {
	w := strings.ToLower(strings.TrimLeft(word, "-"))
	limit := 1
	if len(w) >= 5 {
		limit = 2
	}
	best, bestDist := "", limit+1
	for _, c := range candidates {
		d := editDistance(w, c)
		if len(w) >= 2 && strings.HasPrefix(c, w) {
			d = min(d, 1)
		}
		if d < bestDist {
			best, bestDist = c, d
		}
	}
	return best
}

// editDistance is the optimal string alignment distance of a and b: insertions, deletions,
// substitutions and swaps of neighbouring letters, each one edit.
func editDistance(a, b string) int {
	d := make([][]int, len(a)+1)
	for i := range d {
		d[i] = make([]int, len(b)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(a)][len(b)]
}
