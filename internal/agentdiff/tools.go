package agentdiff

import (
	"maps"
	"slices"
	"strings"
)

// How the API echoes settings.tools: every tool comes back with an id, which is the pre-created
// tool's when the request named one and a generated one otherwise, with the pre-created tool's
// key added, and with server-only fields (see serverToolFields).

// customToolTypes reference a pre-created tool by key or id.
var customToolTypes = map[string]bool{"http": true, "code": true, "function": true, "json_schema": true, "mcp": true}

// serverToolFields are added by the API to each tool it returns.
var serverToolFields = []string{"conditions", "display_name", "description", "action_type"}

// namesPreCreatedTool tells whether a tool of this type can name a pre-created tool: custom
// tools, and provider tools (provider:name; the CRD checks the form), such as an
// openai:web_search tool created in orq beforehand.
func namesPreCreatedTool(typ string) bool {
	return customToolTypes[typ] || strings.Contains(typ, ":")
}

// canonicalizeTool leaves in a tool only what the request names: no server fields, no generated
// id, no default access mode.
func canonicalizeTool(tool Object) {
	for _, f := range serverToolFields {
		delete(tool, f)
	}
	typ, _ := tool["type"].(string)
	if typ == "" {
		typ = "http" // the API's default tool type
		tool["type"] = typ
	}
	// The id is the user's reference only for a tool that names a pre-created tool by id
	// alone; otherwise the API generates it. A key, when there is one, is the reference.
	if key, _ := tool["key"].(string); key != "" || !namesPreCreatedTool(typ) {
		delete(tool, "id")
	}
	canonicalizeFileSystem(tool)
}

// alignToolReferences returns observed without what the echo of each tool adds to the reference
// the spec's tool at the same position gives, so that the same tool compares equal: the id when
// the spec names none (it is the API's), the key the API adds to a tool named by id alone, and
// the like for a file system. A reference the spec gives is compared as it is.
func alignToolReferences(desired, observed Object) Object {
	want, _ := desired["settings"].(Object)
	have, _ := observed["settings"].(Object)
	wantTools, _ := want["tools"].([]any)
	haveTools, _ := have["tools"].([]any)
	var aligned []any
	for i := range min(len(wantTools), len(haveTools)) {
		w, _ := wantTools[i].(Object)
		h, _ := haveTools[i].(Object)
		if w == nil || h == nil {
			continue
		}
		tool := alignTool(w, h)
		if tool == nil {
			continue
		}
		if aligned == nil {
			aligned = slices.Clone(haveTools)
		}
		aligned[i] = tool
	}
	if aligned == nil {
		return observed
	}
	settings := maps.Clone(have)
	settings["tools"] = aligned
	out := maps.Clone(observed)
	out["settings"] = settings
	return out
}

// alignTool returns a copy of the observed tool h without what the desired tool w leaves to the
// API, or nil when nothing is to be left out.
func alignTool(w, h Object) Object {
	id, _ := w["id"].(string) // ids are strings; anything else is never aligned
	var drop []string
	if _, has := h["id"]; has && (w["id"] == nil || w["id"] == "") { // what Normalize prunes
		drop = append(drop, "id")
	}
	if w["key"] == nil && id != "" && h["id"] == any(id) && h["key"] != nil {
		drop = append(drop, "key")
	}
	cfg := alignFileSystem(w, h)
	if len(drop) == 0 && cfg == nil {
		return nil
	}
	tool := maps.Clone(h)
	for _, f := range drop {
		delete(tool, f)
	}
	if cfg != nil {
		tool["configuration"] = cfg
	}
	return tool
}

// alignFileSystem returns a copy of the observed file_system configuration without the
// reference the spec does not give, when the spec gives the other one: as for custom tools, the
// API may name the file system both ways. Nil when nothing is to be left out.
func alignFileSystem(w, h Object) Object {
	want, _ := w["configuration"].(Object)
	have, _ := h["configuration"].(Object)
	if w["type"] != fileSystemType || want == nil || have == nil {
		return nil
	}
	for _, ref := range [][2]string{{"file_system_key", "file_system_id"}, {"file_system_id", "file_system_key"}} {
		given, other := ref[0], ref[1]
		if want[given] != nil && want[other] == nil && have[other] != nil {
			cfg := maps.Clone(have)
			delete(cfg, other)
			return cfg
		}
	}
	return nil
}

// forEachTool calls f with each tool object of settings.tools.
func forEachTool(body Object, f func(Object)) {
	settings, _ := body["settings"].(Object)
	tools, _ := settings["tools"].([]any)
	for _, t := range tools {
		if tool, ok := t.(Object); ok {
			f(tool)
		}
	}
}

// A file_system tool's configuration is the spec's typed fileSystem (file_system once in the
// API's names); the API knows it as the tool's configuration.
const (
	fileSystemType  = "file_system"
	fileSystemField = "file_system"
)

// fileSystemToRequest moves a tool's file_system into its configuration.
func fileSystemToRequest(tool Object) {
	if fs, ok := tool[fileSystemField]; ok {
		tool["configuration"] = fs
		delete(tool, fileSystemField)
	}
}

// fileSystemToSpec moves a file_system tool's configuration into file_system, before the names
// are converted: unlike a free-form configuration, its keys are the schema's.
func fileSystemToSpec(tool Object) {
	if cfg, ok := tool["configuration"].(Object); ok && tool["type"] == fileSystemType {
		tool[fileSystemField] = cfg
		delete(tool, "configuration")
	}
}

// defaultAccessMode is the API's access_mode of a file_system tool.
const defaultAccessMode = "read_only"

// canonicalizeFileSystem drops the default access mode from a file_system tool's configuration.
func canonicalizeFileSystem(tool Object) {
	if cfg, ok := tool["configuration"].(Object); ok && tool["type"] == fileSystemType && cfg["access_mode"] == defaultAccessMode {
		delete(cfg, "access_mode")
	}
}
