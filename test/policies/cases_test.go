package policies

import (
	"fmt"
	"strconv"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// settings are the parameters a rendering gives the policies.
type settings struct {
	labelKey      string
	maxIterations int64
	maxTools      int64
	maxCost       string // "": no limit
}

// componentDefaults are the settings of config/components/policies/policies.
var componentDefaults = settings{labelKey: "orq.ai/adoption-approved-by", maxIterations: 25, maxTools: 16}

// admission is a manifest and what the bound policies must do with it.
type admission struct {
	name string
	obj  *unstructured.Unstructured
	// refusedBy is the policy (file name) that refuses it, with message in its answer; "" when
	// every policy admits it.
	refusedBy, message string
}

func (a admission) refused() bool { return a.refusedBy != "" }

// admissions are the cases of every policy under s.
func admissions(s settings) []admission {
	var cases []admission
	for _, ns := range []string{prod, dev} {
		for _, o := range everyKind(ns) {
			cases = append(cases, admission{name: o.GetKind() + " keeping every policy, in " + ns, obj: o})
		}
	}
	for _, f := range []func(settings) []admission{orphanCases, adoptionCases, fallbackCases, secretCases, limitCases} {
		cases = append(cases, f(s)...)
	}
	return cases
}

func orphanCases(settings) []admission {
	const msg = "spec.deletionPolicy must be Orphan in this namespace"
	var cases []admission
	for _, o := range everyKind(prod) {
		cases = append(cases,
			admission{name: o.GetKind() + " with deletionPolicy Delete, in prod", obj: with(o, "Delete", "spec", "deletionPolicy"), refusedBy: "require-orphan", message: msg},
			admission{name: o.GetKind() + " without deletionPolicy, in prod", obj: with(o, nil, "spec", "deletionPolicy"), refusedBy: "require-orphan", message: msg})
	}
	for _, o := range everyKind(dev) {
		cases = append(cases, admission{name: o.GetKind() + " with deletionPolicy Delete, in dev", obj: with(o, "Delete", "spec", "deletionPolicy")})
	}
	return cases
}

func adoptionCases(s settings) []admission {
	msg := "it needs the label " + s.labelKey + " naming who approved the adoption"
	var cases []admission
	for _, o := range everyKind(dev) {
		adopt := with(o, "Adopt", "spec", "adoptionPolicy")
		cases = append(cases,
			admission{name: o.GetKind() + " adopting without approval", obj: adopt, refusedBy: "require-adoption-approval", message: msg},
			admission{name: o.GetKind() + " adopting with an empty approval", obj: labelled(adopt, s.labelKey, ""), refusedBy: "require-adoption-approval", message: msg},
			admission{name: o.GetKind() + " adopting, approved", obj: labelled(adopt, s.labelKey, "jane.doe")},
			admission{name: o.GetKind() + " failing on adoption, without approval", obj: with(o, "Fail", "spec", "adoptionPolicy")})
	}
	cases = append(cases, admission{name: "Agent adopting, approved under another label", obj: labelled(with(agent(prod), "Adopt", "spec", "adoptionPolicy"), "approved-by", "jane.doe"),
		refusedBy: "require-adoption-approval", message: msg})
	return cases
}

func fallbackCases(settings) []admission {
	const msg = "Agents in this namespace must name at least one fallback model"
	return []admission{
		{name: "Agent without fallback models, in prod", obj: with(agent(prod), nil, "spec", "fallbackModels"), refusedBy: "require-fallback-models", message: msg},
		{name: "Agent with no fallback model, in prod", obj: with(agent(prod), []any{}, "spec", "fallbackModels"), refusedBy: "require-fallback-models", message: msg},
		{name: "Agent without fallback models, in dev", obj: with(agent(dev), nil, "spec", "fallbackModels")},
	}
}

func secretCases(settings) []admission {
	const (
		policy       = "forbid-inline-secrets"
		instructions = "spec.instructions looks like it holds a secret"
		systemPrompt = "spec.systemPrompt looks like it holds a secret"
	)
	header := func(name, value string) *unstructured.Unstructured {
		return with(tool(dev), map[string]any{"value": value}, "spec", "http", "blueprint", "headers", name)
	}
	variable := func(name string, value any) *unstructured.Unstructured {
		return with(schedule(prod), value, "spec", "payload", "variables", name)
	}
	headerMsg := func(name string) string {
		return "spec.http.blueprint.headers " + name + ": the value looks like a secret"
	}
	variableMsg := func(name string) string {
		return "spec.payload.variables " + name + ": the value looks like a secret"
	}
	return []admission{
		{name: "instructions with an orq API key", obj: with(agent(dev), "Call the API with "+orqKey+".", "spec", "instructions"), refusedBy: policy, message: instructions},
		{name: "instructions with a JSON Web Token", obj: with(agent(prod), "Token: "+jwt, "spec", "instructions"), refusedBy: policy, message: instructions},
		{name: "system prompt with a bearer token", obj: with(agent(dev), "Send Authorization: "+bearer, "spec", "systemPrompt"), refusedBy: policy, message: systemPrompt},
		{name: "system prompt with a lower-case bearer token", obj: with(agent(dev), "send authorization: b"+bearer[1:], "spec", "systemPrompt"), refusedBy: policy, message: systemPrompt},
		{name: "system prompt with a private key", obj: with(agent(dev), "Sign with\n"+pemBlock, "spec", "systemPrompt"), refusedBy: policy, message: systemPrompt},
		{name: "instructions naming the shape of a key", obj: with(agent(dev), "Keys look like sk-orq-<key id>-<secret>; a Bearer token goes in a header.", "spec", "instructions")},
		{name: "tool header with a bearer token", obj: header("Authorization", bearer), refusedBy: policy, message: headerMsg("Authorization")},
		{name: "tool header with an orq API key", obj: header("X-Api-Key", orqKey), refusedBy: policy, message: headerMsg("X-Api-Key")},
		{name: "tool header with a placeholder", obj: header("Authorization", "Bearer {{token}}")},
		{name: "schedule variable with an orq API key", obj: variable("apiKey", orqKey), refusedBy: policy, message: variableMsg("apiKey")},
		{name: "schedule variable with a token in an object", obj: variable("credentials", map[string]any{"user": "reports", "token": bearer}), refusedBy: policy, message: variableMsg("credentials")},
		{name: "schedule variable with a token in a list", obj: variable("tokens", []any{"public", jwt}), refusedBy: policy, message: variableMsg("tokens")},
		{name: "schedule variable with plain values", obj: variable("filters", map[string]any{"status": "open", "limit": int64(10)})},
	}
}

func limitCases(s settings) []admission {
	const policy = "agent-limits"
	iterations := func(n int64) *unstructured.Unstructured {
		return with(agent(dev), n, "spec", "settings", "maxIterations")
	}
	tools := func(n int64) *unstructured.Unstructured {
		list := make([]any, n)
		for i := range list {
			list[i] = map[string]any{"type": "current_date"}
		}
		return with(agent(prod), list, "spec", "settings", "tools")
	}
	over := func(v any, limit int64) string {
		return fmt.Sprintf("spec.settings.maxIterations is %v (100 when unset), above the %d agents in this namespace may make", v, limit)
	}
	cases := []admission{
		{name: "maxIterations above the limit", obj: iterations(s.maxIterations + 1), refusedBy: policy, message: over(s.maxIterations+1, s.maxIterations)},
		{name: "maxIterations unset (100)", obj: with(agent(dev), nil, "spec", "settings", "maxIterations"), refusedBy: policy, message: over(100, s.maxIterations)},
		{name: "maxIterations at the limit", obj: iterations(s.maxIterations)},
		{name: "tools above the limit", obj: tools(s.maxTools + 1), refusedBy: policy,
			message: fmt.Sprintf("spec.settings.tools has %d tools; agents in this namespace may have at most %d", s.maxTools+1, s.maxTools)},
		{name: "tools at the limit", obj: tools(s.maxTools)},
	}
	if s.maxCost == "" {
		return append(cases,
			admission{name: "maxCost unset, without a cost limit", obj: with(agent(dev), nil, "spec", "settings", "maxCost")},
			admission{name: "a large maxCost, without a cost limit", obj: with(agent(dev), 1000.0, "spec", "settings", "maxCost")})
	}
	limit, err := strconv.ParseFloat(s.maxCost, 64)
	if err != nil {
		panic(err)
	}
	return append(cases,
		admission{name: "maxCost unset (no limit)", obj: with(agent(dev), nil, "spec", "settings", "maxCost"), refusedBy: policy,
			message: "spec.settings.maxCost is 0 (no limit, the default); agents in this namespace may cost at most " + s.maxCost + " an execution"},
		admission{name: "maxCost above the limit", obj: with(agent(dev), limit+1, "spec", "settings", "maxCost"), refusedBy: policy,
			message: fmt.Sprintf("spec.settings.maxCost is %v; agents in this namespace may cost at most %s", limit+1, s.maxCost)},
		admission{name: "maxCost at the limit", obj: with(agent(dev), limit, "spec", "settings", "maxCost")})
}
