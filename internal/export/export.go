// Package export turns the agents of an orq.ai workspace into Agent manifests, so that an
// existing workspace can be brought under GitOps: applied to a cluster, the manifests adopt the
// agents as they are, without a single write to orq.
package export

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation"
	"sigs.k8s.io/yaml"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
	"github.com/orq-ai/orq-operator/internal/agentdiff"
	"github.com/orq-ai/orq-operator/internal/orqclient"
)

// Lister lists every agent of a workspace.
type Lister interface {
	ListAllAgents(ctx context.Context, pageSize int) ([]orqclient.Agent, error)
}

var _ Lister = (*orqclient.Client)(nil)

// Manifests returns one Agent per remote agent, sorted by key: spec.key set to the agent's key,
// adoptionPolicy Adopt, server-only fields and the API's defaults left out. A team member that is
// exported too is an agentRef to its Agent (see linkTeams). namespace may be "".
func Manifests(ctx context.Context, l Lister, namespace string) ([]*orqv1alpha1.Agent, error) {
	remotes, err := l.ListAllAgents(ctx, orqclient.MaxPageSize)
	if err != nil {
		return nil, err
	}
	sort.Slice(remotes, func(i, j int) bool { return remotes[i].Key < remotes[j].Key })
	used := map[string]bool{}
	out := make([]*orqv1alpha1.Agent, 0, len(remotes))
	for _, r := range remotes {
		spec, err := agentdiff.SpecFromRemote(r.Raw)
		if err != nil {
			return nil, err
		}
		spec.AdoptionPolicy = orqv1alpha1.AdoptionPolicyAdopt
		base := objectName(r.Key)
		name := base
		for n := 2; used[name]; n++ {
			name = fmt.Sprintf("%s-%d", base, n)
		}
		used[name] = true
		out = append(out, &orqv1alpha1.Agent{
			TypeMeta:   metav1.TypeMeta{APIVersion: orqv1alpha1.GroupVersion.String(), Kind: "Agent"},
			ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: namespace},
			Spec:       spec,
		})
	}
	linkTeams(out)
	return out, nil
}

// objectName derives a Kubernetes object name from an agent key (letters and digits separated by
// '.', '_' or '-'): lower case, '_' as '-'.
func objectName(key string) string {
	name := strings.ReplaceAll(strings.ToLower(key), "_", "-")
	if len(name) > validation.DNS1123SubdomainMaxLength {
		name = strings.TrimRight(name[:validation.DNS1123SubdomainMaxLength], ".-")
	}
	return name
}

// Write writes the Agents as one YAML stream.
func Write(w io.Writer, agents []*orqv1alpha1.Agent) error {
	for i, a := range agents {
		doc, err := manifest(a)
		if err != nil {
			return err
		}
		if i > 0 {
			if _, err := io.WriteString(w, "---\n"); err != nil {
				return err
			}
		}
		if _, err := w.Write(doc); err != nil {
			return err
		}
	}
	return nil
}

// WriteDir writes each Agent to <dir>/<name>.yaml; with o.PromptsAsFiles, also its long prompts
// and a kustomization.yaml (see promptfiles.go), to be applied with kubectl apply -k.
func WriteDir(dir string, agents []*orqv1alpha1.Agent, o DirOptions) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	var resources []string
	var generators []map[string]any
	for _, a := range agents {
		if o.PromptsAsFiles {
			var files []promptFile
			if a, files = externalize(a, o.PromptMinLength); len(files) > 0 {
				gen, err := writePromptFiles(dir, a, files)
				if err != nil {
					return err
				}
				generators = append(generators, gen)
			}
		}
		var buf bytes.Buffer
		if err := Write(&buf, []*orqv1alpha1.Agent{a}); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, a.Name+".yaml"), buf.Bytes(), 0o644); err != nil {
			return err
		}
		resources = append(resources, a.Name+".yaml")
	}
	if !o.PromptsAsFiles {
		return nil
	}
	return writeKustomization(dir, resources, generators)
}

// manifest renders an Agent as YAML without the fields a manifest does not carry (status,
// creationTimestamp).
func manifest(a *orqv1alpha1.Agent) ([]byte, error) {
	raw, err := yaml.Marshal(a)
	if err != nil {
		return nil, err
	}
	var obj map[string]any
	if err := yaml.Unmarshal(raw, &obj); err != nil {
		return nil, err
	}
	delete(obj, "status")
	if md, ok := obj["metadata"].(map[string]any); ok {
		delete(md, "creationTimestamp")
	}
	if spec, ok := obj["spec"].(map[string]any); ok && spec["instructionsFrom"] != nil && spec["instructions"] == "" {
		delete(spec, "instructions") // always encoded (see AgentSpec.Instructions); unset here
	}
	return yaml.Marshal(obj)
}
