package orqmem

import (
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// This file holds a tiny, hand-written schema DSL. Each rule checks one JSON
// value (decoded with json.Decoder.UseNumber) and reports the first problem as
// a *FieldError naming the value's path.

// Messages shared by several rules.
const (
	msgRequired     = "is required"
	msgNotAllowed   = "is not allowed"
	msgObject       = "must be an object"
	msgArray        = "must be an array"
	msgString       = "must be a string"
	msgNumber       = "must be a number"
	msgInteger      = "must be an integer"
	msgBoolean      = "must be a boolean"
	msgStringObject = "must be a string or an object"
	rootPath        = "body"
)

// FieldError is a validation failure of one field of a request body.
type FieldError struct {
	// Path is the dotted path of the field, e.g. "settings.tools[0].type",
	// or "body" for the document itself.
	Path string
	// Message says what is wrong, e.g. "must be <= 100".
	Message string
}

// Error renders "path: message".
func (e *FieldError) Error() string { return e.Path + ": " + e.Message }

// fieldPath is the dotted location of a value; "" is the document root.
type fieldPath string

// field returns the path of property name below p.
func (p fieldPath) field(name string) fieldPath {
	if p == "" {
		return fieldPath(name)
	}
	return fieldPath(string(p) + "." + name)
}

// index returns the path of array element i below p.
func (p fieldPath) index(i int) fieldPath {
	return fieldPath(string(p) + "[" + strconv.Itoa(i) + "]")
}

// fail builds a FieldError for p.
func (p fieldPath) fail(format string, args ...any) error {
	name := string(p)
	if name == "" {
		name = rootPath
	}
	return &FieldError{Path: name, Message: fmt.Sprintf(format, args...)}
}

// rule validates the value v found at path p.
type rule func(p fieldPath, v any) error

// props maps property names to their rules.
type props map[string]rule

// objectSpec describes an object schema.
type objectSpec struct {
	props    props
	required []string
	closed   bool // additionalProperties: false
}

// object accepts objects whose known properties satisfy their rules; other
// properties are allowed.
func object(p props, required ...string) rule {
	return objectSpec{props: p, required: required}.rule()
}

// closedObject is object with additionalProperties: false.
func closedObject(p props, required ...string) rule {
	return objectSpec{props: p, required: required, closed: true}.rule()
}

// rule compiles the spec into a rule. Required properties are checked first,
// then properties in name order so that errors are deterministic.
func (s objectSpec) rule() rule {
	return func(p fieldPath, v any) error {
		m, ok := v.(map[string]any)
		if !ok {
			return p.fail(msgObject)
		}
		for _, name := range s.required {
			if _, ok := m[name]; !ok {
				return p.field(name).fail(msgRequired)
			}
		}
		for _, name := range sortedKeys(m) {
			r, known := s.props[name]
			switch {
			case known && r != nil:
				if err := r(p.field(name), m[name]); err != nil {
					return err
				}
			case !known && s.closed:
				return p.field(name).fail(msgNotAllowed)
			}
		}
		return nil
	}
}

// sortedKeys returns the keys of m in ascending order.
func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// anyValue accepts every JSON value.
func anyValue(fieldPath, any) error { return nil }

// freeObject accepts any object (additionalProperties: {}).
func freeObject(p fieldPath, v any) error {
	if _, ok := v.(map[string]any); !ok {
		return p.fail(msgObject)
	}
	return nil
}

// boolean accepts true and false.
func boolean(p fieldPath, v any) error {
	if _, ok := v.(bool); !ok {
		return p.fail(msgBoolean)
	}
	return nil
}

// strSpec describes a string schema.
type strSpec struct {
	minLen, maxLen int // maxLen 0 = unbounded
	pattern        *regexp.Regexp
}

// rule compiles the spec into a rule. Lengths count code points, as JSON
// Schema does.
func (s strSpec) rule() rule {
	return func(p fieldPath, v any) error {
		str, ok := v.(string)
		if !ok {
			return p.fail(msgString)
		}
		n := utf8.RuneCountInString(str)
		if n < s.minLen {
			if s.minLen == 1 {
				return p.fail("must not be empty")
			}
			return p.fail("must be at least %d characters long", s.minLen)
		}
		if s.maxLen > 0 && n > s.maxLen {
			return p.fail("must be at most %d characters long", s.maxLen)
		}
		if s.pattern != nil && !s.pattern.MatchString(str) {
			return p.fail("must match pattern %s", s.pattern)
		}
		return nil
	}
}

// str accepts any string.
var str = strSpec{}.rule()

// nonEmptyStr accepts strings with minLength 1.
var nonEmptyStr = strSpec{minLen: 1}.rule()

// enum accepts one of the given strings.
func enum(values ...string) rule {
	return func(p fieldPath, v any) error {
		s, ok := v.(string)
		if !ok {
			return p.fail(msgString)
		}
		for _, allowed := range values {
			if s == allowed {
				return nil
			}
		}
		return p.fail("must be one of: %s", strings.Join(values, ", "))
	}
}

// bounds are numeric limits; nil pointers are unbounded.
type bounds struct {
	min, max     *float64
	exclusiveMin bool // min is exclusive
	integer      bool // value must be integral
}

// lim returns a pointer to f, for building bounds literals.
func lim(f float64) *float64 { return &f }

// rule compiles the bounds into a rule accepting numbers.
func (b bounds) rule() rule {
	return func(p fieldPath, v any) error {
		f, err := toFloat(v)
		if err != nil {
			if b.integer {
				return p.fail(msgInteger)
			}
			return p.fail(msgNumber)
		}
		if b.integer && f != math.Trunc(f) {
			return p.fail(msgInteger)
		}
		if b.min != nil {
			if b.exclusiveMin && f <= *b.min {
				return p.fail("must be > %s", fmtNum(*b.min))
			}
			if !b.exclusiveMin && f < *b.min {
				return p.fail("must be >= %s", fmtNum(*b.min))
			}
		}
		if b.max != nil && f > *b.max {
			return p.fail("must be <= %s", fmtNum(*b.max))
		}
		return nil
	}
}

// number accepts any number.
var number = bounds{}.rule()

// integer accepts any integral number.
var integer = bounds{integer: true}.rule()

// toFloat converts a decoded JSON number to float64.
func toFloat(v any) (float64, error) {
	switch n := v.(type) {
	case json.Number:
		return n.Float64()
	case float64:
		return n, nil
	}
	return 0, fmt.Errorf("not a number")
}

// fmtNum formats a bound without a trailing ".0".
func fmtNum(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// nullable also accepts JSON null.
func nullable(r rule) rule {
	return func(p fieldPath, v any) error {
		if v == nil {
			return nil
		}
		return r(p, v)
	}
}

// arraySpec describes an array schema.
type arraySpec struct {
	item               rule
	minItems, maxItems int // maxItems 0 = unbounded
}

// rule compiles the spec into a rule.
func (s arraySpec) rule() rule {
	return func(p fieldPath, v any) error {
		items, ok := v.([]any)
		if !ok {
			return p.fail(msgArray)
		}
		if len(items) < s.minItems {
			return p.fail("must have at least %d item(s)", s.minItems)
		}
		if s.maxItems > 0 && len(items) > s.maxItems {
			return p.fail("must have at most %d items", s.maxItems)
		}
		for i, item := range items {
			if err := s.item(p.index(i), item); err != nil {
				return err
			}
		}
		return nil
	}
}

// arrayOf accepts arrays whose items satisfy item.
func arrayOf(item rule) rule { return arraySpec{item: item}.rule() }

// stringOrObject accepts a string or an object satisfying obj.
func stringOrObject(obj rule) rule {
	return func(p fieldPath, v any) error {
		switch v.(type) {
		case string:
			return nil
		case map[string]any:
			return obj(p, v)
		}
		return p.fail(msgStringObject)
	}
}

// discriminated accepts objects whose string property key selects one of the
// variants (oneOf with a discriminator).
func discriminated(key string, variants map[string]rule) rule {
	names := make([]string, 0, len(variants))
	for name := range variants {
		names = append(names, name)
	}
	sort.Strings(names)
	return func(p fieldPath, v any) error {
		m, ok := v.(map[string]any)
		if !ok {
			return p.fail(msgObject)
		}
		raw, ok := m[key]
		if !ok {
			return p.field(key).fail(msgRequired)
		}
		name, ok := raw.(string)
		if !ok {
			return p.field(key).fail(msgString)
		}
		variant, ok := variants[name]
		if !ok {
			return p.field(key).fail("must be one of: %s", strings.Join(names, ", "))
		}
		return variant(p, v)
	}
}

// mapOf accepts objects whose every member satisfies item
// (additionalProperties with a schema).
func mapOf(item rule) rule {
	return func(p fieldPath, v any) error {
		m, ok := v.(map[string]any)
		if !ok {
			return p.fail(msgObject)
		}
		for _, name := range sortedKeys(m) {
			if err := item(p.field(name), m[name]); err != nil {
				return err
			}
		}
		return nil
	}
}

// scalar accepts a string, a number or a boolean.
func scalar(p fieldPath, v any) error {
	switch v.(type) {
	case string, bool, json.Number, float64:
		return nil
	}
	return p.fail("must be a string, a number or a boolean")
}

// uri accepts absolute URIs (format: uri): a scheme, then the rest.
func uri(p fieldPath, v any) error {
	s, ok := v.(string)
	if !ok {
		return p.fail(msgString)
	}
	if u, err := url.Parse(s); err != nil || u.Scheme == "" || u.Opaque == "" && u.Host == "" && u.Path == "" {
		return p.fail("must be an absolute URI")
	}
	return nil
}
