package openapi

import (
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// EnvGraphFile is the environment variable that overrides the location of
// the OpenAPI document of the tools, knowledge bases, memory stores and agent
// schedules ("graph-openapi.yaml").
const EnvGraphFile = "ORQ_GRAPH_OPENAPI_FILE"

// graphRelativeToModule is where that document lives relative to the
// directory that contains go.mod.
const graphRelativeToModule = "../shared/orq-api/graph-openapi.yaml"

// graphURL is the base URL under which the document is registered.
const graphURL = "file:///orq/graph-openapi.json"

// ErrUndocumented is returned by Graph.ValidateResponse for a status the
// operation does not document, and by both validators for an operation the
// document does not hold.
var ErrUndocumented = errors.New("not documented")

// Graph holds the compiled request and response schemas of every operation
// of the graph document, keyed by method and route template, e.g.
// "PATCH /v2/tools/{tool_id}".
type Graph struct {
	path string
	ops  map[string]*operation
}

// operation is one method of one path.
type operation struct {
	// request is the JSON request body schema; nil without one.
	request *jsonschema.Schema
	// responses maps the documented statuses to their JSON body schema;
	// nil for a response documented without content.
	responses map[int]*jsonschema.Schema
}

// LocateGraph returns the path of the graph document: ORQ_GRAPH_OPENAPI_FILE;
// else graph-openapi.yaml beside ORQ_OPENAPI_FILE when that is set (both
// documents are cut from one); else ../shared/orq-api/graph-openapi.yaml
// relative to the directory of go.mod. The returned error wraps ErrNotFound
// when no document exists.
func LocateGraph() (string, error) {
	graphFile, agentsFile := os.Getenv(EnvGraphFile), os.Getenv(EnvFile)
	if graphFile == "" && agentsFile != "" {
		beside := filepath.Join(filepath.Dir(agentsFile), filepath.Base(graphRelativeToModule))
		return existingFile(beside, "beside "+EnvFile)
	}
	return locate(graphFile, EnvGraphFile, graphRelativeToModule)
}

// LoadGraph reads the graph document at path and compiles the schemas of
// all its operations.
func LoadGraph(path string) (*Graph, error) {
	c, doc, err := compilerWithDoc(path, graphURL)
	if err != nil {
		return nil, err
	}
	paths, _ := doc.(map[string]any)["paths"].(map[string]any)
	if len(paths) == 0 {
		return nil, fmt.Errorf("OpenAPI document %s has no paths", path)
	}
	g := &Graph{path: path, ops: map[string]*operation{}}
	for route, item := range paths {
		methods, _ := item.(map[string]any)
		for method, raw := range methods {
			op, err := compileOperation(c, route, method, raw)
			if err != nil {
				return nil, err
			}
			if op != nil {
				g.ops[strings.ToUpper(method)+" "+route] = op
			}
		}
	}
	return g, nil
}

// compileOperation compiles the schemas of one operation; nil for path
// item members that are no operation (parameters, summary, ...).
func compileOperation(c *jsonschema.Compiler, route, method string, raw any) (*operation, error) {
	spec, ok := raw.(map[string]any)
	responses, hasResponses := spec["responses"].(map[string]any)
	if !ok || !hasResponses {
		return nil, nil
	}
	base := "/paths/" + escapePointer(route) + "/" + method
	op := &operation{responses: map[int]*jsonschema.Schema{}}
	if hasJSON(spec["requestBody"]) {
		sch, err := c.Compile(graphURL + "#" + base + "/requestBody/content/application~1json/schema")
		if err != nil {
			return nil, fmt.Errorf("compile request of %s %s: %w", method, route, err)
		}
		op.request = sch
	}
	for code, res := range responses {
		status, err := strconv.Atoi(code)
		if err != nil {
			continue // "default", "4XX": none in this document
		}
		op.responses[status] = nil
		if !hasJSON(res) {
			continue
		}
		sch, err := c.Compile(graphURL + "#" + base + "/responses/" + code + "/content/application~1json/schema")
		if err != nil {
			return nil, fmt.Errorf("compile response %s of %s %s: %w", code, method, route, err)
		}
		op.responses[status] = sch
	}
	return op, nil
}

// hasJSON reports whether a request body or response object has
// application/json content.
func hasJSON(v any) bool {
	m, _ := v.(map[string]any)
	content, _ := m["content"].(map[string]any)
	_, ok := content["application/json"]
	return ok
}

// escapePointer escapes a JSON pointer token.
func escapePointer(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

// Route returns the route template of the document that a request path
// (without query) matches, e.g. "/v2/tools/{tool_id}" for
// "/v2/tools/tool_01J...": same segments, a parameter matching any one
// segment; the template with the most literal segments wins.
func (g *Graph) Route(path string) (string, bool) {
	segments := strings.Split(path, "/")
	best, bestLiterals := "", -1
	for name := range g.ops {
		_, route, _ := strings.Cut(name, " ")
		if literals, ok := matchRoute(strings.Split(route, "/"), segments); ok && literals > bestLiterals {
			best, bestLiterals = route, literals
		}
	}
	return best, bestLiterals >= 0
}

// matchRoute reports whether path segments match template segments, and
// how many literal segments matched.
func matchRoute(template, path []string) (int, bool) {
	if len(template) != len(path) {
		return 0, false
	}
	literals := 0
	for i, t := range template {
		switch {
		case strings.HasPrefix(t, "{") && strings.HasSuffix(t, "}"):
			if path[i] == "" {
				return 0, false
			}
		case t == path[i]:
			literals++
		default:
			return 0, false
		}
	}
	return literals, true
}

// Path returns the file the Graph was loaded from.
func (g *Graph) Path() string { return g.path }

// Operations returns the "METHOD route" names of the operations held, sorted.
func (g *Graph) Operations() []string {
	out := make([]string, 0, len(g.ops))
	for k := range g.ops {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// ValidateRequest validates the JSON request body of the operation method
// route (a route template such as "/v2/tools/{tool_id}").
func (g *Graph) ValidateRequest(method, route string, body []byte) error {
	name := strings.ToUpper(method) + " " + route
	op, ok := g.ops[name]
	if !ok {
		return fmt.Errorf("%s: %w", name, ErrUndocumented)
	}
	if op.request == nil {
		return fmt.Errorf("%s takes no JSON body: %w", name, ErrUndocumented)
	}
	return validate(op.request, name+" request", body)
}

// ValidateResponse validates an answer of the operation method route with
// status. A response documented without content must be empty when it is a
// success; an error's body is then unspecified. A status the operation does
// not document is an error wrapping ErrUndocumented.
func (g *Graph) ValidateResponse(method, route string, status int, body []byte) error {
	name := strings.ToUpper(method) + " " + route
	op, ok := g.ops[name]
	if !ok {
		return fmt.Errorf("%s: %w", name, ErrUndocumented)
	}
	sch, ok := op.responses[status]
	switch {
	case !ok:
		return fmt.Errorf("%s answers %d: status %w", name, status, ErrUndocumented)
	case sch == nil && status < http.StatusBadRequest && len(body) > 0:
		return fmt.Errorf("%s answers %d with a body, documented without content", name, status)
	case sch == nil:
		return nil
	}
	return validate(sch, fmt.Sprintf("%s %d response", name, status), body)
}
