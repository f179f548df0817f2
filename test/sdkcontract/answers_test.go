package sdkcontract

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/orq-ai/orq-operator/internal/openapi"
	"github.com/orq-ai/orq-operator/internal/orqmem"
)

// checkAnswer validates one answer against the OpenAPI document: success
// bodies with the operation's response schema (less what orq added after the
// document, which the SDK's own schemas checked), errors as the document's
// 404 body, {"message": string}, which orqmem uses for every error.
func checkAnswer(spec *openapi.Spec, ex exchange) error {
	if len(ex.body) > 0 && ex.contentType != "application/json" {
		return fmt.Errorf("Content-Type %q, want application/json", ex.contentType)
	}
	body := orqmem.StripSDKAdditions(ex.body)
	isList := ex.path == "/v2/agents"
	switch {
	case ex.status == http.StatusNoContent:
		return wantEmpty(ex.body)
	case ex.status >= 400:
		return messageBody(ex.body)
	case isList && ex.method == http.MethodGet:
		return spec.ValidateList(body)
	case isList && ex.method == http.MethodPost, strings.HasPrefix(ex.path, "/v2/agents/"):
		return spec.ValidateAgent(body)
	}
	return fmt.Errorf("no schema for this answer")
}

// messageBody checks the error body shape: an object whose only member is
// a string message.
func messageBody(body []byte) error {
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		return fmt.Errorf("error body is not a JSON object: %w", err)
	}
	if _, ok := m["message"].(string); !ok || len(m) != 1 {
		return errors.New(`error body is not {"message": string}`)
	}
	return nil
}

// wantEmpty checks that a 204 has no body.
func wantEmpty(body []byte) error {
	if len(body) != 0 {
		return errors.New("204 with a body")
	}
	return nil
}
