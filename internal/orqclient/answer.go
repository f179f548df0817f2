package orqclient

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"
)

// maxMessage bounds the API message kept in errors (and so in status and events).
const maxMessage = 900

// cut bounds a message to maxMessage bytes, at a rune boundary. Cut after redaction, so that no
// piece of a secret is left.
func cut(msg string) string {
	if len(msg) <= maxMessage {
		return msg
	}
	n := maxMessage
	for n > 0 && !utf8.RuneStart(msg[n]) {
		n--
	}
	return msg[:n] + "..."
}

// readBody reads an error answer's body, at most maxErrorBody bytes.
func readBody(resp *http.Response) []byte {
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	return raw
}

// apiMessage extracts the message of an error answer: its JSON "message" or "error" (a string,
// or an object with a "message", as the schedules answer), else its text, else the status text.
func apiMessage(raw []byte, status int) string {
	var body struct {
		Message json.RawMessage `json:"message"`
		Error   json.RawMessage `json:"error"`
	}
	if json.Unmarshal(raw, &body) == nil {
		for _, m := range []json.RawMessage{body.Message, body.Error} {
			if len(m) == 0 {
				continue
			}
			var s string
			if json.Unmarshal(m, &s) == nil {
				return s
			}
			var inner struct {
				Message string `json:"message"`
			}
			if json.Unmarshal(m, &inner) == nil && inner.Message != "" {
				return inner.Message
			}
			return string(m)
		}
	}
	if s := strings.TrimSpace(string(raw)); s != "" {
		return s
	}
	return http.StatusText(status)
}

// transportMessage describes a transport error without the request URL's query or headers.
func transportMessage(err error) string {
	var uerr *url.Error
	if errors.As(err, &uerr) {
		if uerr.Timeout() {
			return "request timed out"
		}
		return uerr.Err.Error()
	}
	return err.Error()
}
