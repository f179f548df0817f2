package main

import (
	"github.com/spf13/pflag"

	"github.com/orq-ai/orq-operator/internal/cli"
)

// kubectlFlags gives the flags internal/cli binds the names and short forms kubectl users know:
// the manager's -f is -f/--filename here, --namespace has -n.
type kubectlFlags struct{ *pflag.FlagSet }

// kubectlNames are the flags whose name or short form differs from the manager's.
var kubectlNames = map[string]struct{ long, short string }{
	"f":         {"filename", "f"},
	"namespace": {"namespace", "n"},
}

func (k kubectlFlags) StringVar(p *string, name, value, usage string) {
	if n, ok := kubectlNames[name]; ok {
		k.StringVarP(p, n.long, n.short, value, usage)
		return
	}
	k.FlagSet.StringVar(p, name, value, usage)
}

var _ cli.Flags = kubectlFlags{}
