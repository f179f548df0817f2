package export

import (
	"fmt"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
	toolkind "github.com/orq-ai/orq-operator/internal/kinds/tool"
	"github.com/orq-ai/orq-operator/internal/orqclient"
)

// toolExporter exports the custom tools.
var toolExporter = exporter{kind: "Tool", one: "tool", many: "tools", list: listAll(toolkind.Endpoint), export: exportTools}

// toolPayloads are the members of a tool that hold its payload, by the types the Tool kind
// manages (the inverse of the adapter's).
var toolPayloads = map[string]string{"function": "function", "json_schema": "json_schema", "http": "http", "code": "code_tool"}

// exportTools makes a Tool of each remote tool of a type the Tool kind manages; the others (an
// MCP server's tools) are left out, as is a tool holding a field the kind does not.
func exportTools(remotes []orqclient.Remote, done *exported) ([]Manifest, error) {
	names := newNamer("tool")
	var out []Manifest
	for _, r := range remotes {
		typ, _ := r.Raw["type"].(string)
		if _, ok := toolPayloads[typ]; !ok {
			done.skip("tool %s: of type %q, which the Tool kind does not manage (function, json_schema, http, code)", r.Key, typ)
			continue
		}
		name := names.name(r.Key)
		spec, notes, err := toolSpec(r.Raw, name, done.opts.Namespace)
		if err != nil {
			done.skip("tool %s: %v", r.Key, err)
			continue
		}
		t := &orqv1alpha1.Tool{TypeMeta: typeMeta("Tool"), ObjectMeta: done.meta(name), Spec: spec}
		out = append(out, Manifest{Object: t, Key: r.Key, ID: r.ID, Notes: notes})
	}
	return out, nil
}

// toolSpec is the spec whose request (the adapter's Desired) is what orq echoes for the tool: the
// display name left out when it is the key (orq's default), the payload of its type. A header
// orq keeps encrypted comes from a Secret (see httpSpec); the Tool then only observes.
func toolSpec(raw orqclient.Body, name, namespace string) (orqv1alpha1.ToolSpec, []string, error) {
	key, _ := raw["key"].(string)
	s := orqv1alpha1.ToolSpec{Key: key, Lifecycle: adopt()}
	s.Type, _ = raw["type"].(string)
	s.Path, _ = raw["path"].(string)
	s.Description, _ = raw["description"].(string)
	if dn, _ := raw["display_name"].(string); dn != key {
		s.DisplayName = dn
	}
	member := toolPayloads[s.Type]
	payload, ok := raw[member]
	if !ok || payload == nil {
		return s, nil, fmt.Errorf("no %s, the payload of its type", member)
	}
	var err error
	switch s.Type {
	case "function":
		err = decodeStrict(payload, &s.Function)
	case "json_schema":
		err = decodeStrict(payload, &s.JSONSchema)
	case "code":
		err = decodeStrict(payload, &s.CodeTool)
	case "http":
		var h *httpExport
		if h, err = httpSpec(payload, name); err == nil {
			s.HTTP = h.spec
			if len(h.secretKeys) > 0 {
				s.Lifecycle = observe()
				return s, headerNotes(h, namespace), nil
			}
		}
	}
	if err != nil {
		return s, nil, fmt.Errorf("%s: %w", member, err)
	}
	return s, nil, nil
}

// headerNotes tell what to do before applying a Tool whose header values come from a Secret.
func headerNotes(h *httpExport, namespace string) []string {
	var keys string
	var names []string
	for _, header := range sortedKeys(h.secretKeys) {
		k := h.secretKeys[header]
		keys += fmt.Sprintf(" %s (header %s)", k, header)
		names = append(names, k)
	}
	return []string{
		"Create Secret " + h.secret + " first: orq keeps these header values encrypted and never shows them, so they are not exported; its keys:" + keys + ".",
		"  " + createSecretCommand(h.secret, namespace, names...),
		"managementPolicy Observe: the operator cannot compare the Secret with orq's values. Remove it once the Secret holds them; the operator then sends them once.",
	}
}
