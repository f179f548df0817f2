package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/orq-ai/orq-operator/internal/export"
	"github.com/orq-ai/orq-operator/internal/orqclient"
)

// runExport writes an Agent manifest for every agent of the workspace of ORQ_API_KEY, to
// standard output or one file per agent in a directory (with its prompts as files, if asked).
func runExport(args []string) int {
	var namespace, outDir string
	var dir export.DirOptions
	o, err := parseFlags("manager export", args, func(fs *flag.FlagSet) {
		fs.StringVar(&namespace, "namespace", "", "Namespace to set in the manifests (none by default).")
		fs.StringVar(&outDir, "output-dir", "", "Write one <name>.yaml per agent into this directory instead of standard output.")
		fs.BoolVar(&dir.PromptsAsFiles, "prompts-as-files", false,
			"With --output-dir: write each prompt to a file of its own, and a kustomization.yaml whose configMapGenerator makes the ConfigMaps the Agents take them from (instructionsFrom, systemPromptFrom).")
		fs.IntVar(&dir.PromptMinLength, "prompt-file-min-length", 0,
			"With --prompts-as-files: prompts shorter than this many characters stay inline (0: every prompt that is not empty goes to a file).")
	})
	if err == nil && dir.PromptsAsFiles && outDir == "" {
		err = fmt.Errorf("--prompts-as-files needs --output-dir: the prompts are written as files beside the manifests")
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	if o.apiKey == "" {
		fmt.Fprintln(os.Stderr, envAPIKey+" is not set: export reads the workspace of that API key")
		return 1
	}
	api, err := orqclient.New(orqclient.Options{BaseURL: o.baseURL, APIKey: o.apiKey, Timeout: o.requestTimeout, UserAgent: "orq-operator/" + version})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	agents, err := export.Manifests(ctx, api, namespace)
	if err != nil {
		fmt.Fprintln(os.Stderr, "export:", err)
		return 1
	}
	if outDir != "" {
		err = export.WriteDir(outDir, agents, dir)
	} else {
		err = export.Write(os.Stdout, agents)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "export:", err)
		return 1
	}
	fmt.Fprintf(os.Stderr, "exported %d agents\n", len(agents))
	return 0
}
