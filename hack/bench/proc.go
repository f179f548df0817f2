package main

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Process figures from Linux's /proc: peak RSS and CPU time.

// clockTicks is USER_HZ, the unit of utime and stime in /proc/<pid>/stat (100 on Linux).
const clockTicks = 100

// parseStatusKB returns a "Name:   123 kB" field of /proc/<pid>/status, in bytes.
func parseStatusKB(status, field string) (uint64, bool) {
	for _, line := range strings.Split(status, "\n") {
		rest, ok := strings.CutPrefix(line, field+":")
		if !ok {
			continue
		}
		f := strings.Fields(rest)
		if len(f) == 0 {
			return 0, false
		}
		v, err := strconv.ParseUint(f[0], 10, 64)
		if err != nil {
			return 0, false
		}
		if len(f) > 1 && f[1] == "kB" {
			v *= 1024
		}
		return v, true
	}
	return 0, false
}

// statFields returns the fields of /proc/<pid>/stat after the command name (which may hold
// spaces and parentheses): field 3 (state) is index 0.
func statFields(stat string) ([]string, string, error) {
	open := strings.IndexByte(stat, '(')
	closing := strings.LastIndexByte(stat, ')')
	if open < 0 || closing < open {
		return nil, "", fmt.Errorf("malformed stat %q", stat)
	}
	return strings.Fields(stat[closing+1:]), stat[open+1 : closing], nil
}

// parseStatCPU returns utime+stime of a /proc/<pid>/stat line, in seconds.
func parseStatCPU(stat string) (float64, error) {
	f, _, err := statFields(stat)
	if err != nil {
		return 0, err
	}
	// utime and stime are fields 14 and 15 of the line, 12 and 13 after the command.
	if len(f) < 13 {
		return 0, fmt.Errorf("short stat %q", stat)
	}
	u, err1 := strconv.ParseUint(f[11], 10, 64)
	s, err2 := strconv.ParseUint(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("malformed stat %q", stat)
	}
	return float64(u+s) / clockTicks, nil
}

// parseStatPPID returns the command name and the parent pid of a /proc/<pid>/stat line.
func parseStatPPID(stat string) (string, int, error) {
	f, comm, err := statFields(stat)
	if err != nil {
		return "", 0, err
	}
	if len(f) < 2 {
		return "", 0, fmt.Errorf("short stat %q", stat)
	}
	ppid, err := strconv.Atoi(f[1])
	return comm, ppid, err
}

// parseSystemBusy returns the busy CPU seconds of all cores from /proc/stat's "cpu" line:
// everything but idle and iowait.
func parseSystemBusy(stat string) (float64, error) {
	for _, line := range strings.Split(stat, "\n") {
		f := strings.Fields(line)
		if len(f) < 5 || f[0] != "cpu" {
			continue
		}
		var busy uint64
		for i, v := range f[1:] {
			if i >= 8 { // guest and guest_nice are already in user and nice
				break
			}
			n, err := strconv.ParseUint(v, 10, 64)
			if err != nil {
				return 0, fmt.Errorf("malformed /proc/stat line %q", line)
			}
			if i != 3 && i != 4 { // idle, iowait
				busy += n
			}
		}
		return float64(busy) / clockTicks, nil
	}
	return 0, fmt.Errorf("no cpu line in /proc/stat")
}

// systemBusy returns the busy CPU seconds of the machine since boot; 0 when unknown.
func systemBusy() float64 {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0
	}
	v, _ := parseSystemBusy(string(b))
	return v
}

// procCPU returns the CPU seconds (user+system) of pid; 0 when it cannot be read.
func procCPU(pid int) float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	v, _ := parseStatCPU(string(b))
	return v
}

// procPeakRSS returns VmHWM of pid in bytes; 0 when it cannot be read.
func procPeakRSS(pid int) uint64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	v, _ := parseStatusKB(string(b), "VmHWM")
	return v
}

// resetPeakRSS resets VmHWM of pid to its current RSS (Linux ≥ 4.0), so that the next reading
// is the peak since now.
func resetPeakRSS(pid int) error {
	return os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", pid), []byte("5"), 0)
}

// childrenByName returns the pids of the direct children of ppid, by command name.
func childrenByName(ppid int) map[string]int {
	out := map[string]int{}
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	for _, path := range stats {
		b, err := os.ReadFile(path)
		if err != nil {
			continue
		}
		comm, parent, err := parseStatPPID(string(b))
		if err != nil || parent != ppid {
			continue
		}
		pid, err := strconv.Atoi(filepath.Base(filepath.Dir(path)))
		if err == nil {
			out[comm] = pid
		}
	}
	return out
}

// machine describes the host: CPU model, cores and memory.
func machine() string {
	model := "unknown CPU"
	if f, err := os.Open("/proc/cpuinfo"); err == nil {
		s := bufio.NewScanner(f)
		for s.Scan() {
			if k, v, ok := strings.Cut(s.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
				model = strings.TrimSpace(v)
				break
			}
		}
		_ = f.Close()
	}
	mem := ""
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		if v, ok := parseStatusKB(string(b), "MemTotal"); ok {
			mem = fmt.Sprintf(", %.0f GiB RAM", float64(v)/(1<<30))
		}
	}
	return fmt.Sprintf("%s%s", model, mem)
}
