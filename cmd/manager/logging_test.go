package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"regexp"
	"strings"
	"testing"

	"sigs.k8s.io/controller-runtime/pkg/log/zap"
)

// logLine logs one info and one error entry with the options of logOptions and returns what
// was written.
func logLine(dev, terminal bool) string {
	var buf bytes.Buffer
	opts := logOptions(dev, terminal)
	opts.DestWriter = &buf
	log := zap.New(zap.UseFlagOptions(&opts)).WithName("setup")
	log.Info("starting manager", "version", "v1")
	log.Error(errors.New("boom"), "reconcile failed")
	return buf.String()
}

// A person reading manager dev in a terminal gets one line of text an entry; everything else
// (a cluster's log collector, manager dev piped to a file) gets JSON.
func TestLogsAreTextOnlyForManagerDevOnATerminal(t *testing.T) {
	for _, c := range []struct {
		dev, terminal bool
	}{{false, false}, {false, true}, {true, false}} {
		for _, line := range strings.Split(strings.TrimSpace(logLine(c.dev, c.terminal)), "\n") {
			if !json.Valid([]byte(line)) {
				t.Errorf("dev %v, terminal %v: not a JSON line: %q", c.dev, c.terminal, line)
			}
		}
	}
	out := logLine(true, true)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 {
		t.Fatalf("want two lines, no stack trace, got:\n%s", out)
	}
	if !regexp.MustCompile(`^\d\d:\d\d:\d\d\.\d{3}\tINFO\tsetup\tstarting manager\t\{"version": "v1"\}$`).MatchString(lines[0]) {
		t.Errorf("not a console line with the time of day: %q", lines[0])
	}
	if !strings.Contains(lines[1], "\tERROR\tsetup\treconcile failed\t") || !strings.Contains(lines[1], `"error": "boom"`) {
		t.Errorf("error line %q", lines[1])
	}
}
