package orqmem_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/orq-ai/orq-operator/internal/openapi"
)

// graphRoute returns the graph document's route template of a request
// path (query stripped), when the document is at hand and holds it.
func (h *harness) graphRoute(path string) (string, bool) {
	if h.graph == nil {
		return "", false
	}
	path, _, _ = strings.Cut(path, "?")
	return h.graph.Route(path)
}

// checkGraphContract validates an accepted request body and every answer
// of a graph route against the graph document, if available. An answer
// whose status the document does not document (orqmem's 400s, 409s, 405s)
// must be orqmem's own error shape, {"message": string}; on the schedules'
// routes also theirs, {"error": {"code", "message"}} (what is answered
// before routing, a 401 or an injected fault, has the former).
func (h *harness) checkGraphContract(method, route, body string, res result) {
	h.t.Helper()
	if res.status < 300 {
		if h.answered == nil {
			h.answered = map[string]int{}
		}
		h.answered[method+" "+route]++
	}
	if ct := res.header.Get("Content-Type"); len(res.body) > 0 && ct != "application/json" {
		h.t.Errorf("contract: %s %s: Content-Type %q", method, route, ct)
	}
	if res.status < 300 && body != "" {
		if err := h.graph.ValidateRequest(method, route, []byte(body)); err != nil {
			h.t.Errorf("contract: %s %s: accepted request: %v", method, route, err)
		}
	}
	err := h.graph.ValidateResponse(method, route, res.status, res.body)
	if errors.Is(err, openapi.ErrUndocumented) && res.status >= http.StatusBadRequest {
		err = messageShape(res.body)
		if err != nil && strings.HasPrefix(route, "/v3/") {
			err = scheduleErrorShape(res.body)
		}
	}
	if err != nil {
		h.t.Errorf("contract: %s %s %d: %v\n%s", method, route, res.status, err, res.body)
	}
}

// messageShape checks that body is {"message": string} and nothing else.
func messageShape(body []byte) error {
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		return err
	}
	if _, ok := m["message"].(string); !ok || len(m) != 1 {
		return errors.New(`undocumented error answer is not {"message": string}`)
	}
	return nil
}

// scheduleErrorShape checks that body is {"error": {"code": string,
// "message": string}} and nothing else.
func scheduleErrorShape(body []byte) error {
	var m struct {
		Error map[string]any `json:"error"`
	}
	var all map[string]any
	if json.Unmarshal(body, &m) != nil || json.Unmarshal(body, &all) != nil || len(all) != 1 || len(m.Error) != 2 {
		return errors.New(`undocumented schedule error is not {"error": {"code", "message"}}`)
	}
	for _, f := range []string{"code", "message"} {
		if _, ok := m.Error[f].(string); !ok {
			return errors.New(`undocumented schedule error is not {"error": {"code", "message"}}`)
		}
	}
	return nil
}
