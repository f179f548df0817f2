package orqmem

import (
	"regexp"
	"strings"
	"testing"
	"time"
)

var ulidRE = regexp.MustCompile(`^[0-9A-HJKMNP-TV-Z]{26}$`)

// decodeULIDTime returns the millisecond timestamp of a ULID.
func decodeULIDTime(id string) uint64 {
	var ms uint64
	for _, c := range id[:10] {
		ms = ms<<5 | uint64(strings.IndexRune(crockford, c))
	}
	return ms
}

func TestULIDFormatAndTime(t *testing.T) {
	var g ulidGen
	now := time.Date(2025, 1, 2, 3, 4, 5, 6_000_000, time.UTC)
	id := g.next(now)
	if !ulidRE.MatchString(id) {
		t.Fatalf("%q is not a ULID", id)
	}
	if got := decodeULIDTime(id); got != uint64(now.UnixMilli()) {
		t.Errorf("time part %d, want %d", got, now.UnixMilli())
	}
}

func TestULIDMonotonic(t *testing.T) {
	var g ulidGen
	base := time.Now()
	prev := ""
	for i := range 10_000 {
		// Same millisecond, then the clock going backwards, then forwards.
		at := base
		switch {
		case i%3 == 1:
			at = base.Add(-time.Second)
		case i%1000 == 999:
			base = base.Add(time.Millisecond)
		}
		id := g.next(at)
		if id <= prev {
			t.Fatalf("id %d %q not greater than %q", i, id, prev)
		}
		prev = id
	}
}

func TestEncodeULIDKnownValue(t *testing.T) {
	var max [10]byte
	for i := range max {
		max[i] = 0xff
	}
	if got := encodeULID(1<<48-1, max); got != "7ZZZZZZZZZZZZZZZZZZZZZZZZZ" {
		t.Errorf("max ULID = %q", got)
	}
	if got := encodeULID(0, [10]byte{}); got != strings.Repeat("0", 26) {
		t.Errorf("zero ULID = %q", got)
	}
}
