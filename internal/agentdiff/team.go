package agentdiff

import "slices"

// WithoutMembers is the PATCH that removes the members with the given keys from a remote agent's
// team (the rest kept as they are), and the keys it removes.
func WithoutMembers(remote Object, keys []string) (Object, []string) {
	team, _ := remote["team_of_agents"].([]any)
	kept := make([]any, 0, len(team))
	var dropped []string
	for _, m := range team {
		member, _ := m.(Object)
		if k, _ := member["key"].(string); slices.Contains(keys, k) {
			dropped = append(dropped, k)
			continue
		}
		kept = append(kept, m)
	}
	return Object{"team_of_agents": kept}, dropped
}
