package main

import (
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strings"
)

// schema is a structural OpenAPI v3 schema as the apiserver accepts it in a CRD. Numbers are kept
// as written, so bounds are printed exactly.
type schema struct {
	Description          string             `json:"description"`
	Type                 string             `json:"type"`
	Format               string             `json:"format"`
	Properties           map[string]*schema `json:"properties"`
	Required             []string           `json:"required"`
	Items                *schema            `json:"items"`
	AdditionalProperties json.RawMessage    `json:"additionalProperties"`
	Enum                 []json.RawMessage  `json:"enum"`
	Default              json.RawMessage    `json:"default"`
	Minimum              json.RawMessage    `json:"minimum"`
	Maximum              json.RawMessage    `json:"maximum"`
	ExclusiveMinimum     bool               `json:"exclusiveMinimum"`
	ExclusiveMaximum     bool               `json:"exclusiveMaximum"`
	MultipleOf           json.RawMessage    `json:"multipleOf"`
	MinLength            *int64             `json:"minLength"`
	MaxLength            *int64             `json:"maxLength"`
	Pattern              string             `json:"pattern"`
	MinItems             *int64             `json:"minItems"`
	MaxItems             *int64             `json:"maxItems"`
	UniqueItems          bool               `json:"uniqueItems"`
	MinProperties        *int64             `json:"minProperties"`
	MaxProperties        *int64             `json:"maxProperties"`
	Nullable             bool               `json:"nullable"`
	Validations          []rule             `json:"x-kubernetes-validations"`
	ListType             string             `json:"x-kubernetes-list-type"`
	ListMapKeys          []string           `json:"x-kubernetes-list-map-keys"`
	MapType              string             `json:"x-kubernetes-map-type"`
	PreserveUnknown      bool               `json:"x-kubernetes-preserve-unknown-fields"`
	IntOrString          bool               `json:"x-kubernetes-int-or-string"`
	EmbeddedResource     bool               `json:"x-kubernetes-embedded-resource"`

	// values is the decoded additionalProperties when it is a schema.
	values *schema
}

// rule is a CEL validation rule (x-kubernetes-validations).
type rule struct {
	Rule              string `json:"rule"`
	Message           string `json:"message"`
	MessageExpression string `json:"messageExpression"`
	Reason            string `json:"reason"`
	FieldPath         string `json:"fieldPath"`
	OptionalOldSelf   *bool  `json:"optionalOldSelf"`
}

// decodeSchema decodes an openAPIV3Schema, refusing keywords the reference does not render.
func decodeSchema(raw json.RawMessage, path string) (*schema, error) {
	var generic any
	if err := json.Unmarshal(raw, &generic); err != nil {
		return nil, fmt.Errorf("%s: %w", displayPath(path), err)
	}
	if err := checkKeywords(path, generic); err != nil {
		return nil, err
	}
	var s schema
	if err := json.Unmarshal(raw, &s); err != nil {
		return nil, fmt.Errorf("%s: %w", displayPath(path), err)
	}
	if err := s.resolve(path); err != nil {
		return nil, err
	}
	return &s, nil
}

// keywords are the schema keywords the reference renders: the JSON names of schema's fields.
var keywords = func() map[string]bool {
	known := map[string]bool{}
	t := reflect.TypeOf(schema{})
	for i := range t.NumField() {
		if name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ","); name != "" {
			known[name] = true
		}
	}
	return known
}()

// checkKeywords fails on the first schema keyword, depth first, that is not rendered.
func checkKeywords(path string, v any) error {
	s, ok := v.(map[string]any)
	if !ok {
		return fmt.Errorf("%s: the schema is not an object", displayPath(path))
	}
	for _, k := range sortedKeys(s) {
		if !keywords[k] {
			return fmt.Errorf("%s: schema keyword %q is not rendered by hack/apidocs yet: teach it", displayPath(path), k)
		}
	}
	if props, ok := s["properties"].(map[string]any); ok {
		for _, name := range sortedKeys(props) {
			if err := checkKeywords(join(path, name), props[name]); err != nil {
				return err
			}
		}
	}
	if items, ok := s["items"]; ok {
		if err := checkKeywords(path+"[]", items); err != nil {
			return err
		}
	}
	if values, ok := s["additionalProperties"].(map[string]any); ok {
		if err := checkKeywords(path+".*", values); err != nil {
			return err
		}
	}
	return nil
}

// resolve decodes additionalProperties and checks what the renderer relies on.
func (s *schema) resolve(path string) error {
	if len(s.AdditionalProperties) > 0 {
		switch string(s.AdditionalProperties) {
		case "true", "false":
			if len(s.Properties) == 0 {
				// A boolean additionalProperties is not structural; nothing to render.
				return fmt.Errorf("%s: additionalProperties %s is not supported", displayPath(path), s.AdditionalProperties)
			}
		default:
			var v schema
			if err := json.Unmarshal(s.AdditionalProperties, &v); err != nil {
				return fmt.Errorf("%s: %w", displayPath(path+".*"), err)
			}
			if err := v.resolve(path + ".*"); err != nil {
				return err
			}
			s.values = &v
		}
	}
	for name, p := range s.Properties {
		if p == nil {
			return fmt.Errorf("%s: empty schema", displayPath(join(path, name)))
		}
		if err := p.resolve(join(path, name)); err != nil {
			return err
		}
	}
	if s.Items != nil {
		if err := s.Items.resolve(path + "[]"); err != nil {
			return err
		}
	}
	return nil
}

func join(parent, name string) string {
	if parent == "" {
		return name
	}
	return parent + "." + name
}

func displayPath(path string) string {
	if path == "" {
		return "(root)"
	}
	return path
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
