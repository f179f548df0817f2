package main

import (
	"slices"
	"testing"
)

func TestCommandDispatchByBinaryName(t *testing.T) {
	for _, c := range []struct {
		argv0 string
		args  []string
		cmd   string
		rest  []string
		fails bool
	}{
		{"/usr/local/bin/manager", nil, cmdManager, nil, false},
		{"manager", []string{"--leader-elect"}, cmdManager, []string{"--leader-elect"}, false},
		{"manager", []string{"plan", "-f", "-"}, cmdPlan, []string{"-f", "-"}, false},
		{"manager", []string{"export"}, cmdExport, []string{}, false},
		{"manager", []string{"dev"}, cmdDev, []string{}, false},
		{"/home/u/bin/kubectl-orq", []string{"plan", "-f", "x.yaml"}, cmdPlan, []string{"-f", "x.yaml"}, false},
		{"kubectl-orq.exe", []string{"export", "--namespace", "a"}, cmdExport, []string{"--namespace", "a"}, false},
		{"kubectl-orq.exe", []string{"dev"}, "", nil, true},
		{"kubectl-orq", nil, "", nil, true},
		{"kubectl-orq", []string{"dev"}, "", nil, true},
		{"kubectl-orq", []string{"--leader-elect"}, "", nil, true},
	} {
		cmd, rest, err := command(c.argv0, c.args)
		if (err != nil) != c.fails || cmd != c.cmd || (!c.fails && !slices.Equal(rest, c.rest)) {
			t.Errorf("command(%q, %q) = %q, %q, %v", c.argv0, c.args, cmd, rest, err)
		}
	}
}
