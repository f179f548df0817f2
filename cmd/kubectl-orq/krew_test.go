package main

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"
)

// The krew manifest is checked as krew reads it. sigs.k8s.io/krew is on the module proxy, but its
// validation is internal (internal/index/validation) and its go.mod requires
// k8s.io/client-go v11.0.0+incompatible, which would replace the pinned client-go: so the manifest
// is decoded strictly into the fields krew documents (pkg/index types) and checked against the
// rules of krew's ValidatePlugin.

const krewManifest = "../../deploy/krew/orq.yaml"

// krewPlugin and what it holds are the fields of krew's index.Plugin
// (krew.googlecontainertools.github.com/v1alpha2).
type krewPlugin struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Metadata   struct {
		Name string `json:"name"`
	} `json:"metadata"`
	Spec struct {
		Version          string         `json:"version,omitempty"`
		ShortDescription string         `json:"shortDescription,omitempty"`
		Description      string         `json:"description,omitempty"`
		Caveats          string         `json:"caveats,omitempty"`
		Homepage         string         `json:"homepage,omitempty"`
		Platforms        []krewPlatform `json:"platforms,omitempty"`
	} `json:"spec"`
}

type krewPlatform struct {
	URI      string                `json:"uri,omitempty"`
	Sha256   string                `json:"sha256,omitempty"`
	Selector *metav1.LabelSelector `json:"selector,omitempty"`
	Files    []struct {
		From string `json:"from,omitempty"`
		To   string `json:"to,omitempty"`
	} `json:"files"`
	Bin string `json:"bin"`
}

var (
	krewName    = regexp.MustCompile(`^[\w-]+$`)
	krewSHA256  = regexp.MustCompile(`^[a-f0-9]{64}$`)
	krewVersion = regexp.MustCompile(`^v\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$`)
	windowsName = []string{"CON", "PRN", "AUX", "NUL", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8", "COM9",
		"LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9"}
)

// readKrewPlugin decodes a manifest as krew does, refusing fields krew does not know.
func readKrewPlugin(raw []byte) (*krewPlugin, error) {
	var p krewPlugin
	if err := yaml.UnmarshalStrict(raw, &p); err != nil {
		return nil, err
	}
	return &p, nil
}

// validateKrewPlugin applies krew's rules to the manifest of the plugin name (its file name).
func validateKrewPlugin(name string, p *krewPlugin) error {
	switch {
	case p.APIVersion != "krew.googlecontainertools.github.com/v1alpha2":
		return fmt.Errorf("apiVersion %q is not krew's", p.APIVersion)
	case p.Kind != "Plugin":
		return fmt.Errorf("kind %q, want Plugin", p.Kind)
	case !krewName.MatchString(name) || slices.ContainsFunc(windowsName, func(w string) bool { return strings.EqualFold(w, name) }):
		return fmt.Errorf("the plugin name %q is not allowed", name)
	case p.Metadata.Name != name:
		return fmt.Errorf("plugin should be named %q, not %q", name, p.Metadata.Name)
	case p.Spec.ShortDescription == "":
		return errors.New("should have a short description")
	case strings.ContainsAny(p.Spec.ShortDescription, "\r\n"):
		return errors.New("should not have line breaks in short description")
	case len(p.Spec.Platforms) == 0:
		return errors.New("should have a platform specified")
	case !krewVersion.MatchString(p.Spec.Version):
		return fmt.Errorf("version %q is not a semantic version with a leading v", p.Spec.Version)
	}
	for i, pl := range p.Spec.Platforms {
		if err := validateKrewPlatform(pl); err != nil {
			return fmt.Errorf("platforms[%d]: %w", i, err)
		}
	}
	return nil
}

func validateKrewPlatform(p krewPlatform) error {
	switch {
	case p.URI == "":
		return errors.New("`uri` has to be set")
	case !krewSHA256.MatchString(p.Sha256):
		return fmt.Errorf("`sha256` value %q is not valid", p.Sha256)
	case p.Bin == "":
		return errors.New("`bin` has to be set")
	case p.Files != nil && len(p.Files) == 0:
		return errors.New("`files` has to be unspecified or non-empty")
	case p.Selector == nil || len(p.Selector.MatchLabels) == 0 && len(p.Selector.MatchExpressions) == 0:
		return errors.New("a platform needs a selector that is not empty")
	}
	for _, f := range p.Files {
		if f.From == "" || f.To == "" {
			return errors.New("`files` need `from` and `to`")
		}
	}
	for k := range p.Selector.MatchLabels {
		if k != "os" && k != "arch" {
			return fmt.Errorf("selector key %q not supported", k)
		}
	}
	for _, e := range p.Selector.MatchExpressions {
		if e.Key != "os" && e.Key != "arch" {
			return fmt.Errorf("selector key %q not supported", e.Key)
		}
	}
	return nil
}

// released is the manifest as the release job fills it in: hack/krew-manifest.sh run on an
// archive for each platform.
func released(t *testing.T, version string) []byte {
	t.Helper()
	dir := t.TempDir()
	for _, os_ := range []string{"linux", "darwin"} {
		for _, arch := range []string{"amd64", "arm64"} {
			name := fmt.Sprintf("kubectl-orq_%s_%s_%s.tar.gz", version, os_, arch)
			if err := os.WriteFile(filepath.Join(dir, name), []byte(name), 0o600); err != nil {
				t.Fatal(err)
			}
		}
	}
	out, err := exec.Command("../../hack/krew-manifest.sh", version, dir).Output()
	if err != nil {
		t.Fatalf("hack/krew-manifest.sh: %v", err)
	}
	return out
}

// The manifest as a release publishes it is one krew installs: krew's rules hold, each of
// linux and darwin on amd64 and arm64 has its own archive of this version with its own sum, and
// each installs the kubectl-orq binary.
func TestKrewManifestOfARelease(t *testing.T) {
	const version = "v1.2.3"
	p, err := readKrewPlugin(released(t, version))
	if err != nil {
		t.Fatal(err)
	}
	if err := validateKrewPlugin(strings.TrimSuffix(filepath.Base(krewManifest), ".yaml"), p); err != nil {
		t.Fatal(err)
	}
	if p.Spec.Version != version {
		t.Errorf("version %q, want %q", p.Spec.Version, version)
	}
	var seen []string
	for _, pl := range p.Spec.Platforms {
		os_, arch := pl.Selector.MatchLabels["os"], pl.Selector.MatchLabels["arch"]
		seen = append(seen, os_+"/"+arch)
		archive := fmt.Sprintf("kubectl-orq_%s_%s_%s.tar.gz", version, os_, arch)
		sum := sha256.Sum256([]byte(archive))
		if want := "https://github.com/orq-ai/orq-operator/releases/download/" + version + "/" + archive; pl.URI != want {
			t.Errorf("%s/%s: uri %q, want %q", os_, arch, pl.URI, want)
		}
		if pl.Sha256 != hex.EncodeToString(sum[:]) {
			t.Errorf("%s/%s: sha256 %s is not the sum of its archive", os_, arch, pl.Sha256)
		}
		if pl.Bin != "kubectl-orq" || len(pl.Files) != 1 || pl.Files[0].From != "kubectl-orq" {
			t.Errorf("%s/%s: bin %q, files %+v; want the kubectl-orq binary", os_, arch, pl.Bin, pl.Files)
		}
	}
	slices.Sort(seen)
	if want := []string{"darwin/amd64", "darwin/arm64", "linux/amd64", "linux/arm64"}; !slices.Equal(seen, want) {
		t.Errorf("platforms %v, want %v", seen, want)
	}
}

// The manifest in the repository holds placeholders only where the release fills them in, and
// krew refuses it as it is (no sum), so that nobody installs it unfilled.
func TestKrewManifestPlaceholders(t *testing.T) {
	raw, err := os.ReadFile(krewManifest)
	if err != nil {
		t.Fatal(err)
	}
	var found []string
	for _, m := range regexp.MustCompile(`\$\{([A-Z0-9_]+)\}`).FindAllStringSubmatch(string(raw), -1) {
		if !slices.Contains(found, m[1]) {
			found = append(found, m[1])
		}
	}
	slices.Sort(found)
	want := []string{"SHA256_DARWIN_AMD64", "SHA256_DARWIN_ARM64", "SHA256_LINUX_AMD64", "SHA256_LINUX_ARM64", "VERSION"}
	if !slices.Equal(found, want) {
		t.Errorf("placeholders %v, want %v", found, want)
	}
	p, err := readKrewPlugin(raw)
	if err != nil {
		t.Fatal(err)
	}
	if err := validateKrewPlugin("orq", p); err == nil {
		t.Error("krew's rules accept the manifest with its placeholders")
	}
}

// The checks refuse what krew refuses.
func TestKrewChecksRefuseBrokenManifests(t *testing.T) {
	good := string(released(t, "v0.1.0"))
	for _, c := range []struct{ name, from, to, want string }{
		{"another name", "name: orq", "name: orq-operator", `plugin should be named "orq"`},
		{"an unknown field", "  homepage:", "  website:", `unknown field "website"`},
		{"a short description on two lines", "shortDescription: Plan, export and run the orq.ai agents of orq-operator", `shortDescription: "Plan,\nexport"`, "line breaks"},
		{"no sha256", "    sha256: ", "    sha: ", `unknown field "sha"`},
		{"no version", "version: v0.1.0", "version: 0.1.0", "not a semantic version"},
		{"a selector key krew does not know", "{os: linux, arch: amd64}", "{os: linux, platform: amd64}", `selector key "platform" not supported`},
		{"no bin", "    bin: kubectl-orq\n  - selector", "  - selector", "`bin` has to be set"},
		{"another kind", "kind: Plugin", "kind: Plugins", `kind "Plugins"`},
	} {
		broken := strings.Replace(good, c.from, c.to, 1)
		if broken == good {
			t.Fatalf("%s: %q is not in the manifest", c.name, c.from)
		}
		p, err := readKrewPlugin([]byte(broken))
		if err == nil {
			err = validateKrewPlugin("orq", p)
		}
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want an error with %q", c.name, err, c.want)
		}
	}
}
