package testbed

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// clockTicks is USER_HZ, the unit of /proc/PID/stat's utime and stime: 100
// on every Linux architecture Go supports (sysconf(_SC_CLK_TCK) needs cgo).
const clockTicks = 100

// CPUSample is a process's CPU time (user + system, all threads) at a moment.
type CPUSample struct {
	At  time.Time
	CPU time.Duration
}

// SampleCPU reads utime+stime of pid from /proc/PID/stat.
func SampleCPU(pid int) (CPUSample, error) {
	now := time.Now()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return CPUSample{}, fmt.Errorf("cpu of pid %d: %w", pid, err)
	}
	// The command name (field 2) may hold spaces; fields after it start
	// at field 3 (state); utime and stime are fields 14 and 15.
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return CPUSample{}, fmt.Errorf("cpu of pid %d: malformed stat %q", pid, s)
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 13 {
		return CPUSample{}, fmt.Errorf("cpu of pid %d: short stat %q", pid, s)
	}
	ut, err1 := strconv.ParseInt(f[11], 10, 64)
	st, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return CPUSample{}, fmt.Errorf("cpu of pid %d: utime %q stime %q", pid, f[11], f[12])
	}
	return CPUSample{At: now, CPU: time.Duration(ut+st) * time.Second / clockTicks}, nil
}

// CPUPercent is the CPU used between two samples in % of one core.
func CPUPercent(from, to CPUSample) float64 {
	wall := to.At.Sub(from.At)
	if wall <= 0 {
		return 0
	}
	return 100 * float64(to.CPU-from.CPU) / float64(wall)
}
