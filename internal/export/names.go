package export

import (
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation"
)

// namer names the exported objects of one kind, each name derived from its remote object's key
// and unique in the kind (numbered when two keys give one name).
type namer struct {
	fallback string // the name of a key that gives none: the kind, "knowledgebase"
	used     map[string]bool
}

func newNamer(fallback string) *namer { return &namer{fallback: fallback, used: map[string]bool{}} }

// name returns a name not given yet, derived from key.
func (n *namer) name(key string) string {
	base := objectName(key)
	if base == "" {
		base = n.fallback
	}
	name := base
	for i := 2; n.used[name]; i++ {
		name = withSuffix(base, fmt.Sprintf("-%d", i))
	}
	n.used[name] = true
	return name
}

// objectName derives a Kubernetes object name (a DNS subdomain) from a key: lower case, each
// character a name cannot hold ('_', a space) as '-', each '.'-separated part trimmed of '-' at
// its ends, empty parts dropped; "" when nothing is left. Keys of agents, tools and memory stores
// (letters and digits separated by '.', '_' or '-') only change case and '_'.
func objectName(key string) string {
	mapped := strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '.', r == '-':
			return r
		case r >= 'A' && r <= 'Z':
			return r - 'A' + 'a'
		}
		return '-'
	}, key)
	var parts []string
	for _, p := range strings.Split(mapped, ".") {
		if p = strings.Trim(p, "-"); p != "" {
			parts = append(parts, p)
		}
	}
	return withSuffix(strings.Join(parts, "."), "")
}

// withSuffix appends suffix to name, name cut so that both fit the bound of a name.
func withSuffix(name, suffix string) string {
	if max := validation.DNS1123SubdomainMaxLength - len(suffix); len(name) > max {
		name = strings.TrimRight(name[:max], ".-")
	}
	return name + suffix
}
