package export

import (
	"bytes"
	"encoding/json"
)

// decodeStrict decodes a member of orq's answer into the spec type that holds it, refusing a
// field the type does not hold: a manifest without it would not make the request orq answered.
func decodeStrict(v, into any) error {
	raw, ok := v.(json.RawMessage)
	if !ok {
		var err error
		if raw, err = json.Marshal(v); err != nil {
			return err
		}
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	return dec.Decode(into)
}

// unread is a member decoded into nothing: a secret the export never holds.
type unread struct{}

func (*unread) UnmarshalJSON([]byte) error { return nil }
