package orqmem

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Server-side defaults of the agent response.
const (
	initialVersion    = "1.0.0"
	defaultStatus     = "live"
	defaultEngine     = "text"
	agentType         = "internal"
	timestampLayout   = "2006-01-02T15:04:05.000Z07:00"
	defaultSampleRate = 50
	defaultRetryCount = 3
)

// placeholderPattern matches {{name}} and {{ name }} template variables.
var placeholderPattern = regexp.MustCompile(`\{\{\s*([A-Za-z_][A-Za-z0-9_.-]*)\s*\}\}`)

// agentRecord is one stored agent.
type agentRecord struct {
	// doc is the agent in the retrieve-response shape. Numbers are
	// json.Number values.
	doc map[string]any
	// givenVars are the variables the client sent last; the response
	// variables are these merged over the instruction placeholders.
	givenVars map[string]any
	// versions are the versions the agent ever had, oldest first: the one
	// it was created at and each published by an update's
	// versionIncrement. A schedule's agent_tag names one of them.
	versions []string
}

// id returns the agent's _id.
func (r *agentRecord) id() string {
	s, _ := r.doc["_id"].(string)
	return s
}

// renderer turns request bodies into response documents.
type renderer struct {
	newID func() string
	// resolveTool returns what a settings.tools item echoes of the tool it
	// names (see Server.resolveTool).
	resolveTool func(in map[string]any) (toolRef, error)
}

// newDoc builds the server-generated fields of a new agent.
func newDoc(id, key, projectID string, now time.Time) map[string]any {
	ts := formatTime(now)
	return map[string]any{
		"_id":           id,
		"key":           key,
		"project_id":    projectID,
		"created_by_id": nil,
		"updated_by_id": nil,
		"created":       ts,
		"updated":       ts,
		"status":        defaultStatus,
		"version":       initialVersion,
		"type":          agentType,
		"metrics":       map[string]any{"total_cost": json.Number("0")},
	}
}

// formatTime renders t as RFC 3339 in UTC with millisecond precision.
func formatTime(t time.Time) string { return t.UTC().Format(timestampLayout) }

// apply copies the fields present in req into rec. With create set, absent
// optional fields get their server defaults; otherwise (PATCH) absent fields
// are left untouched and present ones replace the stored value wholesale.
// It fails when a tool reference names no consistent tool.
func (rd renderer) apply(rec *agentRecord, req map[string]any, create bool) error {
	doc := rec.doc
	// path and project_id arrive resolved (see Server.create and place).
	echo := []string{"display_name", "role", "description", "instructions", "path"}
	if create {
		echo = append(echo, "source")
	} else {
		echo = append(echo, "project_id")
	}
	for _, f := range echo {
		if v, ok := req[f]; ok {
			doc[f] = v
		}
	}
	setOrDefault(doc, req, "system_prompt", nil, create)
	setOrDefault(doc, req, "engine", defaultEngine, create)
	for _, f := range []string{"memory_stores", "team_of_agents", "knowledge_bases"} {
		setOrDefault(doc, req, f, []any{}, create)
	}
	if v, ok := req["skills"]; ok || create {
		if v == nil {
			v = []any{}
		}
		doc["skills"] = v
	}
	rd.applyVariables(rec, req, create)
	if s, ok := req["settings"].(map[string]any); ok {
		settings, err := rd.settings(s)
		if err != nil {
			return err
		}
		doc["settings"] = settings
	}
	rd.applyModel(doc, req)
	return nil
}

// setOrDefault sets doc[f] from req, or to def when creating and absent.
func setOrDefault(doc, req map[string]any, f string, def any, create bool) {
	if v, ok := req[f]; ok {
		doc[f] = v
	} else if create {
		doc[f] = def
	}
}

// applyVariables recomputes the response variables when the instructions or
// the variables change.
func (rd renderer) applyVariables(rec *agentRecord, req map[string]any, create bool) {
	given, hasVars := req["variables"]
	_, hasInstr := req["instructions"]
	if hasVars {
		rec.givenVars, _ = given.(map[string]any)
	}
	if !create && !hasVars && !hasInstr {
		return
	}
	instructions, _ := rec.doc["instructions"].(string)
	rec.doc["variables"] = mergeVariables(instructions, rec.givenVars)
}

// mergeVariables returns the placeholders of instructions (value "") with the
// given variables merged over them.
func mergeVariables(instructions string, given map[string]any) map[string]any {
	out := map[string]any{}
	for _, m := range placeholderPattern.FindAllStringSubmatch(instructions, -1) {
		out[m[1]] = ""
	}
	for k, v := range given {
		out[k] = v
	}
	return out
}

// settings renders the settings object with server defaults.
func (rd renderer) settings(in map[string]any) (map[string]any, error) {
	out := map[string]any{
		"max_execution_time":     json.Number("600"),
		"max_iterations":         json.Number("100"),
		"max_cost":               json.Number("0"),
		"tool_approval_required": "respect_tool",
	}
	for _, f := range []string{"max_execution_time", "max_iterations", "max_cost", "tool_approval_required", "chat_exposed"} {
		if v, ok := in[f]; ok {
			out[f] = v
		}
	}
	tools := []any{}
	items, _ := in["tools"].([]any)
	for i, t := range items {
		tool, err := rd.tool(t.(map[string]any))
		if err != nil {
			return nil, fieldPath("settings.tools").index(i).fail("%v", err)
		}
		tools = append(tools, tool)
	}
	out["tools"] = tools
	for _, f := range []string{"evaluators", "guardrails"} {
		if items, ok := in[f].([]any); ok {
			out[f] = withSampleRate(items)
		}
	}
	return out, nil
}

// tool renders one tool input as the stored tool, with the id, key and
// type of the tool it names.
func (rd renderer) tool(in map[string]any) (map[string]any, error) {
	ref, err := rd.resolveTool(in)
	if err != nil {
		return nil, err
	}
	actionType, key := ref.actionType, ref.key
	requiresApproval, ok := in["requires_approval"].(bool)
	if !ok {
		requiresApproval = false
	}
	out := map[string]any{
		"id":                ref.id,
		"action_type":       actionType,
		"requires_approval": requiresApproval,
		"conditions":        []any{},
	}
	if key != "" {
		out["key"] = key
	}
	for _, f := range []string{"tool_id", "configuration", "timeout"} {
		if v, ok := in[f]; ok {
			out[f] = v
		}
	}
	if actionType == fileSystemToolType {
		out["configuration"] = fileSystemConfig(in["configuration"])
	}
	return out, nil
}

// withSampleRate copies evaluator/guardrail items, defaulting sample_rate.
func withSampleRate(items []any) []any {
	out := make([]any, 0, len(items))
	for _, it := range items {
		m := copyMap(it.(map[string]any))
		if _, ok := m["sample_rate"]; !ok {
			m["sample_rate"] = json.Number(strconv.Itoa(defaultSampleRate))
		}
		out = append(out, m)
	}
	return out
}

// applyModel renders model and fallback_models into doc["model"]. A new
// model keeps the stored fallback models unless fallback_models is sent too.
func (rd renderer) applyModel(doc, req map[string]any) {
	rawModel, hasModel := req["model"]
	fallbacks, hasFallbacks := req["fallback_models"]
	if !hasModel && !hasFallbacks {
		return
	}
	previous, _ := doc["model"].(map[string]any)
	var model map[string]any
	if hasModel {
		model = renderModel(rawModel)
		if fb, ok := previous["fallback_models"]; ok && !hasFallbacks {
			model["fallback_models"] = fb
		}
	} else {
		model = copyMap(previous)
	}
	if hasFallbacks {
		if fallbacks == nil {
			delete(model, "fallback_models")
		} else {
			model["fallback_models"] = fallbacks
		}
	}
	doc["model"] = model
}

// renderModel turns a model id or model object into the stored model object.
func renderModel(v any) map[string]any {
	if id, ok := v.(string); ok {
		return map[string]any{"id": id}
	}
	in := v.(map[string]any)
	out := map[string]any{
		"id":             in["id"],
		"integration_id": nil,
		"parameters":     nil,
	}
	if p, ok := in["parameters"]; ok {
		out["parameters"] = p
	}
	if r, ok := in["retry"].(map[string]any); ok {
		retry := copyMap(r)
		if _, ok := retry["count"]; !ok {
			retry["count"] = json.Number(strconv.Itoa(defaultRetryCount))
		}
		out["retry"] = retry
	}
	return out
}

// bumpVersion increments the major, minor or patch part of a semantic
// version; an unparsable version is treated as 1.0.0.
func bumpVersion(version, part string) string {
	nums := [3]int{1, 0, 0}
	if fields := strings.SplitN(version, ".", 3); len(fields) == 3 {
		for i, f := range fields {
			n, err := strconv.Atoi(f)
			if err != nil {
				nums = [3]int{1, 0, 0}
				break
			}
			nums[i] = n
		}
	}
	switch part {
	case "major":
		nums = [3]int{nums[0] + 1, 0, 0}
	case "minor":
		nums = [3]int{nums[0], nums[1] + 1, 0}
	case "patch":
		nums[2]++
	}
	return fmt.Sprintf("%d.%d.%d", nums[0], nums[1], nums[2])
}

// copyMap returns a shallow copy of m (nil stays an empty map).
func copyMap(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// deepCopy returns an independent copy of a JSON document, with numbers as
// json.Number.
func deepCopy(doc map[string]any) (map[string]any, error) {
	raw, err := json.Marshal(doc)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var out map[string]any
	if err := dec.Decode(&out); err != nil {
		return nil, err
	}
	return out, nil
}
