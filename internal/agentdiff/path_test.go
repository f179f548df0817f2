package agentdiff

import "testing"

func TestSamePath(t *testing.T) {
	cases := []struct {
		want, have any
		same       bool
	}{
		{"Default/support", "Default/support", true}, // workspace key: echoed as sent
		{"Default/support", "support", true},         // key scoped to Default: relative echo
		{"Default", "", true},                        // the project's root, relative
		{"Default/a/b", "a/b", true},                 // deeper folders
		{"Default/support", "Default/sales", false},  // moved to another folder
		{"Default/support", "sales", false},          // moved, relative echo
		{"Default/support", "Other/support", false},  // moved to another project
		{"Default/a/b", "b", false},                  // only one leading element is dropped
		{"Default", "support", false},                // root vs folder
		{"Default/support", nil, false},              // absent in the echo
		{nil, nil, true},
	}
	for _, tc := range cases {
		if got := samePath(tc.want, tc.have); got != tc.same {
			t.Errorf("samePath(%v, %v) = %v, want %v", tc.want, tc.have, got, tc.same)
		}
	}
}

// An agent created with a project-scoped key echoes a relative path: no difference, so no PATCH.
func TestDiffAcceptsTheRelativePathOfAProjectKey(t *testing.T) {
	desired := Object{"path": "Default/support", "role": "r"}
	if got := Diff(desired, Object{"path": "support", "role": "r"}); len(got) != 0 {
		t.Errorf("Diff = %v, want none", got)
	}
	if got := Diff(desired, Object{"path": "billing", "role": "r"}); len(got) != 1 || got[0] != "path" {
		t.Errorf("Diff = %v, want path", got)
	}
}
