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

// documents are the OpenAPI documents answers are checked against; either
// may be nil when its file is absent.
type documents struct {
	agents *openapi.Spec
	graph  *openapi.Graph
}

// checkAnswer validates one answer against the document of its route; ok
// is false when that document is absent.
func (d documents) checkAnswer(ex exchange) (ok bool, err error) {
	if len(ex.body) > 0 && ex.contentType != "application/json" {
		return true, fmt.Errorf("Content-Type %q, want application/json", ex.contentType)
	}
	if strings.HasPrefix(ex.path, "/v2/agents") {
		if d.agents == nil {
			return false, nil
		}
		return true, checkAgentAnswer(d.agents, ex)
	}
	if d.graph == nil {
		return false, nil
	}
	route, found := d.graph.Route(ex.path)
	if !found {
		return true, fmt.Errorf("no route of either document")
	}
	return true, checkGraphAnswer(d.graph, route, ex)
}

// checkAgentAnswer validates an answer of the Agents API: success bodies
// with the operation's response schema (less what orq added after the
// document, which the SDK's own schemas checked), errors as the document's
// 404 body, {"message": string}, which orqmem uses for every error.
func checkAgentAnswer(spec *openapi.Spec, ex exchange) error {
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

// checkGraphAnswer validates an answer of the tools, knowledge bases,
// memory stores or schedules against the status's documented response; an
// error whose status is undocumented (orqmem's 400s and 409s) must be
// {"message": string}, or on the schedules' routes their own
// {"error": {"code", "message"}}.
func checkGraphAnswer(graph *openapi.Graph, route string, ex exchange) error {
	err := graph.ValidateResponse(ex.method, route, ex.status, ex.body)
	if !errors.Is(err, openapi.ErrUndocumented) || ex.status < 400 {
		return err
	}
	if err := messageBody(ex.body); err == nil || !strings.HasPrefix(route, "/v3/") {
		return err
	}
	return scheduleErrorBody(ex.body)
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

// scheduleErrorBody checks the schedules' error shape.
func scheduleErrorBody(body []byte) error {
	var m map[string]map[string]any
	if err := json.Unmarshal(body, &m); err != nil || len(m) != 1 || len(m["error"]) != 2 {
		return errors.New(`error body is not {"error": {"code", "message"}}`)
	}
	for _, f := range []string{"code", "message"} {
		if _, ok := m["error"][f].(string); !ok {
			return errors.New(`error body is not {"error": {"code", "message"}}`)
		}
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
