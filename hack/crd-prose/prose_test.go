package main

import (
	"reflect"
	"strings"
	"testing"
)

func TestUnwrap(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"one line", "The tool type.", "The tool type."},
		{"wrapped paragraph", "What happens to the remote object\nwhen this object is deleted.", "What happens to the remote object when this object is deleted."},
		{"paragraphs kept", "First line\nof one.\n\nSecond\nparagraph.", "First line of one.\n\nSecond paragraph."},
		{"blank lines collapse", "One.\n\n\n\nTwo.", "One.\n\nTwo."},
		{"edges trimmed", "\n\nOne\n\n", "One"},
		{"windows line ends", "One\r\ntwo.", "One two."},
		{"list items stay", "Values:\n- a, the\n  first\n- b\n1. c", "Values:\n- a, the\n  first\n- b\n1. c"},
		{"fence kept as written", "Example:\n```yaml\nkey: value\n  nested: 1\n```\nAfter\nit.", "Example:\n```yaml\nkey: value\n  nested: 1\n```\nAfter it."},
		{"indented code stays", "Like this:\n    a := 1\n    b := 2", "Like this:\n    a := 1\n    b := 2"},
		{"trailing spaces", "One \ntwo  ", "One two"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := unwrap(tc.in); got != tc.want {
				t.Errorf("unwrap(%q)\n got %q\nwant %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestHardWraps(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []int
	}{
		{"One line.", nil},
		{"One\ntwo.", []int{2}},
		{"One.\n\nTwo\nthree\nfour.", []int{4, 5}},
		{"List:\n- a\n- b", nil},
		{"```\na\nb\n```", nil},
		{"Code:\n    a\n    b", nil},
		{"- a\ncontinued", []int{2}},
	} {
		if got := hardWraps(tc.in); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("hardWraps(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

// FuzzUnwrap: unwrap changes only white space, leaves no hard wrap, and is idempotent (so that
// `make manifests` twice changes nothing).
func FuzzUnwrap(f *testing.F) {
	for _, s := range []string{"a\nb", "a\n\nb\nc", "- a\n- b\nc", "```\nx\n  y\n```\nz\nw", "  a\n\tb\n1. c\n2) d", "\r\n\r\nx \n y"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		once := unwrap(s)
		if !reflect.DeepEqual(strings.Fields(once), strings.Fields(s)) {
			t.Fatalf("unwrap(%q) = %q changed more than white space", s, once)
		}
		if w := hardWraps(once); len(w) > 0 {
			t.Fatalf("unwrap(%q) = %q keeps hard wraps at lines %v", s, once, w)
		}
		if twice := unwrap(once); twice != once {
			t.Fatalf("unwrap is not idempotent on %q: %q, then %q", s, once, twice)
		}
	})
}
