package main

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	corev1 "k8s.io/api/core/v1"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
	"github.com/orq-ai/orq-operator/internal/manifest"
)

const samplesDir = "../../config/samples"

// TestSamplesAreAdmittedByTheCRDs: `kubectl apply -f config/samples/`, the README's quickstart,
// is accepted: the apiserver's validation of the CRDs refuses no sample.
func TestSamplesAreAdmittedByTheCRDs(t *testing.T) {
	m, err := manifest.Read(samplesDir, nil, "default")
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range m.Refused {
		t.Errorf("refused %s %s/%s (%s): %v", r.Kind, r.Namespace, r.Name, r.Source, r.Err)
	}
	if len(m.Objects) == 0 {
		t.Error("no Agent in config/samples")
	}
}

// samples are the objects of config/samples, by kind and name (all in one namespace).
type samples struct {
	agents         map[string]*orqv1alpha1.Agent
	tools          map[string]*orqv1alpha1.Tool
	knowledgeBases map[string]bool
	memoryStores   map[string]bool
	secretKeys     map[string]map[string]bool
	schedules      map[string]*orqv1alpha1.AgentSchedule
}

// TestSamplesReferenceEachOther: every reference of the samples names an object of the samples,
// so that each waits only for the others to be Ready: the Agents' toolRefs (of the Tool's type),
// knowledgeBaseRefs, memoryStoreRefs and agentRefs, and the Tools' header Secrets and keys. The
// samples use each kind of reference at least once.
func TestSamplesReferenceEachOther(t *testing.T) {
	s := readSamples(t)
	used := map[string]int{}
	for name, a := range s.agents {
		for i, tool := range a.Spec.Settings.Tools {
			if ref := tool.ToolRef; ref != nil {
				used["toolRef"]++
				target, ok := s.tools[ref.Name]
				switch {
				case !ok || ref.Namespace != "":
					t.Errorf("Agent %s: settings.tools[%d].toolRef names %q, no Tool of the samples", name, i, ref.Name)
				case target.Spec.Type != tool.Type:
					t.Errorf("Agent %s: settings.tools[%d] is %s, the Tool %s is %s", name, i, tool.Type, ref.Name, target.Spec.Type)
				}
			}
		}
		for i, kb := range a.Spec.KnowledgeBases {
			if ref := kb.KnowledgeBaseRef; ref != nil {
				used["knowledgeBaseRef"]++
				if !s.knowledgeBases[ref.Name] || ref.Namespace != "" {
					t.Errorf("Agent %s: knowledgeBases[%d].knowledgeBaseRef names %q, no KnowledgeBase of the samples", name, i, ref.Name)
				}
			}
		}
		for i, ref := range a.Spec.MemoryStoreRefs {
			used["memoryStoreRefs"]++
			if !s.memoryStores[ref.Name] || ref.Namespace != "" {
				t.Errorf("Agent %s: memoryStoreRefs[%d] names %q, no MemoryStore of the samples", name, i, ref.Name)
			}
		}
		for i, m := range a.Spec.TeamOfAgents {
			if ref := m.AgentRef; ref != nil {
				used["agentRef"]++
				if s.agents[ref.Name] == nil || ref.Namespace != "" {
					t.Errorf("Agent %s: teamOfAgents[%d].agentRef names %q, no Agent of the samples", name, i, ref.Name)
				}
			}
		}
	}
	for name, tool := range s.tools {
		if tool.Spec.HTTP == nil {
			continue
		}
		for header, h := range tool.Spec.HTTP.Blueprint.Headers {
			if h.ValueFrom == nil {
				continue
			}
			used["Secret"]++
			ref := h.ValueFrom.SecretKeyRef
			if !s.secretKeys[ref.Name][ref.Key] {
				t.Errorf("Tool %s: header %s names key %q of Secret %q, not in the samples", name, header, ref.Key, ref.Name)
			}
		}
	}
	for _, schedule := range s.schedules {
		used["schedule agentRef"]++
		if s.agents[schedule.Spec.AgentRef.Name] == nil {
			t.Errorf("AgentSchedule %s: agentRef names %q, no Agent of the samples", schedule.Name, schedule.Spec.AgentRef.Name)
		}
	}
	for _, kind := range []string{"toolRef", "knowledgeBaseRef", "memoryStoreRefs", "agentRef", "Secret", "schedule agentRef"} {
		if used[kind] == 0 {
			t.Errorf("no sample uses a %s", kind)
		}
	}
}

// readSamples decodes the documents of config/samples by kind.
func readSamples(t *testing.T) samples {
	t.Helper()
	s := samples{agents: map[string]*orqv1alpha1.Agent{}, tools: map[string]*orqv1alpha1.Tool{},
		knowledgeBases: map[string]bool{}, memoryStores: map[string]bool{}, secretKeys: map[string]map[string]bool{},
		schedules: map[string]*orqv1alpha1.AgentSchedule{}}
	files, err := filepath.Glob(filepath.Join(samplesDir, "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no samples: %v", err)
	}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		reader := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(raw)))
		for {
			doc, err := reader.Read()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			s.add(t, f, doc)
		}
	}
	return s
}

func (s samples) add(t *testing.T, file string, doc []byte) {
	t.Helper()
	var meta struct {
		Kind string `json:"kind"`
	}
	if err := yaml.Unmarshal(doc, &meta); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	decode := func(into any) {
		if err := yaml.UnmarshalStrict(doc, into); err != nil {
			t.Fatalf("%s: %s: %v", file, meta.Kind, err)
		}
	}
	switch meta.Kind {
	case "":
		// an empty document
	case "Agent":
		a := &orqv1alpha1.Agent{}
		decode(a)
		s.agents[a.Name] = a
	case "Tool":
		tool := &orqv1alpha1.Tool{}
		decode(tool)
		s.tools[tool.Name] = tool
	case "KnowledgeBase":
		kb := &orqv1alpha1.KnowledgeBase{}
		decode(kb)
		s.knowledgeBases[kb.Name] = true
	case "MemoryStore":
		ms := &orqv1alpha1.MemoryStore{}
		decode(ms)
		s.memoryStores[ms.Name] = true
	case "AgentSchedule":
		schedule := &orqv1alpha1.AgentSchedule{}
		decode(schedule)
		s.schedules[schedule.Name] = schedule
	case "Secret":
		secret := &corev1.Secret{}
		decode(secret)
		keys := map[string]bool{}
		for k := range secret.Data {
			keys[k] = true
		}
		for k := range secret.StringData {
			keys[k] = true
		}
		s.secretKeys[secret.Name] = keys
	default:
		t.Errorf("%s: a %s: no check knows its references", file, meta.Kind)
	}
}
