package main

import (
	"bytes"
	"fmt"
	"strings"
)

// section is an object whose fields are listed in a table of their own.
type section struct {
	path string
	s    *schema
}

// sections lists, depth first and by field name, every object that has properties.
func sections(path string, s *schema, out []section) []section {
	switch {
	case len(s.Properties) > 0:
		out = append(out, section{path, s})
		for _, name := range sortedKeys(s.Properties) {
			out = sections(join(path, name), s.Properties[name], out)
		}
	case s.Items != nil:
		out = sections(path+"[]", s.Items, out)
	case s.values != nil:
		out = sections(path+".*", s.values, out)
	}
	return out
}

// target is the section documenting the fields below s, or "".
func target(path string, s *schema) string {
	switch {
	case len(s.Properties) > 0:
		return path
	case s.Items != nil:
		return target(path+"[]", s.Items)
	case s.values != nil:
		return target(path+".*", s.values)
	}
	return ""
}

func anchor(path string) string {
	if path == "" {
		return "root"
	}
	return path
}

func renderVersion(w *bytes.Buffer, v version) error {
	root, err := decodeSchema(v.Schema.OpenAPIV3Schema, "")
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "## Version %s\n\n", code(v.Name))
	if v.DeprecationWarning != nil {
		fmt.Fprintf(w, "Deprecated: %s\n\n", text(*v.DeprecationWarning))
	}
	if len(v.Columns) > 0 {
		fmt.Fprintf(w, "### Columns of `kubectl get`\n\n")
		fmt.Fprintf(w, "Columns with a priority above 0 are only shown with `-o wide`.\n\n")
		fmt.Fprintf(w, "| column | JSONPath | type | shown | description |\n| --- | --- | --- | --- | --- |\n")
		for _, c := range v.Columns {
			shown := "always"
			if c.Priority > 0 {
				shown = fmt.Sprintf("`-o wide` (priority %d)", c.Priority)
			}
			typ := c.Type
			if c.Format != "" {
				typ += " (" + c.Format + ")"
			}
			fmt.Fprintf(w, "| %s | %s | %s | %s | %s |\n", c.Name, code(c.JSONPath), typ, shown, text(c.Description))
		}
		fmt.Fprintln(w)
	}
	for _, sec := range sections("", root, nil) {
		renderSection(w, sec)
	}
	return nil
}

func renderSection(w *bytes.Buffer, sec section) {
	title := "`" + sec.path + "`"
	if sec.path == "" {
		title = "The object"
	}
	fmt.Fprintf(w, "<a id=\"%s\"></a>\n\n### %s\n\n", anchor(sec.path), title)
	if d := text(sec.s.Description); d != "" {
		fmt.Fprintf(w, "%s\n\n", d)
	}
	var notes []string
	if t := typeOf(sec.s); t != "object" {
		notes = append(notes, "Type: "+t+".")
	}
	if v := constraints(sec.s); len(v) > 0 {
		notes = append(notes, "Validation: "+strings.Join(v, "; ")+".")
	}
	if len(notes) > 0 {
		fmt.Fprintf(w, "%s\n\n", strings.Join(notes, " "))
	}
	if len(sec.s.Validations) > 0 {
		fmt.Fprintf(w, "Rules on %s:\n\n", selfName(sec.path))
		fmt.Fprintf(w, "| rule | message |\n| --- | --- |\n")
		for _, r := range sec.s.Validations {
			fmt.Fprintf(w, "| %s | %s |\n", cell(code(r.Rule)+ruleNotes(r)), cell(ruleMessage(r)))
		}
		fmt.Fprintln(w)
	}
	required := map[string]bool{}
	for _, r := range sec.s.Required {
		required[r] = true
	}
	fmt.Fprintf(w, "| field | type | required | default | validation | description |\n")
	fmt.Fprintf(w, "| --- | --- | --- | --- | --- | --- |\n")
	for _, name := range sortedKeys(sec.s.Properties) {
		p := sec.s.Properties[name]
		path := join(sec.path, name)
		req := "optional"
		if required[name] {
			req = "**required**"
		}
		typ := typeOf(p)
		if t := target(path, p); t != "" {
			typ = "[" + typ + "](#" + anchor(t) + ")"
		}
		val := fieldConstraints(path, p)
		desc := text(p.Description)
		if desc == "" && path == "metadata" {
			desc = "Standard Kubernetes object metadata."
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s |\n",
			cell(code(path)), cell(typ), req, cell(defaultOf(p)), cell(strings.Join(val, "<br>")), cell(desc))
	}
	fmt.Fprintln(w)
}

func selfName(path string) string {
	if path == "" {
		return "the whole object (`self` is the Agent: `self.spec`, `self.metadata`)"
	}
	return code(path) + " (`self`)"
}

func ruleNotes(r rule) string {
	var notes []string
	if strings.Contains(r.Rule, "oldSelf") {
		if r.OptionalOldSelf != nil && *r.OptionalOldSelf {
			notes = append(notes, "transition rule, also checked on create (`optionalOldSelf`)")
		} else {
			notes = append(notes, "transition rule: checked on updates only")
		}
	}
	if r.FieldPath != "" {
		notes = append(notes, "reported on "+code(r.FieldPath))
	}
	if r.Reason != "" {
		notes = append(notes, "reason "+code(r.Reason))
	}
	if len(notes) == 0 {
		return ""
	}
	return "<br>(" + strings.Join(notes, "; ") + ")"
}

func ruleMessage(r rule) string {
	switch {
	case r.MessageExpression != "" && r.Message != "":
		return text(r.Message) + " (message expression: " + code(r.MessageExpression) + ")"
	case r.MessageExpression != "":
		return "message expression: " + code(r.MessageExpression)
	case r.Message != "":
		return text(r.Message)
	}
	return "(no message: the apiserver reports the rule)"
}
