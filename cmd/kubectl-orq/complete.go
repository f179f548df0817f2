package main

import (
	"github.com/spf13/cobra"
	"sigs.k8s.io/controller-runtime/pkg/client"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
	"github.com/orq-ai/orq-operator/internal/planreport"
)

// completePlan completes plan's -f with manifest files and --output with its formats.
func completePlan(c *cobra.Command) {
	_ = c.MarkFlagFilename("filename", "yaml", "yml", "json")
	_ = c.RegisterFlagCompletionFunc("output", cobra.FixedCompletions(planreport.Formats, cobra.ShellCompDirectiveNoFileComp))
}

// completeSchedules completes trigger's argument with the AgentSchedules of the namespace (of -n,
// else the kubeconfig context's), read from the cluster; nothing when it cannot be read.
func completeSchedules(g *global, namespace *string) cobra.CompletionFunc {
	return func(c *cobra.Command, args []string, _ string) ([]cobra.Completion, cobra.ShellCompDirective) {
		if len(args) > 0 {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		cluster := g.cluster()
		ns := *namespace
		if ns == "" {
			ns, _ = cluster.Namespace()
		}
		r, err := cluster.Reader()
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		var list orqv1alpha1.AgentScheduleList
		if err := r.List(c.Context(), &list, client.InNamespace(ns)); err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		var out []cobra.Completion
		for _, s := range list.Items {
			out = append(out, "agentschedule/"+s.Name)
		}
		return out, cobra.ShellCompDirectiveNoFileComp
	}
}
