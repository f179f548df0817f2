package export

import (
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/util/validation"
)

func TestObjectName(t *testing.T) {
	long := strings.Repeat("a", 250) + "_b.c"
	cases := []struct{ key, want string }{
		{"Export_Plain", "export-plain"},
		{"a.agent", "a.agent"},
		{"user_prefs.v2", "user-prefs.v2"},
		{"My KB (prod)", "my-kb--prod"},
		{".lead._x_.", "lead.x"},
		{"café", "caf"},
		{"___", ""},
		{long, strings.Repeat("a", 250) + "-b"},
	}
	for _, tc := range cases {
		if got := objectName(tc.key); got != tc.want {
			t.Errorf("objectName(%q) = %q, want %q", tc.key, got, tc.want)
		}
	}
}

func TestNamerNumbersClashesAndFallsBack(t *testing.T) {
	n := newNamer("knowledgebase")
	var got []string
	for _, key := range []string{"FAQ", "faq", "faq-2", "???", "!!!"} {
		got = append(got, n.name(key))
	}
	if want := "faq,faq-2,faq-2-2,knowledgebase,knowledgebase-2"; strings.Join(got, ",") != want {
		t.Errorf("names = %s, want %s", strings.Join(got, ","), want)
	}
}

// Whatever the key (a knowledge base's is any string), the name is a valid object name, or empty.
func FuzzObjectName(f *testing.F) {
	for _, seed := range []string{"Export_Plain", "a..b", "-a-.-b-", "My KB (prod)", strings.Repeat("x.", 200), "é"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, key string) {
		name := objectName(key)
		if name == "" {
			return
		}
		if errs := validation.IsDNS1123Subdomain(name); len(errs) > 0 {
			t.Errorf("objectName(%q) = %q: %v", key, name, errs)
		}
		if numbered := withSuffix(name, "-12"); len(validation.IsDNS1123Subdomain(numbered)) > 0 {
			t.Errorf("withSuffix(%q, -12) = %q is not a name", name, numbered)
		}
	})
}
