package orqclient

import "strings"

// redact removes the API key from a text that came from outside (an API message, a transport
// error), in case it was echoed.
func (c *Client) redact(s string) string {
	if c.apiKey == "" {
		return s
	}
	return strings.ReplaceAll(s, c.apiKey, "[redacted]")
}
