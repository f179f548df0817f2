package openapi_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/orq-ai/orq-operator/internal/openapi"
)

const minimalCreate = `{
  "key": "support.agent-1",
  "role": "Support",
  "description": "Answers questions",
  "instructions": "Be helpful to {{customer}}",
  "path": "Default",
  "model": "openai/gpt-4o",
  "settings": {}
}`

func TestValidCreateRequestPasses(t *testing.T) {
	spec := openapi.ForTest(t)
	if err := spec.ValidateCreateRequest([]byte(minimalCreate)); err != nil {
		t.Fatalf("minimal body rejected: %v", err)
	}
}

func TestInvalidCreateRequestsFail(t *testing.T) {
	spec := openapi.ForTest(t)
	cases := []struct {
		name     string
		replace  [2]string
		wantPath string
	}{
		{"bad key pattern", [2]string{`"support.agent-1"`, `"1-bad..key"`}, "key"},
		{"temperature 3", [2]string{`"openai/gpt-4o"`, `{"id":"openai/gpt-4o","parameters":{"temperature":3}}`}, "model"},
		{"unknown tool type", [2]string{`"settings": {}`, `"settings": {"tools":[{"type":"no_such_tool"}]}`}, "settings.tools[0]"},
		{"max_iterations 0", [2]string{`"settings": {}`, `"settings": {"max_iterations":0}`}, "settings.max_iterations"},
		{"missing model id", [2]string{`"openai/gpt-4o"`, `{"parameters":{}}`}, "model"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			body := strings.Replace(minimalCreate, tc.replace[0], tc.replace[1], 1)
			err := spec.ValidateCreateRequest([]byte(body))
			if err == nil {
				t.Fatalf("expected a schema violation for %s", body)
			}
			var se *openapi.SchemaError
			if !errors.As(err, &se) {
				t.Fatalf("error %T is not a *SchemaError: %v", err, err)
			}
			if !strings.Contains(err.Error(), tc.wantPath) {
				t.Errorf("error %q does not name %q", err, tc.wantPath)
			}
		})
	}
}

func TestTemperatureViolationNamesField(t *testing.T) {
	spec := openapi.ForTest(t)
	body := strings.Replace(minimalCreate, `"openai/gpt-4o"`, `{"id":"m","parameters":{"temperature":3}}`, 1)
	err := spec.ValidateCreateRequest([]byte(body))
	if err == nil || !strings.Contains(err.Error(), "model.parameters.temperature") {
		t.Fatalf("want error naming model.parameters.temperature, got %v", err)
	}
}

func TestUpdateRequest(t *testing.T) {
	spec := openapi.ForTest(t)
	if err := spec.ValidateUpdateRequest([]byte(`{"versionIncrement":"minor","settings":{"max_cost":1.5}}`)); err != nil {
		t.Fatalf("valid update rejected: %v", err)
	}
	if err := spec.ValidateUpdateRequest([]byte(`{"versionIncrement":"huge"}`)); err == nil {
		t.Fatal("invalid versionIncrement accepted")
	}
}

func TestResponses(t *testing.T) {
	spec := openapi.ForTest(t)
	agent := `{"_id":"01JJ1HDHN79XAS7A01WB3HYSDB","key":"a","project_id":"p","status":"live","path":"Default",
	  "role":"r","description":"d","instructions":"i","model":{"id":"m"}}`
	if err := spec.ValidateAgent([]byte(agent)); err != nil {
		t.Fatalf("valid agent rejected: %v", err)
	}
	if err := spec.ValidateAgent([]byte(`{"key":"a"}`)); err == nil {
		t.Fatal("incomplete agent accepted")
	}
	if err := spec.ValidateList([]byte(`{"object":"list","data":[` + agent + `],"has_more":false}`)); err != nil {
		t.Fatalf("valid list rejected: %v", err)
	}
	if err := spec.ValidateList([]byte(`{"object":"page","data":[]}`)); err == nil {
		t.Fatal("invalid list accepted")
	}
}

func TestInvalidJSON(t *testing.T) {
	spec := openapi.ForTest(t)
	if err := spec.ValidateCreateRequest([]byte(`{`)); err == nil {
		t.Fatal("invalid JSON accepted")
	}
}

func TestLocateHonoursEnv(t *testing.T) {
	dir := t.TempDir()
	t.Setenv(openapi.EnvFile, filepath.Join(dir, "missing.yaml"))
	if _, err := openapi.Locate(); !errors.Is(err, openapi.ErrNotFound) {
		t.Fatalf("want ErrNotFound, got %v", err)
	}
	file := filepath.Join(dir, "spec.yaml")
	if err := os.WriteFile(file, []byte("openapi: 3.1.0\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv(openapi.EnvFile, file)
	got, err := openapi.Locate()
	if err != nil || got != file {
		t.Fatalf("Locate() = %q, %v; want %q", got, err, file)
	}
}

func TestLoadRejectsDocumentWithoutPaths(t *testing.T) {
	file := filepath.Join(t.TempDir(), "spec.yaml")
	if err := os.WriteFile(file, []byte("openapi: 3.1.0\npaths: {}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := openapi.Load(file); err == nil {
		t.Fatal("Load accepted a document without the agents paths")
	}
}
