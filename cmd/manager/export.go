package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/orq-ai/orq-operator/internal/export"
	"github.com/orq-ai/orq-operator/internal/orqclient"
)

// runExport writes a manifest for every memory store, knowledge base, tool, agent and agent
// schedule of the workspace of ORQ_API_KEY, to standard output or one file per object in a directory (with the
// Agents' prompts as files, if asked), and tells on standard error what to do before applying
// them (the Secrets to create) and what was left out.
func runExport(args []string) int { return exportTo(args, os.Stdout, os.Stderr) }

// exportTo is runExport writing to stdout and stderr.
func exportTo(args []string, stdout, stderr io.Writer) int {
	var outDir string
	var opts export.Options
	var dir export.DirOptions
	o, err := parseFlagsOnly("manager export", args, func(fs *flag.FlagSet) {
		fs.StringVar(&opts.Namespace, "namespace", "", "Namespace to set in the manifests (none by default).")
		fs.StringVar(&outDir, "output-dir", "", "Write one <kind>-<name>.yaml per object (agent-support.yaml, tool-lookup.yaml) into this directory instead of standard output.")
		fs.StringVar(&opts.MemoryStorePath, "memory-store-path", export.DefaultMemoryStorePath,
			"The spec.path written into the MemoryStores: orq does not return a memory store's path, so they are exported with managementPolicy Observe until it is checked.")
		fs.BoolVar(&dir.PromptsAsFiles, "prompts-as-files", false,
			"With --output-dir: write each prompt to a file of its own, and a kustomization.yaml whose configMapGenerator makes the ConfigMaps the Agents take them from (instructionsFrom, systemPromptFrom).")
		fs.IntVar(&dir.PromptMinLength, "prompt-file-min-length", 0,
			"With --prompts-as-files: prompts shorter than this many characters stay inline (0: every prompt that is not empty goes to a file).")
	})
	if err == nil && dir.PromptsAsFiles && outDir == "" {
		err = fmt.Errorf("--prompts-as-files needs --output-dir: the prompts are written as files beside the manifests")
	}
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		fmt.Fprintln(stderr, err)
		return 2
	}
	if o.apiKey == "" {
		fmt.Fprintln(stderr, envAPIKey+" is not set: export reads the workspace of that API key")
		return 1
	}
	api, err := orqclient.New(orqclient.Options{BaseURL: o.baseURL, APIKey: o.apiKey, Timeout: o.requestTimeout, UserAgent: "orq-operator/" + version})
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	res, err := export.Manifests(ctx, api, opts)
	if err != nil {
		fmt.Fprintln(stderr, "export:", err)
		return 1
	}
	if outDir != "" {
		err = export.WriteDir(outDir, res.Manifests, dir)
	} else {
		err = export.Write(stdout, res.Manifests)
	}
	if err != nil {
		fmt.Fprintln(stderr, "export:", err)
		return 1
	}
	reportExport(stderr, res)
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
