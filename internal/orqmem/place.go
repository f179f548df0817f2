package orqmem

import (
	"fmt"
	"net/http"
)

// place resolves where an update puts the agent: it rewrites req's path to
// the stored path and sets req's project_id to the project's id, or returns
// the error answer. A sent path names the project by its first element (see
// scope); a sent project_id must name a project the caller can see, and
// moves the agent there, keeping its folders; sent together they must agree.
// The caller must hold s.mu.
func (s *Server) place(sc scope, rec *agentRecord, req map[string]any, newID func() string) *response {
	path, _ := rec.doc["path"].(string)
	sentPath, hasPath := req["path"].(string)
	if hasPath {
		path = sc.storedPath(sentPath)
		if project, _ := splitPath(path); project == "" {
			resp := errorResponse(http.StatusBadRequest, fieldPath("path").fail(msgPathNoProject).Error())
			return &resp
		}
	}
	sentID, hasID := req["project_id"].(string)
	if hasID {
		name, known := s.projects.nameOf(sentID)
		if !known || (sc != "" && name != string(sc)) {
			resp := errorResponse(http.StatusNotFound, msgProjectNotFound)
			return &resp
		}
		project, folders := splitPath(path)
		if hasPath && project != name {
			msg := fmt.Sprintf("project_id: names project %q but path names project %q", name, project)
			resp := errorResponse(http.StatusBadRequest, msg)
			return &resp
		}
		path = joinPath(name, folders)
	}
	if hasPath || hasID {
		project, _ := splitPath(path)
		req["path"] = path
		req["project_id"] = s.projects.idOf(project, newID)
	}
	return nil
}
