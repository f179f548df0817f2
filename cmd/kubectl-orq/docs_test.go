package main

import (
	"os"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/orq-ai/orq-operator/internal/cli"
)

// docs/configuration.md's section on kubectl orq names every command and flag of the plugin, or
// the section of the manager's command it is.
func TestConfigurationDocumentsThePlugin(t *testing.T) {
	raw, err := os.ReadFile("../../docs/configuration.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(raw)
	start := strings.Index(doc, "## `kubectl orq`")
	if start < 0 {
		t.Fatal("docs/configuration.md has no section ## `kubectl orq`")
	}
	section := doc[start:]
	section = section[:strings.Index(section[1:], "\n## ")+1]
	status := 0
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if c.Hidden || c.Name() == "help" {
			return
		}
		if c.HasParent() && !strings.Contains(section, "`kubectl orq "+c.Name()) && c.Parent().Name() != "completion" {
			t.Errorf("the section on kubectl orq does not name the command %s", c.Name())
		}
		own := c.Name() + " (" + c.CommandPath() + ")"
		c.LocalNonPersistentFlags().VisitAll(func(f *pflag.Flag) {
			if f.Name == "help" || strings.Contains(section, "`--"+f.Name) || manager(c.Name(), doc, f.Name) {
				return
			}
			t.Errorf("--%s of %s is documented neither in the section on kubectl orq nor in the manager's", f.Name, own)
		})
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	root := newRoot(cli.Streams{}, &status)
	root.PersistentFlags().VisitAll(func(f *pflag.Flag) {
		if !strings.Contains(section, "`--"+f.Name+"`") {
			t.Errorf("the global flag --%s is not in the section on kubectl orq", f.Name)
		}
	})
	walk(root)
}

// manager tells whether the section of manager command documents the flag name in its table.
func manager(command, doc, name string) bool {
	start := strings.Index(doc, "## `manager "+command+"`")
	if start < 0 {
		return false
	}
	section := doc[start+1:]
	section = section[:strings.Index(section, "\n## ")]
	return strings.Contains(section, "| `--"+name+"`") || strings.Contains(section, "| `-"+name+"`") || name == "filename" && strings.Contains(section, "| `-f`")
}
