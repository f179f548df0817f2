package main

import (
	"bytes"
	"fmt"
	"path"
	"strings"
)

// readingAnchor is the anchor of the index's explanation of the tables, which every page links to.
const readingAnchor = "how-to-read-the-tables"

// renderIndex writes the page listing every kind; pages is the link to the directory of their
// pages.
func renderIndex(crds []*crd, pages string) []byte {
	w := &bytes.Buffer{}
	fmt.Fprintf(w, "%s\n\n# API reference\n\n", generatedMark)
	fmt.Fprintf(w, "The kinds the operator manages, one page each. A page lists every field of its kind, from the\n"+
		"CRD manifest (`config/crd/bases/`) that controller-gen generates from the Go types in `api/`: it is\n"+
		"exactly what the apiserver enforces, and `kubectl explain` shows the same descriptions.\n\n")
	fmt.Fprintf(w, "| kind | group | versions | short names | |\n| --- | --- | --- | --- | --- |\n")
	for _, c := range crds {
		n := c.Spec.Names
		var versions []string
		for _, v := range c.Spec.Versions {
			versions = append(versions, v.Name)
		}
		fmt.Fprintf(w, "| [%s](%s) | %s | %s | %s | %s |\n", n.Kind, path.Join(pages, c.pageName()),
			code(c.Spec.Group), codeList(versions), codeList(n.ShortNames), cell(text(c.summary())))
	}
	fmt.Fprintf(w, "\n<a id=\"%s\"></a>\n\n## How to read the tables\n\n", readingAnchor)
	fmt.Fprintf(w, "%s\n", strings.Join([]string{
		"A field's path starts at the object (`spec.path`); `[]` stands for every item of a list",
		"(`spec.settings.tools[].type`) and `.*` for every value of a map. *Validation* holds the OpenAPI",
		"constraints in their schema names, which are also the words of the apiserver's error messages.",
		"*Rules* are CEL expressions (`x-kubernetes-validations`) evaluated by the apiserver on the object",
		"they are listed under (`self`); when one is false, the request is refused with its message. A rule",
		"that uses `oldSelf` is a transition rule: it is only checked on updates.",
	}, "\n"))
	return w.Bytes()
}
