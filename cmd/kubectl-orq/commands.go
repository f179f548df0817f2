package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/orq-ai/orq-operator/internal/cli"
)

// planCommand is kubectl orq plan: see cli.Plan.
func planCommand(g *global, status *int) *cobra.Command {
	var opts cli.PlanOptions
	c := &cobra.Command{
		Use:   "plan -f FILENAME",
		Short: "Show what the operator would change in orq for a set of manifests (writes nothing)",
		Long: `Compare the objects of manifests with their objects in the orq workspace of ORQ_API_KEY, as the
operator would, and print what it would do: create, update (with the fields that differ), no
change, blocked (with the reason) or skipped. Nothing is written to orq or the cluster. With --live,
the state of the objects already in the cluster is read (Secrets are not), so that what the
operator holds in orq plans as its own.

Exit status, as terraform plan -detailed-exitcode: 0 nothing would change, 2 something would, 1 an
error, a wrong option, or an object blocked.`,
		Example: `  # Plan the manifests of a kustomization, with the cluster's state
  kubectl kustomize agents/ | kubectl orq plan -f - --live

  # A pull-request comment
  kubectl orq plan -f agents/ --output markdown`,
		Args: noArgs,
		Run: func(c *cobra.Command, _ []string) {
			*status = cli.Plan(c.Context(), opts, g.orq.WithKey(), g.cluster(), streams(c))
		},
	}
	opts.Bind(kubectlFlags{c.Flags()})
	completePlan(c)
	return c
}

// exportCommand is kubectl orq export: see cli.Export.
func exportCommand(g *global, status *int) *cobra.Command {
	var opts cli.ExportOptions
	c := &cobra.Command{
		Use:   "export",
		Short: "Write the manifests of the objects of an orq workspace",
		Long: `Write a manifest for every memory store, knowledge base, tool, agent and agent schedule of the orq
workspace of ORQ_API_KEY, to standard output or one file per object in a directory. What to do
before applying them (the Secrets to create) and what was left out is told on standard error.`,
		Example: `  # One file per object, prompts in files of their own
  kubectl orq export --namespace agents --output-dir agents/ --prompts-as-files`,
		Args: noArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if err := opts.Check(); err != nil {
				return usageError{fmt.Sprintf("%s: %v", c.CommandPath(), err), 2}
			}
			*status = cli.Export(c.Context(), opts, g.orq.WithKey(), streams(c))
			return nil
		},
	}
	opts.Bind(kubectlFlags{c.Flags()})
	return c
}

// triggerCommand is kubectl orq trigger: see cli.Trigger.
func triggerCommand(g *global, status *int) *cobra.Command {
	var opts cli.TriggerOptions
	c := &cobra.Command{
		Use:   "trigger " + cli.TriggerUsage,
		Short: "Run an AgentSchedule's schedule now",
		Long: `Run now the schedule of an AgentSchedule of the cluster, with the key of its workspace (its Agent's
Secret, else ORQ_API_KEY). orq refuses an inactive schedule; its message is printed.`,
		Example: `  kubectl orq trigger agentschedule/weekly-report -n agents`,
		Args:    cobra.ArbitraryArgs, // cli.Trigger reads them as kubectl would
		Run: func(c *cobra.Command, args []string) {
			*status = cli.Trigger(c.Context(), args, opts, g.orq.WithKey(), g.cluster(), streams(c))
		},
	}
	opts.Bind(kubectlFlags{c.Flags()})
	c.ValidArgsFunction = completeSchedules(g, &opts.Namespace)
	return c
}

// versionCommand is kubectl orq version.
func versionCommand(status *int) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version of kubectl orq",
		Args:  noArgs,
		Run: func(c *cobra.Command, _ []string) {
			fmt.Fprintln(c.OutOrStdout(), cli.VersionLine("kubectl orq", version))
			*status = 0
		},
	}
}

// streams are c's standard input, output and error.
func streams(c *cobra.Command) cli.Streams {
	return cli.Streams{In: c.InOrStdin(), Out: c.OutOrStdout(), Err: c.ErrOrStderr()}
}
