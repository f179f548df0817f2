// Package cli holds the commands that the manager binary (cmd/manager) and the kubectl plugin
// (cmd/kubectl-orq) share: plan, export and trigger. Each command is a function of its options,
// already parsed, and of its streams; each binary parses its own command line (Go flags for the
// manager, kubectl's for the plugin) into the same options, bound by the same Bind methods.
package cli

import (
	"flag"
	"io"
	"os"
	"time"

	"github.com/spf13/pflag"
	"k8s.io/apimachinery/pkg/runtime"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
	"github.com/orq-ai/orq-operator/internal/orqclient"
)

// The environment variables of the orq API.
const (
	EnvAPIKey  = "ORQ_API_KEY"
	EnvBaseURL = "ORQ_API_BASE_URL"
)

// Scheme knows the kinds the commands read from a cluster.
var Scheme = func() *runtime.Scheme {
	s := runtime.NewScheme()
	utilruntime.Must(clientgoscheme.AddToScheme(s))
	utilruntime.Must(orqv1alpha1.AddToScheme(s))
	return s
}()

// Flags registers flags: both *flag.FlagSet (the manager) and *pflag.FlagSet (the plugin) are
// one.
type Flags interface {
	StringVar(p *string, name, value, usage string)
	BoolVar(p *bool, name string, value bool, usage string)
	IntVar(p *int, name string, value int, usage string)
	DurationVar(p *time.Duration, name string, value time.Duration, usage string)
}

// Both flag sets are Flags.
var (
	_ Flags = (*flag.FlagSet)(nil)
	_ Flags = (*pflag.FlagSet)(nil)
)

// Streams are a command's standard input, output and error.
type Streams struct {
	In       io.Reader
	Out, Err io.Writer
}

// Orq is how a command reaches the orq API.
type Orq struct {
	BaseURL        string
	RequestTimeout time.Duration
	// APIKey comes from ORQ_API_KEY only, never a flag: flags show up in the process list.
	APIKey string
	// UserAgent names the binary and its version.
	UserAgent string
}

// Bind registers --orq-base-url (default: ORQ_API_BASE_URL, else orq's) and
// --orq-request-timeout.
func (o *Orq) Bind(fs Flags) {
	base := os.Getenv(EnvBaseURL)
	if base == "" {
		base = orqclient.DefaultBaseURL
	}
	fs.StringVar(&o.BaseURL, "orq-base-url", base, "Base URL of the orq API (env "+EnvBaseURL+").")
	fs.DurationVar(&o.RequestTimeout, "orq-request-timeout", orqclient.DefaultTimeout, "Timeout of each request to the orq API.")
}

// Client is a client of the orq API with key.
func (o Orq) Client(key string) (*orqclient.Client, error) {
	return orqclient.New(orqclient.Options{BaseURL: o.BaseURL, APIKey: key, Timeout: o.RequestTimeout, UserAgent: o.UserAgent})
}

// WithKey is o with the API key of ORQ_API_KEY.
func (o Orq) WithKey() Orq {
	o.APIKey = os.Getenv(EnvAPIKey)
	return o
}
