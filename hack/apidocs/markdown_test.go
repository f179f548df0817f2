package main

import "testing"

func TestMarkdown(t *testing.T) {
	for _, tc := range []struct{ got, want string }{
		{code("a.b"), "`a.b`"},
		{code("self.x.matches('^`+$')"), "`` self.x.matches('^`+$') ``"},
		{code(" padded "), "`  padded  `"},
		{text("One\nline.\n\nTwo <b> & `<c>`."), "One line.<br><br>Two &lt;b> &amp; `<c>`."},
		{text("  \n "), ""},
		{cell("a | b\nc"), `a \| b<br>c`},
		{codeList([]string{"x", "y"}), "`x`, `y`"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}
