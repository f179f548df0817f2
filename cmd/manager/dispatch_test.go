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
		// The manager under the plugin's name runs nothing: the plugin is cmd/kubectl-orq.
		{"/home/u/bin/kubectl-orq", []string{"plan", "-f", "x.yaml"}, "", nil, true},
		{"kubectl-orq.exe", nil, "", nil, true},
		{"kubectl-orq", []string{"--leader-elect"}, "", nil, true},
		{"manager", []string{"help"}, cmdHelp, []string{}, false},
		{"manager", []string{"--help"}, cmdHelp, []string{}, false},
		{"manager", []string{"-h"}, cmdHelp, []string{}, false},
		{"manager", []string{"version"}, cmdVersion, []string{}, false},
		{"manager", []string{"-version"}, cmdVersion, []string{}, false},
		// Words that name no command never start the operator.
		{"manager", []string{"plans"}, "", nil, true},
		{"manager", []string{"Plan"}, "", nil, true},
		{"manager", []string{"run", "--leader-elect"}, "", nil, true},
	} {
		cmd, rest, err := command(c.argv0, c.args)
		if (err != nil) != c.fails || cmd != c.cmd || (!c.fails && !slices.Equal(rest, c.rest)) {
			t.Errorf("command(%q, %q) = %q, %q, %v", c.argv0, c.args, cmd, rest, err)
		}
	}
}

func TestNearestCommand(t *testing.T) {
	commands := []string{cmdDev, cmdExport, cmdPlan, cmdHelp, cmdVersion}
	for word, want := range map[string]string{
		"plans":    cmdPlan, // one letter more
		"pan":      cmdPlan, // one letter less
		"hepl":     cmdHelp, // two letters swapped
		"exprot":   cmdExport,
		"versoin":  cmdVersion,
		"vresion":  cmdVersion,
		"ex":       cmdExport, // a prefix
		"--versio": cmdVersion,
		"Dev":      cmdDev,
		"x":        "", // too short to guess from
		"start":    "",
		"run":      "",
		"deploy":   "",
		"helpme!!": "",
	} {
		if got := nearest(word, commands); got != want {
			t.Errorf("nearest(%q) = %q, want %q", word, got, want)
		}
	}
}
