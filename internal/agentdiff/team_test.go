package agentdiff

import (
	"reflect"
	"testing"
)

func TestWithoutMembers(t *testing.T) {
	remote := Object{"team_of_agents": []any{
		Object{"key": "a", "role": "r1"}, Object{"key": "b", "role": "r2"}, Object{"key": "c"},
	}}
	cases := []struct {
		keys        []string
		wantKept    []any
		wantDropped []string
	}{
		{[]string{"b"}, []any{Object{"key": "a", "role": "r1"}, Object{"key": "c"}}, []string{"b"}},
		{[]string{"x"}, []any{Object{"key": "a", "role": "r1"}, Object{"key": "b", "role": "r2"}, Object{"key": "c"}}, nil},
		{[]string{"a", "c"}, []any{Object{"key": "b", "role": "r2"}}, []string{"a", "c"}},
	}
	for _, tc := range cases {
		body, dropped := WithoutMembers(remote, tc.keys)
		if !reflect.DeepEqual(body, Object{"team_of_agents": tc.wantKept}) || !reflect.DeepEqual(dropped, tc.wantDropped) {
			t.Errorf("WithoutMembers(%v) = %v, %v", tc.keys, body, dropped)
		}
	}
	if body, _ := WithoutMembers(Object{}, []string{"a"}); !reflect.DeepEqual(body, Object{"team_of_agents": []any{}}) {
		t.Errorf("no team: %v", body)
	}
}
