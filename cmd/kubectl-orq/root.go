package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/orq-ai/orq-operator/internal/cli"
	"github.com/orq-ai/orq-operator/internal/orqclient"
)

const rootLong = `kubectl orq plans, exports and runs the orq.ai objects that orq-operator keeps as Kubernetes
objects (Agent, Tool, KnowledgeBase, MemoryStore, AgentSchedule). plan shows what the operator would
change in orq for a set of manifests, without writing anything; export writes the manifests of an
existing orq workspace; trigger runs an AgentSchedule now. The orq API key is read from
ORQ_API_KEY, never from a flag; the cluster is the kubeconfig's, as for kubectl.`

const rootExamples = `  # What would the operator change in orq for the manifests of a kustomization?
  kubectl kustomize agents/ | kubectl orq plan -f - --live

  # Write the manifests of an existing workspace, one file per object
  kubectl orq export --namespace agents --output-dir agents/

  # Run a schedule now
  kubectl orq trigger agentschedule/weekly-report -n agents`

// helpTemplate and usageTemplate lay the help out as kubectl's: description, examples, commands,
// options, usage, and where to read more.
const (
	helpTemplate  = "{{with (or .Long .Short)}}{{. | trimTrailingWhitespaces}}\n\n{{end}}{{.UsageString}}"
	usageTemplate = `{{if .HasExample}}Examples:
{{.Example}}

{{end}}{{if .HasAvailableSubCommands}}Available Commands:{{range .Commands}}{{if (or .IsAvailableCommand (eq .Name "help"))}}
  {{rpad .Name .NamePadding }} {{.Short}}{{end}}{{end}}

{{end}}{{if .HasAvailableLocalFlags}}Options:
{{.LocalFlags.FlagUsages | trimTrailingWhitespaces}}

{{end}}{{if .HasAvailableInheritedFlags}}Global options:
{{.InheritedFlags.FlagUsages | trimTrailingWhitespaces}}

{{end}}Usage:
  {{.UseLine}}

{{if .HasAvailableSubCommands}}Use "{{.CommandPath}} <command> --help" for more information about a command.{{else}}Use "{{.Root.CommandPath}} --help" for the other commands.{{end}}
`
)

// global are the flags of every command: how to reach orq and the cluster.
type global struct {
	orq                 cli.Orq
	kubeconfig, context string
}

func (g *global) cluster() cli.Cluster { return cli.ClusterOf(g.kubeconfig, g.context) }

// newRoot is kubectl orq, its commands writing to s and setting *status.
func newRoot(s cli.Streams, status *int) *cobra.Command {
	g := &global{orq: cli.Orq{UserAgent: "kubectl-orq/" + version}}
	root := &cobra.Command{
		Use:         "kubectl-orq <command> [options]",
		Short:       "Plan, export and run the orq.ai objects of orq-operator",
		Long:        rootLong,
		Example:     rootExamples,
		Annotations: map[string]string{cobra.CommandDisplayNameAnnotation: "kubectl orq"},
		Version:     version,
		Args:        cobra.ArbitraryArgs, // refused by RunE, in one line
		RunE: func(c *cobra.Command, args []string) error {
			if len(args) > 0 {
				return unknownCommand(c, args[0])
			}
			return c.Help()
		},
		SilenceErrors: true, // run prints them, in one line
		SilenceUsage:  true,
	}
	root.SuggestionsMinimumDistance = 2
	root.SetIn(s.In)
	root.SetOut(s.Out)
	root.SetErr(s.Err)
	root.SetHelpTemplate(helpTemplate)
	root.SetUsageTemplate(usageTemplate)
	root.SetVersionTemplate(cli.VersionLine("kubectl orq", version) + "\n")
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return usageError{fmt.Sprintf("%s: %v; see \"%s --help\"", c.CommandPath(), err, c.CommandPath()), usageStatus(c)}
	})
	root.Flags().Bool("version", false, "Print the version of kubectl orq and exit.") // no -v: kubectl's is verbosity
	g.orq.Bind(kubectlFlags{root.PersistentFlags()})
	base := root.PersistentFlags().Lookup("orq-base-url")
	base.DefValue = orqclient.QuoteURL(base.DefValue) // --help shows no credentials of the URL (review R13)
	root.PersistentFlags().StringVar(&g.kubeconfig, "kubeconfig", "", "Path to the kubeconfig file (default: KUBECONFIG, else ~/.kube/config).")
	root.PersistentFlags().StringVar(&g.context, "context", "", "The kubeconfig context to use (default: its current context).")
	root.AddCommand(planCommand(g, status), exportCommand(g, status), triggerCommand(g, status), versionCommand(status))
	root.InitDefaultHelpCmd()
	root.InitDefaultCompletionCmd()
	readAsKubectl(root)
	return root
}

// readAsKubectl writes "[options]" where cobra writes "[flags]", as kubectl does (every command
// has at least --help).
func readAsKubectl(c *cobra.Command) {
	c.DisableFlagsInUseLine = true
	if !strings.Contains(c.Use, "[options]") {
		c.Use += " [options]"
	}
	for _, sub := range c.Commands() {
		readAsKubectl(sub)
	}
}

// usageStatus is the exit status of a command line c does not take: 1 for plan (its 2 means
// changes, as terraform plan -detailed-exitcode), else 2.
func usageStatus(c *cobra.Command) int {
	if c.Name() == "plan" {
		return 1
	}
	return 2
}

// unknownCommand refuses word, suggesting the command it most likely misspells.
func unknownCommand(c *cobra.Command, word string) error {
	msg := fmt.Sprintf("%s: unknown command %q", c.CommandPath(), word)
	if near := c.SuggestionsFor(word); len(near) > 0 {
		msg += fmt.Sprintf(" (did you mean %q?)", near[0])
	}
	return usageError{msg + fmt.Sprintf("; run \"%s --help\" for usage", c.CommandPath()), 2}
}

// noArgs refuses arguments to a command that takes none.
func noArgs(c *cobra.Command, args []string) error {
	if len(args) > 0 {
		return usageError{fmt.Sprintf("%s: unexpected argument %q; see \"%s --help\"", c.CommandPath(), args[0], c.CommandPath()), usageStatus(c)}
	}
	return nil
}
