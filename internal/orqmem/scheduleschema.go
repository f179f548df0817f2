package orqmem

import (
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"net/http"
)

// This file encodes the request schemas of the agent schedules and their
// error answers. Both request bodies and the payload are closed objects
// (additionalProperties: false).

// scheduleType is the only type a schedule can be created or updated with.
const scheduleType = "cron"

// Error codes of {"error": {"code", "message"}} answers. The document names
// invalid_expression, schedule_not_found and agent_not_found; the others
// are orqmem's, in the same style.
const (
	codeInvalidRequest  = "invalid_request"
	codeInvalidExpr     = "invalid_expression"
	codeInvalidType     = "invalid_type"
	codeAgentNotFound   = "agent_not_found"
	codeVersionNotFound = "agent_version_not_found"
	codeNotFound        = "schedule_not_found"
	codeInactive        = "schedule_inactive"
	codeRouteNotFound   = "not_found"
	codeMethod          = "method_not_allowed"
)

var (
	// scheduleCreateRule validates POST /v3/agents/{agent_key}/schedules.
	scheduleCreateRule = closedObject(scheduleProps(), "type", "expression", "display_name", "payload")
	// scheduleUpdateRule validates PATCH .../schedules/{schedule_id}.
	scheduleUpdateRule = closedObject(func() props {
		p := scheduleProps()
		p["is_active"] = boolean
		return p
	}())
)

// scheduleProps are the members both requests share.
func scheduleProps() props {
	return props{
		"agent_tag":    str,
		"display_name": str,
		"expression":   cronRule,
		"payload": closedObject(props{
			"input":            anyValue, // a string or input items, as the Responses API's
			"memory_entity_id": str,
			"metadata":         mapOf(str),
			"variables":        freeObject,
		}),
		"type": enum(scheduleType),
	}
}

// cronRule accepts the expressions of checkCron.
func cronRule(p fieldPath, v any) error {
	s, ok := v.(string)
	if !ok {
		return p.fail(msgString)
	}
	if checkCron(s) != nil {
		return p.fail(msgCronShapes)
	}
	return nil
}

// scheduleError answers {"error": {"code": code, "message": msg}}.
func scheduleError(status int, code, msg string) response {
	return jsonResponse(status, map[string]any{"error": map[string]string{"code": code, "message": msg}})
}

// scheduleMethodNotAllowed is methodNotAllowed in the schedules' shape:
// their routes answer every error of their own in it.
func scheduleMethodNotAllowed(allow string) response {
	resp := scheduleError(http.StatusMethodNotAllowed, codeMethod, msgMethodNotAllow)
	resp.header = http.Header{"Allow": {allow}}
	return resp
}

// scheduleFailure renders err in the schedules' error shape: a field
// error is a 400 whose code names the field at fault.
func scheduleFailure(err error) response {
	var fe *FieldError
	if errors.As(err, &fe) {
		code := codeInvalidRequest
		switch fe.Path {
		case "expression":
			code = codeInvalidExpr
		case "type":
			code = codeInvalidType
		}
		return scheduleError(http.StatusBadRequest, code, err.Error())
	}
	var ae *apiError
	if errors.As(err, &ae) {
		return scheduleError(ae.status, codeInvalidRequest, ae.msg)
	}
	return scheduleError(http.StatusInternalServerError, "internal", err.Error())
}

// apiKeyID is the id a schedule's created_by_id and updated_by_id give the
// API key that made the change: a ULID-shaped digest of the token, stable
// per key and never the key itself.
func apiKeyID(token string) string {
	sum := sha256.Sum256([]byte(token))
	var entropy [10]byte
	copy(entropy[:], sum[6:16])
	ms := binary.BigEndian.Uint64(append([]byte{0, 0}, sum[:6]...))
	return encodeULID(ms, entropy)
}
