// Command orq-mem-api serves an in-memory orq.ai API (see package
// internal/orqmem: agents, tools, knowledge bases, memory stores and agent
// schedules) for local development and end-to-end tests.
//
//	orq-mem-api --listen 127.0.0.1:8089 --api-key secret --project-key sales-key=Sales \
//	  --openapi ../shared/orq-api/agents-openapi.yaml --graph-openapi ../shared/orq-api/graph-openapi.yaml
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/orq-ai/orq-operator/internal/openapi"
	"github.com/orq-ai/orq-operator/internal/orqmem"
)

// envAPIKey supplies the accepted token when --api-key is not given.
const envAPIKey = "ORQ_MEM_API_KEY"

// shutdownTimeout bounds the graceful shutdown.
const shutdownTimeout = 10 * time.Second

// config holds the command-line settings.
type config struct {
	listen  string
	apiKey  string
	openapi string
	// graphOpenapi is the OpenAPI document of the other routes.
	graphOpenapi string
	latency      time.Duration
	projectID    string
	// projectKeys are project-scoped API keys, token -> project name.
	projectKeys map[string]string
}

func main() {
	log.SetFlags(log.LstdFlags | log.LUTC)
	if err := run(parseFlags(os.Args[1:])); err != nil {
		log.Fatalf("orq-mem-api: %v", err)
	}
}

// parseFlags parses args. The API key's default comes from the environment
// after parsing so that it never shows up in --help output.
func parseFlags(args []string) config {
	var c config
	fs := flag.NewFlagSet("orq-mem-api", flag.ExitOnError)
	fs.StringVar(&c.listen, "listen", "127.0.0.1:8089", "address to listen on")
	fs.StringVar(&c.apiKey, "api-key", "", "accepted bearer token (default $"+envAPIKey+"; if both are empty any bearer token is accepted)")
	fs.StringVar(&c.openapi, "openapi", "", "optional path of the orq OpenAPI document; request bodies are then also validated against it")
	fs.StringVar(&c.graphOpenapi, "graph-openapi", "", "optional path of the orq OpenAPI document of the tools, knowledge bases, memory stores and schedules (graph-openapi.yaml); their request bodies are then also validated against it")
	fs.DurationVar(&c.latency, "latency", 0, "latency added to every request, e.g. 200ms")
	fs.StringVar(&c.projectID, "project-id", "", "id of project "+orqmem.DefaultProjectName+" (default "+orqmem.DefaultProjectID+"); other projects get ids of their own")
	c.projectKeys = map[string]string{}
	fs.Func("project-key", "project-scoped API key as TOKEN=PROJECT (repeatable): it sees only that project, and paths relative to it", func(v string) error {
		token, project, ok := strings.Cut(v, "=")
		if !ok || token == "" || project == "" {
			return errors.New("want TOKEN=PROJECT")
		}
		c.projectKeys[token] = project
		return nil
	})
	_ = fs.Parse(args) // ExitOnError
	if c.apiKey == "" {
		c.apiKey = os.Getenv(envAPIKey)
	}
	return c
}

// run serves until SIGINT or SIGTERM, then shuts down gracefully.
func run(c config) error {
	opts, err := serverOptions(c)
	if err != nil {
		return err
	}
	fake := orqmem.New(opts)
	fake.SetLatency(c.latency)

	srv := &http.Server{
		Addr:              c.listen,
		Handler:           logRequests(fake),
		ReadHeaderTimeout: 10 * time.Second,
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	log.Printf("listening on http://%s (auth: %s, %d project key(s), openapi validation: agents %t, others %t)",
		c.listen, authMode(c.apiKey), len(c.projectKeys), c.openapi != "", c.graphOpenapi != "")

	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Print("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// serverOptions turns the settings into the in-memory API's options,
// loading the OpenAPI documents given.
func serverOptions(c config) (orqmem.Options, error) {
	opts := orqmem.Options{ProjectID: c.projectID, ProjectKeys: c.projectKeys}
	if c.apiKey != "" {
		opts.APIKeys = []string{c.apiKey}
	}
	if c.openapi != "" {
		spec, err := openapi.Load(c.openapi)
		if err != nil {
			return opts, err
		}
		opts.Schema = spec
	}
	if c.graphOpenapi != "" {
		graph, err := openapi.LoadGraph(c.graphOpenapi)
		if err != nil {
			return opts, err
		}
		opts.Graph = graph
	}
	return opts, nil
}

// authMode describes the authentication mode without revealing the key.
func authMode(apiKey string) string {
	if apiKey == "" {
		return "any bearer token"
	}
	return "fixed API key"
}

// statusRecorder captures the status code written by a handler.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

// WriteHeader records the status.
func (r *statusRecorder) WriteHeader(status int) {
	r.status = status
	r.ResponseWriter.WriteHeader(status)
}

// logRequests logs method, path, status and duration of every request. The
// Authorization header is never logged.
func logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		log.Printf("%s %s %d %s", r.Method, r.URL.Path, rec.status, time.Since(start).Round(time.Millisecond))
	})
}
