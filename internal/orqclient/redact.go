package orqclient

import (
	"errors"
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
	for _, form := range []string{c.apiKey, url.QueryEscape(c.apiKey), url.PathEscape(c.apiKey)} {
		s = strings.ReplaceAll(s, form, redacted)
	}
	return s
}

// redactErr redacts the message of an *Error of this package.
func (c *Client) redactErr(err error) error {
	var e *Error
	if errors.As(err, &e) {
		e.Message = c.redact(e.Message)
	}
	return err
}

// quoteURL is a URL as it may be quoted in a message: scheme, host and path, without userinfo,
// query or fragment.
func quoteURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return userinfo.ReplaceAllString(raw, "${1}"+redacted+"@")
	}
	return (&url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path, RawPath: u.RawPath}).String()
}
