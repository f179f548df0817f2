package orqclient

// Remote is an object of any collection as the API returns it: its identity and update time,
// decoded once, and the complete body for comparison.
type Remote struct {
	ID  string
	Key string
	// Created and Updated are the API's timestamps as it sends them: kept as strings, so that an
	// update time compares equal to the same object's in a list answer.
	Created, Updated string
	// Raw is the complete object as returned.
	Raw Body
}

// DecodeRemote reads the identity of an object from its body.
func DecodeRemote(b Body) *Remote {
	str := func(k string) string { s, _ := b[k].(string); return s }
	return &Remote{ID: str("_id"), Key: str("key"), Created: str("created"), Updated: str("updated"), Raw: b}
}
