package orqclient

import (
	"encoding/json"
	"fmt"
	"mime"
	"regexp"
)

// A 404 means "the object does not exist" only when the orq API itself says so. Its 404s are
// application/json, in the shapes its OpenAPI documents: {"message": string} (agents), with a
// "code" beside it (memory stores), {"error": string} (tools) or {"error": {...}} (agent
// schedules). So a 404 is accepted as orq's own only when:
//   - its media type is application/json;
//   - its body is a JSON object of those members only: "message" (a string), "code", "error" (a
//     string or an object), with a message or an error;
//   - no message is a web framework's route miss, "Cannot <METHOD> /path" (Express, NestJS),
//     which is what a server that is not the API, or the API behind a wrong base path, answers.
//
// A gateway in front of orq can still answer a route miss in one of these shapes: a deletion
// therefore confirms a 404 with a list call before it lets an object go (see CheckAPI).
//
// Anything else (an HTML or text page, JSON of another shape such as NestJS's
// {"statusCode","message","error"} or Spring's {"status","error","path"}) came from a proxy, an
// ingress or another server, and says nothing about the agent: taking it for "gone" would make
// the operator recreate the agent or let its Agent go while the agent lives on. When in doubt the
// answer is KindMisconfigured, which stalls visibly instead.

// misplaced404 describes a 404 that does not mean "the object does not exist", or is "" for
// orq's own 404 to a request naming an object (member). A 404 to a top-level list or create says
// the endpoint is not there. The answer's text is left out: it may quote the request path, so a
// key.
func (c *Client) misplaced404(member bool, contentType string, body []byte) string {
	if !member {
		return c.BaseURL() + " answered 404 to a request that names no object: check the orq API base URL"
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
	msg, ok := orqErrorMessage(members)
	if !ok {
		return `JSON other than orq's {"message": string} or {"error": ...}`
	}
	if routeMiss.MatchString(msg) {
		return "a web server's route-miss message"
	}
	return ""
}

// orqErrorMessage reads an error answer in one of orq's shapes (see above), and returns its
// message; false for any other shape.
func orqErrorMessage(members map[string]json.RawMessage) (string, bool) {
	var msg string
	for name, v := range members {
		switch {
		case (name == "message" || name == "error") && len(v) > 0 && v[0] == '"':
			if json.Unmarshal(v, &msg) != nil {
				return "", false
			}
		case name == "error" && len(v) > 0 && v[0] == '{':
			var inner struct {
				Message string `json:"message"`
			}
			if json.Unmarshal(v, &inner) != nil {
				return "", false
			}
			msg = inner.Message
		case name == "code":
		default:
			return "", false
		}
	}
	_, hasMessage := members["message"]
	_, hasError := members["error"]
	return msg, hasMessage || hasError
}
