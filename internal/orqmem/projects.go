package orqmem

import "strings"

// DefaultProjectName is the project whose id is Options.ProjectID.
const DefaultProjectName = "Default"

// msgProjectNotFound answers an update whose project_id names no project
// the caller can see. PATCH documents one error body, the 404
// {"message": ...}, hence that status.
const msgProjectNotFound = "Project not found"

// msgPathNoProject refuses a workspace-key path whose first element is
// empty: with a workspace key it must name a project.
const msgPathNoProject = "must start with the name of a project"

// projectRegistry models the workspace's projects: a path's first element
// names a project, and one name always has one id. orq wants the project to
// exist; orqmem has no projects API, so a new name creates the project.
type projectRegistry struct {
	idByName map[string]string
	nameByID map[string]string
}

// newProjectRegistry returns a registry holding the seed projects
// (name -> id).
func newProjectRegistry(seed map[string]string) projectRegistry {
	r := projectRegistry{idByName: map[string]string{}, nameByID: map[string]string{}}
	for name, id := range seed {
		r.idByName[name], r.nameByID[id] = id, name
	}
	return r
}

// idOf returns the id of project name, creating the project with newID()
// on its first mention.
func (r projectRegistry) idOf(name string, newID func() string) string {
	if id, ok := r.idByName[name]; ok {
		return id
	}
	id := newID()
	r.idByName[name], r.nameByID[id] = id, name
	return id
}

// nameOf returns the name of the project with id, if it exists.
func (r projectRegistry) nameOf(id string) (string, bool) {
	name, ok := r.nameByID[id]
	return name, ok
}

// projectSeed gathers the projects of opts known from the start.
func projectSeed(opts Options) map[string]string {
	seed := map[string]string{DefaultProjectName: DefaultProjectID}
	if opts.ProjectID != "" {
		seed[DefaultProjectName] = opts.ProjectID
	}
	for name, id := range opts.Projects {
		seed[name] = id
	}
	return seed
}

// splitPath splits a workspace path into its project name and the folders
// below it ("" when none).
func splitPath(path string) (project, folders string) {
	project, folders, _ = strings.Cut(path, "/")
	return project, folders
}

// joinPath is the inverse of splitPath.
func joinPath(project, folders string) string {
	if folders == "" {
		return project
	}
	return project + "/" + folders
}
