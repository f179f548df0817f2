package export

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
)

// httpEcho is an http tool's payload as orq echoes it. A header is {value, encrypted}, or its
// value alone; its value is decoded only when it is not encrypted.
type httpEcho struct {
	Blueprint struct {
		URL     string                     `json:"url"`
		Method  string                     `json:"method"`
		Headers map[string]json.RawMessage `json:"headers"`
		Body    *apiextensionsv1.JSON      `json:"body"`
		Timeout *float64                   `json:"timeout"`
	} `json:"blueprint"`
	Arguments map[string]struct {
		Type         string                `json:"type"`
		Description  string                `json:"description"`
		SendToModel  *bool                 `json:"send_to_model"`
		DefaultValue *apiextensionsv1.JSON `json:"default_value"`
	} `json:"arguments"`
}

// httpExport is the spec of an http tool, and the Secret its encrypted header values come from:
// its name, and its key for each such header.
type httpExport struct {
	spec       *orqv1alpha1.HTTPToolSpec
	secret     string
	secretKeys map[string]string
}

// httpSpec is the spec of an http tool named name: orq's defaults left out (the JSON content type
// of a tool without headers, arguments sent to the model), and each encrypted header read from
// the Secret <name>-headers, at its name in lower case, never from what orq echoes.
func httpSpec(payload any, name string) (*httpExport, error) {
	var echo httpEcho
	if err := decodeStrict(payload, &echo); err != nil {
		return nil, err
	}
	b := echo.Blueprint
	out := &httpExport{secret: withSuffix(name, "-headers"), secretKeys: map[string]string{}}
	out.spec = &orqv1alpha1.HTTPToolSpec{Blueprint: orqv1alpha1.HTTPBlueprint{URL: b.URL, Method: b.Method, Body: b.Body, Timeout: b.Timeout}}
	if !onlyDefaultHeader(b.Headers) {
		headers, err := out.headers(b.Headers)
		if err != nil {
			return nil, err
		}
		out.spec.Blueprint.Headers = headers
	}
	for argName, a := range echo.Arguments {
		arg := orqv1alpha1.HTTPArgument{Type: a.Type, Description: a.Description, DefaultValue: a.DefaultValue}
		if a.SendToModel != nil && !*a.SendToModel {
			arg.SendToModel = a.SendToModel
		}
		if out.spec.Arguments == nil {
			out.spec.Arguments = map[string]orqv1alpha1.HTTPArgument{}
		}
		out.spec.Arguments[argName] = arg
	}
	return out, nil
}

// headers are the spec's headers: each a value, or, encrypted, a key of the Secret.
func (h *httpExport) headers(echoed map[string]json.RawMessage) (map[string]orqv1alpha1.HTTPHeader, error) {
	out := map[string]orqv1alpha1.HTTPHeader{}
	taken := map[string]bool{}
	for _, header := range sortedKeys(echoed) {
		value, encrypted, err := decodeHeader(echoed[header])
		if err != nil {
			return nil, fmt.Errorf("blueprint.headers[%s]: %w", header, err)
		}
		if !encrypted {
			out[header] = orqv1alpha1.HTTPHeader{Value: &value}
			continue
		}
		key := secretKey(header, taken)
		h.secretKeys[header] = key
		out[header] = orqv1alpha1.HTTPHeader{ValueFrom: &orqv1alpha1.HeaderValueSource{
			SecretKeyRef: orqv1alpha1.SecretKeyReference{Name: h.secret, Key: key}}}
	}
	return out, nil
}

// decodeHeader reads a header as orq echoes it. An encrypted header's value is not read.
func decodeHeader(raw json.RawMessage) (value string, encrypted bool, err error) {
	if bytes.HasPrefix(bytes.TrimSpace(raw), []byte(`"`)) {
		err = json.Unmarshal(raw, &value)
		return value, false, err
	}
	var flag struct {
		Encrypted bool `json:"encrypted"`
	}
	if err := json.Unmarshal(raw, &flag); err != nil {
		return "", false, err
	}
	if flag.Encrypted {
		return "", true, nil
	}
	var plain struct {
		Value     string `json:"value"`
		Encrypted bool   `json:"encrypted"`
	}
	err = decodeStrict(raw, &plain)
	return plain.Value, false, err
}

// onlyDefaultHeader tells whether the headers are the one orq gives a tool sent without any:
// Content-Type: application/json, not encrypted.
func onlyDefaultHeader(headers map[string]json.RawMessage) bool {
	raw, ok := headers["Content-Type"]
	if !ok || len(headers) != 1 {
		return false
	}
	value, encrypted, err := decodeHeader(raw)
	return err == nil && !encrypted && value == "application/json"
}

// secretKey is the Secret key of a header: its name in lower case, each character a key cannot
// hold as '-', numbered when two headers give one key.
func secretKey(header string, taken map[string]bool) string {
	base := strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '-', r == '.', r == '_':
			return r
		case r >= 'A' && r <= 'Z':
			return r - 'A' + 'a'
		}
		return '-'
	}, header)
	key := base
	for i := 2; taken[key]; i++ {
		key = fmt.Sprintf("%s-%d", base, i)
	}
	taken[key] = true
	return key
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
