package orqclient

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
)

// Every text that can reach a condition, an event or a log passes through the same redaction:
// the API key (as it is, and in the escaped forms a URL would carry), and the password of any
// URL's userinfo. do applies it to each *Error it returns, so no message escapes it; a URL we
// quote (a redirect's Location, the base URL) also loses its userinfo and query, which may carry
// tokens of their own.

const redacted = "[redacted]"

// userinfo matches the userinfo of a URL in a text: "scheme://" then "user[:password]@".
var userinfo = regexp.MustCompile(`([A-Za-z][A-Za-z0-9+.-]*://)[^/?#@\s"']+@`)

// redact removes the secrets from a text that came from outside (an API message, a transport
// error, a header), in case it echoes them.
func (c *Client) redact(s string) string {
	s = userinfo.ReplaceAllString(s, "${1}"+redacted+"@")
	if c.apiKey == "" {
		return s
	}
	for _, form := range SecretForms(c.apiKey) {
		s = strings.ReplaceAll(s, form, redacted)
	}
	return s
}

// SecretForms are the forms in which a text may carry a secret (the API key, a value read from a
// Secret that a request carries): as it is, escaped as a URL would, and escaped as JSON encoders
// do (an answer quoted as raw JSON: "/" as "\/", "+" as "\u002b" and so on).
func SecretForms(key string) []string {
	forms := []string{key, url.QueryEscape(key), url.PathEscape(key)}
	for _, escapeHTML := range []bool{true, false} { // Go escapes <, > and & by default; others do not
		var raw bytes.Buffer
		enc := json.NewEncoder(&raw)
		enc.SetEscapeHTML(escapeHTML)
		if enc.Encode(key) == nil {
			quoted := strings.Trim(strings.TrimSpace(raw.String()), `"`)
			forms = append(forms, quoted, strings.ReplaceAll(quoted, "/", `\/`))
		}
	}
	var ascii strings.Builder // every non-alphanumeric character as \u00XX, as some encoders write it
	for _, r := range key {
		if r < 128 && !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			fmt.Fprintf(&ascii, `\u%04x`, r)
			continue
		}
		ascii.WriteRune(r)
	}
	return append(forms, ascii.String())
}

// redactErr redacts the message of an *Error of this package.
func (c *Client) redactErr(err error) error {
	var e *Error
	if errors.As(err, &e) {
		e.Message = c.redact(e.Message)
	}
	return err
}

// QuoteURL is a URL as it may be quoted in a message or a log: scheme, host and path, without
// userinfo, query or fragment, which may carry credentials (a gateway's token).
func QuoteURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return userinfo.ReplaceAllString(raw, "${1}"+redacted+"@")
	}
	return (&url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path, RawPath: u.RawPath}).String()
}
