package openapi

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// maxReported caps the number of violations rendered by SchemaError.Error.
const maxReported = 3

// printer renders jsonschema error kinds in English.
var printer = message.NewPrinter(language.English)

// Violation is one schema violation at a JSON location.
type Violation struct {
	// Path is the instance location in dotted form, e.g.
	// "settings.tools[0].type"; "(root)" for the document itself.
	Path string
	// Message describes the violated keyword, e.g. "maximum: got 3, want 2".
	Message string
}

// SchemaError reports that a payload does not match an OpenAPI schema.
// Violations are ordered most specific (deepest) first.
type SchemaError struct {
	What       string
	Violations []Violation
}

// Error renders the first few violations as "path: message" pairs.
func (e *SchemaError) Error() string {
	parts := make([]string, 0, maxReported+1)
	for i, v := range e.Violations {
		if i == maxReported {
			parts = append(parts, fmt.Sprintf("and %d more", len(e.Violations)-maxReported))
			break
		}
		parts = append(parts, v.Path+": "+v.Message)
	}
	return fmt.Sprintf("%s does not match the OpenAPI schema: %s", e.What, strings.Join(parts, "; "))
}

// newSchemaError flattens a jsonschema validation error into leaf violations.
func newSchemaError(what string, ve *jsonschema.ValidationError) *SchemaError {
	type leaf struct {
		depth int
		v     Violation
	}
	var leaves []leaf
	seen := map[Violation]bool{}
	var walk func(e *jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		if len(e.Causes) == 0 {
			v := Violation{Path: dottedPath(e.InstanceLocation), Message: e.ErrorKind.LocalizedString(printer)}
			if !seen[v] {
				seen[v] = true
				leaves = append(leaves, leaf{depth: len(e.InstanceLocation), v: v})
			}
			return
		}
		for _, c := range e.Causes {
			walk(c)
		}
	}
	walk(ve)
	sort.SliceStable(leaves, func(i, j int) bool { return leaves[i].depth > leaves[j].depth })
	out := &SchemaError{What: what, Violations: make([]Violation, len(leaves))}
	for i, l := range leaves {
		out.Violations[i] = l.v
	}
	return out
}

// dottedPath renders a JSON pointer token list as "a.b[0].c".
func dottedPath(tokens []string) string {
	if len(tokens) == 0 {
		return "(root)"
	}
	var sb strings.Builder
	for _, t := range tokens {
		if _, err := strconv.Atoi(t); err == nil {
			sb.WriteString("[" + t + "]")
			continue
		}
		if sb.Len() > 0 {
			sb.WriteByte('.')
		}
		sb.WriteString(t)
	}
	return sb.String()
}
