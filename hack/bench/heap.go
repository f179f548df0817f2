package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"
)

// The manager's heap, read from its profiling endpoints (--pprof-bind-address): the Go runtime's
// own figures (runtime.MemStats, at the end of /debug/pprof/heap?debug=1), and the heap profile
// itself, kept for `go tool pprof`.

// pprofFlag is the manager's flag of its profiling endpoints.
const pprofFlag = "--pprof-bind-address"

// pprofAddrIn returns the address of the profiling endpoints the manager's extra flags set (the
// last one, as the flag package takes it), and whether they set one at all: "0" turns them off.
func pprofAddrIn(args []string) (addr string, set bool) {
	for i, a := range args {
		a = "--" + strings.TrimLeft(a, "-")
		switch {
		case strings.HasPrefix(a, pprofFlag+"="):
			addr, set = strings.TrimPrefix(a, pprofFlag+"="), true
		case a == pprofFlag && i+1 < len(args):
			addr, set = args[i+1], true
		}
	}
	if addr == "0" {
		addr = ""
	}
	return addr, set
}

// freeLoopbackAddr returns an address on loopback that no one listened on a moment ago.
func freeLoopbackAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// heapStats are the figures of runtime.MemStats the report shows, in bytes.
type heapStats struct {
	heapInuse, heapAlloc, heapIdle, heapReleased, sys, nextGC uint64
	numGC                                                     uint64
}

// parseHeapStats reads the "# Name = value" lines of runtime.MemStats that
// /debug/pprof/heap?debug=1 ends with.
func parseHeapStats(text string) (heapStats, error) {
	var h heapStats
	fields := map[string]*uint64{"HeapInuse": &h.heapInuse, "HeapAlloc": &h.heapAlloc, "HeapIdle": &h.heapIdle,
		"HeapReleased": &h.heapReleased, "Sys": &h.sys, "NextGC": &h.nextGC, "NumGC": &h.numGC}
	found := 0
	for _, line := range strings.Split(text, "\n") {
		name, value, ok := strings.Cut(strings.TrimPrefix(line, "# "), " = ")
		p, known := fields[name]
		if !ok || !known || !strings.HasPrefix(line, "# ") {
			continue
		}
		v, err := strconv.ParseUint(strings.TrimSpace(value), 10, 64)
		if err != nil {
			return h, fmt.Errorf("runtime.MemStats %s: %q is not a number", name, value)
		}
		*p = v
		found++
	}
	if h.heapInuse == 0 {
		return h, fmt.Errorf("no runtime.MemStats in the heap profile (%d of its fields found)", found)
	}
	return h, nil
}

// pprofGet reads one profiling endpoint of the manager.
func pprofGet(ctx context.Context, addr, pathAndQuery string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+pathAndQuery, nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err == nil && resp.StatusCode != http.StatusOK {
		err = fmt.Errorf("%s: HTTP %d", pathAndQuery, resp.StatusCode)
	}
	return body, err
}

// readHeapStats reads the manager's runtime.MemStats; afterGC first collects garbage, so that
// the heap in use is the live heap (and what cannot be returned between its objects).
func readHeapStats(ctx context.Context, addr string, afterGC bool) (heapStats, error) {
	q := "/debug/pprof/heap?debug=1"
	if afterGC {
		q += "&gc=1"
	}
	body, err := pprofGet(ctx, addr, q)
	if err != nil {
		return heapStats{}, err
	}
	return parseHeapStats(string(body))
}

// saveHeapProfile writes the manager's heap profile (after a collection) to path, for
// `go tool pprof -sample_index=inuse_space`.
func saveHeapProfile(ctx context.Context, addr, path string) error {
	body, err := pprofGet(ctx, addr, "/debug/pprof/heap?gc=1")
	if err != nil {
		return err
	}
	return os.WriteFile(path, body, 0o644)
}
