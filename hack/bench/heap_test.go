package main

import "testing"

func TestParseHeapStats(t *testing.T) {
	// The end of /debug/pprof/heap?debug=1, as runtime/pprof writes it.
	text := `heap profile: 3: 4096 [10: 8192] @ heap/1048576
1: 2048 [1: 2048] @ 0x1 0x2
#	0x1	main.f+0x10	/src/main.go:10

# runtime.MemStats
# Alloc = 41943040
# TotalAlloc = 999999999
# Sys = 104857600
# HeapAlloc = 41943040
# HeapSys = 67108864
# HeapIdle = 20971520
# HeapInuse = 46137344
# HeapReleased = 10485760
# HeapObjects = 123456
# Stack = 1048576 / 1048576
# NextGC = 83886080
# PauseNs = [1000 2000 0]
# NumGC = 42
# GCCPUFraction = 0.012
`
	h, err := parseHeapStats(text)
	if err != nil {
		t.Fatal(err)
	}
	want := heapStats{heapInuse: 46137344, heapAlloc: 41943040, heapIdle: 20971520, heapReleased: 10485760, sys: 104857600, nextGC: 83886080, numGC: 42}
	if h != want {
		t.Errorf("parseHeapStats = %+v, want %+v", h, want)
	}
	if _, err := parseHeapStats("heap profile: 0: 0 [0: 0] @ heap/1048576\n"); err == nil {
		t.Error("a profile without runtime.MemStats parsed")
	}
	if _, err := parseHeapStats("# HeapInuse = lots\n"); err == nil {
		t.Error("a value that is no number parsed")
	}
}

func TestPprofAddrIn(t *testing.T) {
	for _, tc := range []struct {
		args []string
		addr string
		set  bool
	}{
		{nil, "", false},
		{[]string{"--zap-log-level=info"}, "", false},
		{[]string{"--pprof-bind-address=127.0.0.1:6060"}, "127.0.0.1:6060", true},
		{[]string{"-pprof-bind-address", ":7070"}, ":7070", true},
		{[]string{"--pprof-bind-address=:1", "--pprof-bind-address=:2"}, ":2", true}, // the last wins
		{[]string{"--pprof-bind-address=0"}, "", true},                               // turned off
	} {
		addr, set := pprofAddrIn(tc.args)
		if addr != tc.addr || set != tc.set {
			t.Errorf("pprofAddrIn(%q) = %q, %v; want %q, %v", tc.args, addr, set, tc.addr, tc.set)
		}
	}
}
