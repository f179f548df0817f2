package orqmem

import (
	"strconv"
	"strings"
	"testing"
)

func TestCheckCron(t *testing.T) {
	good := []string{
		"0 0 * * * *", "0 0 9 * * *", "0 0 9 * * 1", "0 0 0 * * 0", "0 0 23 * * 6", "0 0 * * * 3", "0 0 10 * * *",
	}
	bad := []string{
		"", "0 0 * * *", "0 0 * * * * *", "* 0 * * * *", "0 * * * * *", "0 30 * * * *", "5 0 * * * *",
		"0 0 24 * * *", "0 0 -1 * * *", "0 0 09 * * *", "0 0 +9 * * *", "0 0 9 * * 7", "0 0 9 * * 01",
		"0 0 9 1 * *", "0 0 9 * 1 *", "0 0 9-17 * * *", "0 0 9,17 * * *", "0 0 */2 * * *", "0 0 9 * * MON",
		"0 0 9 * * 1-5", "0  0 9 * * *", " 0 0 9 * * *", "0 0 9 * * * ", "0\t0 9 * * *", "@every 1h",
		"@at 2025-01-01T00:00:00Z", "0 0 9 ? * *", "0 0 9 L * *", "00 0 9 * * *", "0 0 ９ * * *",
	}
	for _, e := range good {
		if err := checkCron(e); err != nil {
			t.Errorf("checkCron(%q) = %v, want accepted", e, err)
		}
	}
	for _, e := range bad {
		if err := checkCron(e); err == nil {
			t.Errorf("checkCron(%q) accepted", e)
		}
	}
}

// FuzzCheckCron checks that every accepted expression has exactly the
// documented shape, whatever the input.
func FuzzCheckCron(f *testing.F) {
	for _, seed := range []string{"0 0 * * * *", "0 0 9 * * 1", "0 0 23 * * 6", "0 0 9-17 * * *", "0 0 24 * * *", "0 0 09 * * *"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, expr string) {
		if checkCron(expr) != nil {
			return
		}
		fields := strings.Split(expr, " ")
		if len(fields) != 6 || fields[0] != "0" || fields[1] != "0" || fields[3] != "*" || fields[4] != "*" {
			t.Fatalf("accepted %q: wrong fixed fields", expr)
		}
		for i, max := range map[int]int{2: 23, 5: 6} {
			if fields[i] == "*" {
				continue
			}
			n, err := strconv.Atoi(fields[i])
			if err != nil || n < 0 || n > max || strconv.Itoa(n) != fields[i] {
				t.Fatalf("accepted %q: field %d is %q", expr, i, fields[i])
			}
		}
	})
}
