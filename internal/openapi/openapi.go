// Package openapi validates orq.ai API payloads against the official
// OpenAPI 3.1 description of the API: the Agents API (Spec, from
// agents-openapi.yaml) and the tools, knowledge bases, memory stores and
// agent schedules (Graph, from graph-openapi.yaml, see graph.go).
//
// The OpenAPI document is not vendored into this repository: Locate finds it
// through the ORQ_OPENAPI_FILE environment variable or next to the module
// checkout, and Load compiles the relevant request and response schemas with
// JSON Schema Draft 2020-12 (the dialect used by OpenAPI 3.1).
package openapi

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"sigs.k8s.io/yaml"
)

// EnvFile is the environment variable that overrides the location of the
// OpenAPI document.
const EnvFile = "ORQ_OPENAPI_FILE"

// relativeToModule is where the document lives relative to the directory
// that contains go.mod.
const relativeToModule = "../shared/orq-api/agents-openapi.yaml"

// resourceURL is the base URL under which the document is registered with the
// JSON Schema compiler; all schema locations are fragments of it.
const resourceURL = "file:///orq/agents-openapi.json"

// JSON pointers (inside the OpenAPI document) of the schemas used here.
const (
	ptrCreateRequest = "/paths/~1v2~1agents/post/requestBody/content/application~1json/schema"
	ptrUpdateRequest = "/paths/~1v2~1agents~1{agent_key}/patch/requestBody/content/application~1json/schema"
	ptrAgent         = "/paths/~1v2~1agents~1{agent_key}/get/responses/200/content/application~1json/schema"
	ptrList          = "/paths/~1v2~1agents/get/responses/200/content/application~1json/schema"
)

// ErrNotFound is returned by Locate when the OpenAPI document cannot be found.
var ErrNotFound = errors.New("orq OpenAPI document not found")

// Spec holds the compiled schemas of the Agents API.
type Spec struct {
	path          string
	createRequest *jsonschema.Schema
	updateRequest *jsonschema.Schema
	agent         *jsonschema.Schema
	list          *jsonschema.Schema
}

// Locate returns the path of the OpenAPI document. The ORQ_OPENAPI_FILE
// environment variable wins; otherwise the directory containing go.mod is
// searched upwards from the working directory and the document is expected at
// ../shared/orq-api/agents-openapi.yaml relative to it. The returned error
// wraps ErrNotFound when no document exists.
func Locate() (string, error) { return locate(os.Getenv(EnvFile), EnvFile, relativeToModule) }

// locate returns given, the value of the environment variable env, when
// set; else relative to the module root.
func locate(given, env, relative string) (string, error) {
	if given != "" {
		return existingFile(given, env)
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("%w: %v", ErrNotFound, err)
	}
	root, err := moduleRoot(wd)
	if err != nil {
		return "", err
	}
	return existingFile(filepath.Join(root, relative), "module root "+root)
}

// moduleRoot walks up from dir to the first directory containing go.mod.
func moduleRoot(dir string) (string, error) {
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("%w: no go.mod above the working directory", ErrNotFound)
		}
		dir = parent
	}
}

// existingFile returns p if it names a regular file; source explains where
// the path came from in the error.
func existingFile(p, source string) (string, error) {
	info, err := os.Stat(p)
	if err != nil {
		return "", fmt.Errorf("%w: %s (from %s)", ErrNotFound, p, source)
	}
	if info.IsDir() {
		return "", fmt.Errorf("%w: %s is a directory (from %s)", ErrNotFound, p, source)
	}
	return filepath.Clean(p), nil
}

// Load reads the OpenAPI document at path (YAML or JSON) and compiles the
// create/update request schemas and the retrieve/list response schemas.
func Load(path string) (*Spec, error) {
	c, err := compiler(path, resourceURL)
	if err != nil {
		return nil, err
	}
	s := &Spec{path: path}
	targets := []struct {
		dst **jsonschema.Schema
		ptr string
	}{
		{&s.createRequest, ptrCreateRequest},
		{&s.updateRequest, ptrUpdateRequest},
		{&s.agent, ptrAgent},
		{&s.list, ptrList},
	}
	for _, t := range targets {
		sch, err := c.Compile(resourceURL + "#" + t.ptr)
		if err != nil {
			return nil, fmt.Errorf("compile schema %s: %w", t.ptr, err)
		}
		*t.dst = sch
	}
	return s, nil
}

// compiler reads the OpenAPI document at path (YAML or JSON) and returns a
// JSON Schema compiler that knows it as url.
func compiler(path, url string) (*jsonschema.Compiler, error) {
	c, _, err := compilerWithDoc(path, url)
	return c, err
}

// compilerWithDoc is compiler that also returns the decoded document.
func compilerWithDoc(path, url string) (*jsonschema.Compiler, any, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, fmt.Errorf("read OpenAPI document: %w", err)
	}
	jsonDoc, err := yaml.YAMLToJSON(raw)
	if err != nil {
		return nil, nil, fmt.Errorf("parse OpenAPI document %s: %w", path, err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(jsonDoc))
	if err != nil {
		return nil, nil, fmt.Errorf("decode OpenAPI document %s: %w", path, err)
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	if err := c.AddResource(url, doc); err != nil {
		return nil, nil, fmt.Errorf("register OpenAPI document: %w", err)
	}
	return c, doc, nil
}

// Path returns the file the Spec was loaded from.
func (s *Spec) Path() string { return s.path }

// ValidateCreateRequest validates a POST /v2/agents request body.
func (s *Spec) ValidateCreateRequest(body []byte) error {
	return validate(s.createRequest, "create agent request", body)
}

// ValidateUpdateRequest validates a PATCH /v2/agents/{agent_key} request body.
func (s *Spec) ValidateUpdateRequest(body []byte) error {
	return validate(s.updateRequest, "update agent request", body)
}

// ValidateAgent validates an agent as returned by GET /v2/agents/{agent_key}
// (the same shape is returned by create and update).
func (s *Spec) ValidateAgent(body []byte) error {
	return validate(s.agent, "agent response", body)
}

// ValidateList validates a GET /v2/agents response body.
func (s *Spec) ValidateList(body []byte) error {
	return validate(s.list, "list agents response", body)
}

// validate decodes body and checks it against sch; what names the payload in
// error messages.
func validate(sch *jsonschema.Schema, what string, body []byte) error {
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("%s: invalid JSON: %w", what, err)
	}
	if err := sch.Validate(inst); err != nil {
		var ve *jsonschema.ValidationError
		if errors.As(err, &ve) {
			return newSchemaError(what, ve)
		}
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}
