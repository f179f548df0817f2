package main

import (
	"fmt"
	"regexp"
	"strings"
	"unicode"
)

// problem is a description that does not read as prose or says too little.
type problem struct {
	path string // the field, as in the API reference (spec.settings.tools[].type)
	msg  string
}

func (p problem) String() string {
	path := p.path
	if path == "" {
		path = "(the object)"
	}
	return path + ": " + p.msg
}

// lint checks every description of a CRD: each field has one, none keeps a hard wrap, none only
// restates its field's name, and the description of a field whose values are closed (an enum,
// or a CEL rule `self.field in [...]`) names each value.
func lint(crd map[string]any) []problem {
	var out []problem
	kind := kindOf(crd)
	schemas(crd, func(n *node) {
		if n.parent != nil && n.path == n.parent.path {
			return // a member of allOf/anyOf/oneOf: described by its field
		}
		desc, _ := n.schema["description"].(string)
		if strings.TrimSpace(desc) == "" {
			if isField(n) && n.path != "metadata" {
				out = append(out, problem{n.path, "has no description: say what the field means and what it accepts"})
			}
			return
		}
		for _, line := range hardWraps(desc) {
			out = append(out, problem{n.path, fmt.Sprintf("line %d of the description continues its paragraph (a hard wrap, shown mid-sentence by kubectl explain): run `make manifests`", line)})
		}
		if isField(n) && restates(desc, n.path, kind) {
			out = append(out, problem{n.path, fmt.Sprintf("the description %q only restates the field's name: say what it means, accepts or does", desc)})
		}
	})
	schemas(crd, func(n *node) {
		if n.parent != nil && n.path == n.parent.path {
			return
		}
		if missing := unnamedValues(n); len(missing) > 0 {
			out = append(out, problem{n.path, "the description does not name the accepted values " + strings.Join(missing, ", ")})
		}
	})
	return out
}

// isField tells whether a schema is a property of an object (not the root, an item or a value).
func isField(n *node) bool {
	return n.parent != nil && !strings.HasSuffix(n.path, "[]") && !strings.HasSuffix(n.path, ".*")
}

// filler are words that add nothing to a field's name.
var filler = map[string]bool{}

func init() {
	for _, w := range strings.Fields("a an the of this that these those its it is are be to for in on at by " +
		"with and or as from any each if whether which what used use value object field data setting") {
		filler[stem(w)] = true
	}
}

// restates tells whether a description says nothing but the words of its field's path and kind
// ("The tool type." for spec.settings.tools[].type), and filler.
func restates(desc, path, kind string) bool {
	names := map[string]bool{}
	for _, w := range words(path + " " + kind) {
		names[w] = true
	}
	for _, w := range words(desc) {
		if !filler[w] && !names[w] {
			return false
		}
	}
	return true
}

// words are the stemmed, lower-case words of s, camelCase split ("apiKeySecretRef" gives api, key,
// secret, ref).
func words(s string) []string {
	var out []string
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		for _, w := range splitCamel(f) {
			out = append(out, stem(strings.ToLower(w)))
		}
	}
	return out
}

func splitCamel(s string) []string {
	var out []string
	start := 0
	rs := []rune(s)
	for i := 1; i < len(rs); i++ {
		if unicode.IsUpper(rs[i]) && (unicode.IsLower(rs[i-1]) || i+1 < len(rs) && unicode.IsLower(rs[i+1])) {
			out = append(out, string(rs[start:i]))
			start = i
		}
	}
	return append(out, string(rs[start:]))
}

// stem folds the forms of a word that a name and its description may use for one idea
// (tools/tool, balancer/balancing).
func stem(w string) string {
	if strings.HasSuffix(w, "ies") && len(w) > 4 {
		w = strings.TrimSuffix(w, "ies") + "y"
	} else if strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "ss") && len(w) > 3 {
		w = strings.TrimSuffix(w, "s")
	}
	for _, suffix := range []string{"ing", "er", "ed"} {
		if strings.HasSuffix(w, suffix) && len(w)-len(suffix) >= 4 {
			return strings.TrimSuffix(w, suffix)
		}
	}
	return w
}

// inRule is a CEL rule that closes a field to a list of values: self.field in ['a', 'b', ...].
var inRule = regexp.MustCompile(`^self\.([A-Za-z0-9_]+) in \[([^\]]*)\]`)

// unnamedValues are the accepted values of a closed field that its description does not name.
// An item's or value's values may be named by the list's or map's description.
func unnamedValues(n *node) []string {
	values := enumValues(n.schema)
	if n.parent != nil && isField(n) {
		field := n.path[strings.LastIndex(n.path, ".")+1:]
		rules, _ := n.parent.schema["x-kubernetes-validations"].([]any)
		for _, r := range rules {
			rule, _ := dig(r, "rule").(string)
			if m := inRule.FindStringSubmatch(rule); m != nil && m[1] == field {
				for _, v := range strings.Split(m[2], ",") {
					values = append(values, strings.Trim(strings.TrimSpace(v), `'"`))
				}
			}
		}
	}
	if len(values) == 0 {
		return nil
	}
	text, _ := n.schema["description"].(string)
	if n.parent != nil && !isField(n) {
		d, _ := n.parent.schema["description"].(string)
		text += "\n" + d
	}
	var missing []string
	for _, v := range values {
		if !mentions(text, v) {
			missing = append(missing, "`"+v+"`")
		}
	}
	return missing
}

func enumValues(s map[string]any) []string {
	list, _ := s["enum"].([]any)
	out := make([]string, 0, len(list))
	for _, v := range list {
		out = append(out, fmt.Sprint(v))
	}
	return out
}

// mentions tells whether text holds value as a word of its own (not inside a longer word or
// identifier: none is not in nonempty).
func mentions(text, value string) bool {
	inWord := func(b byte) bool { return b == '_' || isAlnum(b) }
	for i := 0; ; {
		j := strings.Index(text[i:], value)
		if j < 0 {
			return false
		}
		start, end := i+j, i+j+len(value)
		if (start == 0 || !inWord(text[start-1])) && (end == len(text) || !inWord(text[end])) {
			return true
		}
		i = start + 1
	}
}

func isAlnum(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9'
}
