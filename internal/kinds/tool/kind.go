// Package tool is the Tool kind's adapter to the managed core: a custom tool of a workspace
// (function, json_schema, http, code), created by POST /v2/tools and addressed by its id.
package tool

import (
	"context"
	"fmt"
	"sort"

	"sigs.k8s.io/controller-runtime/pkg/client"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
	"github.com/orq-ai/orq-operator/internal/kinds/wire"
	"github.com/orq-ai/orq-operator/internal/managed"
	"github.com/orq-ai/orq-operator/internal/orqclient"
)

// Endpoint is the tools collection: addressed by id, each with a unique key; orq documents no
// 409 for a taken key, so a first create looks the key up first.
var Endpoint = orqclient.Endpoint{Kind: "tool", Path: "/v2/tools", ByID: true}

// Kind is the Tool kind.
type Kind struct{}

var (
	_ managed.Kind     = Kind{}
	_ managed.Reporter = Kind{}
)

func (Kind) Name() string                 { return "Tool" }
func (Kind) New() managed.Object          { return &orqv1alpha1.Tool{} }
func (Kind) NewList() client.ObjectList   { return &orqv1alpha1.ToolList{} }
func (Kind) Endpoint() orqclient.Endpoint { return Endpoint }
func (Kind) Finalizer() string            { return orqv1alpha1.FinalizerTool }
func (Kind) Items(l client.ObjectList) []managed.Object {
	return wire.Items(l.(*orqv1alpha1.ToolList).Items)
}

// payloads are the request's member of each tool type.
var payloads = map[string]string{"function": "function", "json_schema": "json_schema", "http": "http", "code": "code_tool"}

// References lists the Secrets of the header values.
func (Kind) References(o managed.Object) []managed.Reference {
	t := o.(*orqv1alpha1.Tool)
	var out []managed.Reference
	if t.Spec.HTTP != nil {
		for _, name := range sortedHeaders(t.Spec.HTTP.Blueprint.Headers) {
			if from := t.Spec.HTTP.Blueprint.Headers[name].ValueFrom; from != nil {
				out = append(out, managed.Reference{Kind: "Secret", Namespace: t.Namespace, Name: from.SecretKeyRef.Name, Field: headerField(name)})
			}
		}
	}
	return out
}

// Desired is the request of POST /v2/tools: the spec's fields, the payload of its type, header
// values from Secrets as {value, encrypted: true}.
func (Kind) Desired(ctx context.Context, in *managed.Inputs, o managed.Object) (managed.Desired, error) {
	t := o.(*orqv1alpha1.Tool)
	body := orqclient.Body{"key": t.RemoteKey(), "path": t.Spec.Path, "description": t.Spec.Description, "type": t.Spec.Type}
	if t.Spec.DisplayName != "" {
		body["display_name"] = t.Spec.DisplayName
	}
	payload, err := payloadOf(ctx, in, t)
	if err != nil || in.Failed() {
		return managed.Desired{}, err
	}
	body[payloads[t.Spec.Type]] = payload
	return managed.Desired{Body: body}, nil
}

// payloadOf is the request's member of the tool's type.
func payloadOf(ctx context.Context, in *managed.Inputs, t *orqv1alpha1.Tool) (orqclient.Body, error) {
	s := t.Spec
	switch {
	case s.Type == "function" && s.Function != nil:
		f := orqclient.Body{"name": s.Function.Name}
		setIf(f, "description", s.Function.Description != "", s.Function.Description)
		setIf(f, "strict", s.Function.Strict != nil, s.Function.Strict)
		setIf(f, "parameters", s.Function.Parameters != nil, s.Function.Parameters)
		return f, nil
	case s.Type == "json_schema" && s.JSONSchema != nil:
		j := orqclient.Body{"name": s.JSONSchema.Name, "description": s.JSONSchema.Description, "schema": s.JSONSchema.Schema}
		setIf(j, "strict", s.JSONSchema.Strict != nil, s.JSONSchema.Strict)
		return j, nil
	case s.Type == "http" && s.HTTP != nil:
		return httpPayload(ctx, in, t), nil
	case s.Type == "code" && s.CodeTool != nil:
		c := orqclient.Body{"language": s.CodeTool.Language, "code": s.CodeTool.Code}
		setIf(c, "parameters", s.CodeTool.Parameters != nil, s.CodeTool.Parameters)
		return c, nil
	}
	return nil, fmt.Errorf("spec.type %s needs its payload", s.Type)
}

// httpPayload is an http tool's request member: the blueprint, its headers from Secrets sealed.
func httpPayload(ctx context.Context, in *managed.Inputs, t *orqv1alpha1.Tool) orqclient.Body {
	b := t.Spec.HTTP.Blueprint
	blueprint := orqclient.Body{"url": b.URL, "method": b.Method}
	setIf(blueprint, "body", b.Body != nil, b.Body)
	setIf(blueprint, "timeout", b.Timeout != nil, b.Timeout)
	if len(b.Headers) > 0 {
		headers := orqclient.Body{}
		for _, name := range sortedHeaders(b.Headers) {
			h := b.Headers[name]
			if h.Value != nil {
				headers[name] = orqclient.Body{"value": *h.Value, "encrypted": false}
				continue
			}
			secret, ok := in.Secret(ctx, h.ValueFrom.SecretKeyRef, headerField(name), func(v string) any {
				return orqclient.Body{"value": v, "encrypted": true}
			})
			if ok {
				headers[name] = secret
			}
		}
		blueprint["headers"] = headers
	}
	out := orqclient.Body{"blueprint": blueprint}
	if len(t.Spec.HTTP.Arguments) > 0 {
		args := orqclient.Body{}
		for name, a := range t.Spec.HTTP.Arguments {
			arg := orqclient.Body{"type": a.Type, "description": a.Description}
			setIf(arg, "send_to_model", a.SendToModel != nil, a.SendToModel)
			setIf(arg, "default_value", a.DefaultValue != nil, a.DefaultValue)
			args[name] = arg
		}
		out["arguments"] = args
	}
	return out
}

// Report records the tool's project.
func (Kind) Report(o managed.Object, remote *orqclient.Remote, _ bool) {
	o.(*orqv1alpha1.Tool).Status.ProjectID, _ = remote.Raw["project_id"].(string)
}

// Patch sends the changed fields, with the type every update of a tool carries.
func (Kind) Patch(_ managed.Object, desired managed.Desired, changed []string) orqclient.Body {
	return wire.Only(desired.Body, changed, "type")
}

func setIf(m orqclient.Body, key string, ok bool, v any) {
	if ok {
		m[key] = v
	}
}

func sortedHeaders(h map[string]orqv1alpha1.HTTPHeader) []string {
	names := make([]string, 0, len(h))
	for n := range h {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func headerField(name string) string { return "spec.http.blueprint.headers[" + name + "].valueFrom" }
