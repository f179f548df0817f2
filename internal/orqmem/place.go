package orqmem

import (
	"fmt"
	"net/http"
)

// placeNew resolves the path a create body sent (see scope): it returns the
// stored workspace path and its project's id, creating the project on its
// first mention. The caller must hold s.mu.
func (s *Server) placeNew(sc scope, sent string, newID func() string) (path, projectID string, err error) {
	path = sc.storedPath(sent)
	project, _ := splitPath(path)
	if project == "" {
		return "", "", fieldPath("path").fail(msgPathNoProject)
	}
	return path, s.projects.idOf(project, newID), nil
}

// move resolves where an update puts an object now at path. A sent path
// names the project by its first element (see scope); a sent project id
// (projectField: "project_id", or "domain_id" for knowledge bases) must name
// a project the caller can see, and moves the object there, keeping its
// folders; sent together they must agree. It returns the new path and its
// project's id; ok is false when the body sent neither. The caller must hold
// s.mu.
func (s *Server) move(sc scope, path string, req map[string]any, projectField string, newID func() string) (string, string, bool, error) {
	sentPath, hasPath := req["path"].(string)
	if hasPath {
		path = sc.storedPath(sentPath)
		if project, _ := splitPath(path); project == "" {
			return "", "", false, fieldPath("path").fail(msgPathNoProject)
		}
	}
	sentID, hasID := req[projectField].(string)
	if hasID {
		name, known := s.projects.nameOf(sentID)
		if !known || (sc != "" && name != string(sc)) {
			return "", "", false, failWith(http.StatusNotFound, msgProjectNotFound)
		}
		project, folders := splitPath(path)
		if hasPath && project != name {
			return "", "", false, fieldPath(projectField).fail("names project %q but path names project %q", name, project)
		}
		path = joinPath(name, folders)
	}
	if !hasPath && !hasID {
		return path, "", false, nil
	}
	project, _ := splitPath(path)
	return path, s.projects.idOf(project, newID), true, nil
}

// place resolves where an update puts the agent: it rewrites req's path to
// the stored path and sets req's project_id to the project's id, or returns
// the error answer. The caller must hold s.mu.
func (s *Server) place(sc scope, rec *agentRecord, req map[string]any, newID func() string) *response {
	current, _ := rec.doc["path"].(string)
	path, projectID, moved, err := s.move(sc, current, req, "project_id", newID)
	if err != nil {
		resp := failure(err)
		return &resp
	}
	if moved {
		req["path"], req["project_id"] = path, projectID
	}
	return nil
}

// visible reports whether the caller may see e: a project key sees its
// project's objects only, and a schedule is seen with its agent. The caller
// must hold s.mu.
func (s *Server) visible(sc scope, e *entry) bool {
	if e.owner != "" {
		agent, ok := s.agentByID(e.owner)
		return ok && s.agentVisible(sc, agent)
	}
	if sc == "" {
		return true
	}
	id, known := s.projects.idByName[string(sc)]
	return known && e.projectID == id
}

// agentVisible reports whether the caller may see rec. The caller must
// hold s.mu.
func (s *Server) agentVisible(sc scope, rec *agentRecord) bool {
	if sc == "" {
		return true
	}
	id, known := s.projects.idByName[string(sc)]
	return known && rec.doc["project_id"] == id
}

// inUse is the message refusing to delete an object agents reference.
func inUse(noun string, e *entry, agents []string) string {
	name := e.key
	if name == "" {
		name = e.id
	}
	return fmt.Sprintf("%s %q is used by agents: %s", noun, name, joinComma(agents))
}
