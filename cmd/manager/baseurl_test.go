package main

import (
	"flag"
	"strings"
	"testing"

	"github.com/go-logr/logr/funcr"
)

// A base URL may carry a gateway's credentials, in its userinfo or its query: the manager's help
// and its start log show it without them, as orqclient quotes URLs in its errors (review R13).
func TestTheBaseURLIsShownWithoutItsCredentials(t *testing.T) {
	t.Setenv(envBaseURL, "https://user:s3cret@gateway.example/orq?token=t0ken")
	secrets := []string{"s3cret", "t0ken", "user"}

	fs := flag.NewFlagSet("manager", flag.ContinueOnError)
	o := &options{}
	o.bind(fs)
	if def := fs.Lookup("orq-base-url").DefValue; !strings.Contains(def, "gateway.example/orq") || containsAny(def, secrets) {
		t.Errorf("--help shows the default base URL as %q", def)
	}
	if o.baseURL != "https://user:s3cret@gateway.example/orq?token=t0ken" {
		t.Errorf("the base URL used is %q, not the one given", o.baseURL)
	}

	var logged strings.Builder
	logStart(funcr.New(func(prefix, args string) { logged.WriteString(args) }, funcr.Options{}), o)
	if !strings.Contains(logged.String(), "gateway.example/orq") || containsAny(logged.String(), secrets) {
		t.Errorf("the start log is %s", logged.String())
	}
}

func containsAny(s string, subs []string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}
