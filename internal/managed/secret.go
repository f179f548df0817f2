package managed

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"slices"
	"sort"

	"github.com/orq-ai/orq-operator/internal/orqclient"
)

// Secret is a value read from a Secret, placed in a request body. It is sent as its wire form,
// but hashed (status.appliedHash, the create marker) as the Secret's identity and version, never
// as the value: a hash of a weak secret next to the rest of the body could be brute-forced. Its
// fields are unexported, so that it prints as nothing useful in any log.
type Secret struct {
	source, version, value string
	wire                   any
}

// MarshalJSON sends the wire form: what orq is to receive.
func (s Secret) MarshalJSON() ([]byte, error) { return json.Marshal(s.wire) }

// String never shows the value.
func (s Secret) String() string { return "secret:" + s.source }

// Hash identifies a request body: equal bodies have equal hashes. A Secret counts as its source
// and version. For a body without Secrets it is agentdiff.Hash's: sha256 of the canonical JSON,
// 16 hex digits.
func Hash(body orqclient.Body) string {
	raw, err := json.Marshal(sealed(body))
	if err != nil {
		return ""
	}
	sum := sha256.Sum256(raw)
	return hex.EncodeToString(sum[:8])
}

// sealed is v with each Secret replaced by its source and version.
func sealed(v any) any {
	switch t := v.(type) {
	case Secret:
		return "secret:" + t.source + "@" + t.version
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, e := range t {
			out[k] = sealed(e)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = sealed(e)
		}
		return out
	}
	return v
}

// secretFields lists, sorted, the top-level fields of a body that carry Secrets.
func secretFields(body orqclient.Body) []string {
	var out []string
	for k, v := range body {
		if carries(v) {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// secretsHash identifies the versions of the Secrets a body carries ("" for none): when it
// changes, the fields that carry them are sent again, orq's echo not showing their values.
func secretsHash(body orqclient.Body) string {
	var versions []string
	walk(body, func(s Secret) { versions = append(versions, s.source+"@"+s.version) })
	if len(versions) == 0 {
		return ""
	}
	slices.Sort(versions)
	raw, _ := json.Marshal(versions)
	sum := sha256.Sum256(raw)
	return hex.EncodeToString(sum[:8])
}

// secretValues lists the values a body carries, so that no error message repeats one.
func secretValues(body orqclient.Body) []string {
	var out []string
	walk(body, func(s Secret) { out = append(out, s.value) })
	return out
}

func carries(v any) bool {
	found := false
	walk(v, func(Secret) { found = true })
	return found
}

func walk(v any, each func(Secret)) {
	switch t := v.(type) {
	case Secret:
		each(t)
	case map[string]any:
		for _, e := range t {
			walk(e, each)
		}
	case []any:
		for _, e := range t {
			walk(e, each)
		}
	}
}
