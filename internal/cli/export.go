package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/orq-ai/orq-operator/internal/export"
)

// ExportOptions are the flags of export.
type ExportOptions struct {
	export.Options
	export.DirOptions
	OutputDir string
}

// Bind registers the flags of export.
func (e *ExportOptions) Bind(fs Flags) {
	fs.StringVar(&e.Namespace, "namespace", "", "Namespace to set in the manifests (none by default).")
	fs.StringVar(&e.OutputDir, "output-dir", "", "Write one <kind>-<name>.yaml per object (agent-support.yaml, tool-lookup.yaml) into this directory instead of standard output.")
	fs.StringVar(&e.MemoryStorePath, "memory-store-path", export.DefaultMemoryStorePath,
		"The spec.path written into the MemoryStores: orq does not return a memory store's path, so they are exported with managementPolicy Observe until it is checked.")
	fs.BoolVar(&e.PromptsAsFiles, "prompts-as-files", false,
		"With --output-dir: write each prompt to a file of its own, and a kustomization.yaml whose configMapGenerator makes the ConfigMaps the Agents take them from (instructionsFrom, systemPromptFrom).")
	fs.IntVar(&e.PromptMinLength, "prompt-file-min-length", 0,
		"With --prompts-as-files: prompts shorter than this many characters stay inline (0: every prompt that is not empty goes to a file).")
}

// Check refuses flags that do not go together: a usage error.
func (e ExportOptions) Check() error {
	if e.PromptsAsFiles && e.OutputDir == "" {
		return errors.New("--prompts-as-files needs --output-dir: the prompts are written as files beside the manifests")
	}
	return nil
}

// Export writes a manifest for every memory store, knowledge base, tool, agent and agent schedule
// of the workspace of orq's key, to standard output or one file per object in a directory (with
// the Agents' prompts as files, if asked), and tells on standard error what to do before applying
// them (the Secrets to create) and what was left out. Exit status 1 on an error.
func Export(ctx context.Context, opts ExportOptions, orq Orq, s Streams) int {
	if orq.APIKey == "" {
		fmt.Fprintln(s.Err, EnvAPIKey+" is not set: export reads the workspace of that API key")
		return 1
	}
	api, err := orq.Client(orq.APIKey)
	if err != nil {
		fmt.Fprintln(s.Err, err)
		return 1
	}
	res, err := export.Manifests(ctx, api, opts.Options)
	if err != nil {
		fmt.Fprintln(s.Err, "export:", err)
		return 1
	}
	if opts.OutputDir != "" {
		err = export.WriteDir(opts.OutputDir, res.Manifests, opts.DirOptions)
	} else {
		err = export.Write(s.Out, res.Manifests)
	}
	if err != nil {
		fmt.Fprintln(s.Err, "export:", err)
		return 1
	}
	reportExport(s.Err, res)
	return 0
}

// reportExport tells what was exported, what must be done before applying it, and what was left
// out.
func reportExport(w io.Writer, res *export.Result) {
	for _, m := range res.Manifests {
		for _, n := range m.Notes {
			fmt.Fprintf(w, "note: %s %s: %s\n", m.Kind(), m.Object.GetName(), strings.TrimSpace(n))
		}
	}
	for _, s := range res.Skipped {
		fmt.Fprintln(w, "not exported:", s)
	}
	fmt.Fprintf(w, "exported %s\n", res.Summary())
}
