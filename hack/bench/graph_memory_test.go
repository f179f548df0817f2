package main

import (
	"errors"
	"strings"
	"testing"
)

func TestGraphMemoryGrowth(t *testing.T) {
	graph := func(n, objects int, peak, end, live uint64) *result {
		r := newResult(n, "graph", "graph")
		r.graphMem = &graphMemory{objects: objects, peakRSS: peak << 20, endRSS: end << 20, live: live << 20}
		return r
	}
	if graphMemoryGrowth([]*result{graph(1000, 2000, 80, 70, 10)}) != nil {
		t.Fatal("one graph: no growth to report")
	}
	other := newResult(1000, "create", "create")
	res := graphMemoryGrowth([]*result{other, graph(5000, 10000, 120, 110, 30), graph(10000, 20000, 170, 150, 55)})
	if res == nil || len(res.heads) != 2 || len(res.tbl.rows) != 1 {
		t.Fatalf("two graphs: want one row and two headlines, got %+v", res)
	}
	// 10000 objects more: live heap +25 MiB, peak RSS +50 MiB.
	if got := res.heads[0].measured; got != "2.5 MiB" {
		t.Errorf("live heap per 1,000 objects = %s, want 2.5 MiB", got)
	}
	if got := res.heads[1].measured; got != "5.0 MiB" {
		t.Errorf("peak RSS per 1,000 objects = %s, want 5.0 MiB", got)
	}
	if row := strings.Join(res.tbl.rows[0], " | "); !strings.Contains(row, "5.0 MiB, 4.0 MiB, 2.5 MiB") {
		t.Errorf("row %q: want the growth of peak RSS, RSS at the end and live heap", row)
	}
	failed := graph(20000, 40000, 300, 300, 100)
	failed.err = errors.New("timeout")
	if res := graphMemoryGrowth([]*result{graph(5000, 10000, 120, 110, 30), failed}); res != nil {
		t.Error("a failed graph scenario is no measurement")
	}
}
