package orqclient

import "testing"

// The API's message is what status and events show: each error shape of orq's gives its text.
func TestAPIMessage(t *testing.T) {
	for _, tc := range []struct{ body, want string }{
		{`{"message":"Agent not found"}`, "Agent not found"},
		{`{"code":"not_found","message":"Memory store not found"}`, "Memory store not found"},
		{`{"error":"Tool not found"}`, "Tool not found"},
		{`{"error":{"code":"agent_version_not_found","message":"Agent \"a\" has no version \"1.1.0\""}}`, `Agent "a" has no version "1.1.0"`},
		{`{"error":{"code":"x"}}`, `{"code":"x"}`},
		{`{"message":["a","b"]}`, `["a","b"]`},
		{`plain text`, "plain text"},
		{``, "Not Found"},
	} {
		if got := apiMessage([]byte(tc.body), 404); got != tc.want {
			t.Errorf("apiMessage(%s) = %q, want %q", tc.body, got, tc.want)
		}
	}
}
