package orqclient

import (
	"encoding/json"
	"fmt"
	"mime"
	"regexp"
)

// A 404 means "the agent does not exist" only when the orq API itself says so. Its 404 (the
// OpenAPI of GET, PATCH and DELETE /v2/agents/{key}) is application/json with the body
// {"message": string}. So a 404 is accepted as orq's own only when:
//   - its media type is application/json;
//   - its body is a JSON object whose only member is "message", a string;
//   - that message is not a web framework's route miss, "Cannot <METHOD> /path" (Express, NestJS),
//     which is what a server that is not the API, or the API behind a wrong base path, answers.
//
// Anything else (an HTML or text page, JSON of another shape such as NestJS's
// {"statusCode","message","error"} or Spring's {"status","error","path"}) came from a proxy, an
// ingress or another server, and says nothing about the agent: taking it for "gone" would make
// the operator recreate the agent or let its Agent go while the agent lives on. When in doubt the
// answer is KindMisconfigured, which stalls visibly instead.

// misplaced404 describes a 404 that does not mean "the agent does not exist", or is "" for orq's
// own 404 to a request naming an agent (agent). A 404 to a list or a create says the endpoint is
// not there. The answer's text is left out: it may quote the request path, so the agent key.
func (c *Client) misplaced404(agent bool, contentType string, body []byte) string {
	if !agent {
		return c.BaseURL() + " answered 404 to a request that names no agent: check the orq API base URL"
	}
	if why := notOrq404(contentType, body); why != "" {
		return fmt.Sprintf("%s answered 404 with %s, not the orq API's own answer: check the orq API base URL", c.BaseURL(), why)
	}
	return ""
}

// routeMiss is a web framework's answer to a path it has no route for.
var routeMiss = regexp.MustCompile(`^Cannot (GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS) /`)

// notOrq404 says why a 404 answer is not orq's own, or "" when it is.
func notOrq404(contentType string, body []byte) string {
	mediaType, _, err := mime.ParseMediaType(contentType)
	switch {
	case err != nil:
		return "an answer without a media type"
	case mediaType == "text/html":
		return "an HTML page"
	case mediaType != "application/json":
		return "a " + mediaType + " answer"
	}
	var members map[string]json.RawMessage
	if json.Unmarshal(body, &members) != nil {
		return "an answer that is not a JSON object"
	}
	var msg string
	m := members["message"]
	if len(members) != 1 || len(m) == 0 || m[0] != '"' || json.Unmarshal(m, &msg) != nil {
		return `JSON other than {"message": string}`
	}
	if routeMiss.MatchString(msg) {
		return "a web server's route-miss message"
	}
	return ""
}
