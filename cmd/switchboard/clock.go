package main

import (
	"fmt"
	"time"

	"switchboard/report"
	"switchboard/routing"
)

// ClockConfig sets the time Switchboard starts at, for rehearsals and
// tests of business hours ("what does a caller hear on Saturday night?").
// Never in production: the event log would carry the set times.
type ClockConfig struct {
	// Start is an RFC 3339 time ("2026-12-05T21:00:00+08:00"); the clock
	// runs on from it at real speed. Empty: the machine's clock.
	Start string `yaml:"start"`
}

func (c ClockConfig) validate() error {
	if c.Start == "" {
		return nil
	}
	if _, err := time.Parse(time.RFC3339, c.Start); err != nil {
		return fmt.Errorf("clock.start: %q is not an RFC 3339 time like 2026-12-05T21:00:00+08:00", c.Start)
	}
	return nil
}

// offset is how far the set clock is from the machine's now.
func (c ClockConfig) offset(now time.Time) time.Duration {
	if c.Start == "" {
		return 0
	}
	t, _ := time.Parse(time.RFC3339, c.Start) // validated
	return t.Sub(now)
}

// shiftedReportClock is the engine's shifted clock as a report.Clock (the
// export scheduler); its waits take real time.
type shiftedReportClock struct{ routing.ShiftedClock }

func (shiftedReportClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

// clocks are the engine's, the reports' and the wallboard's time sources,
// all moved together when clock.start is set (read once, at start).
type clocks struct {
	engine routing.Clock
	report report.Clock
	now    func() time.Time
}

func newClocks(c ClockConfig, now time.Time) clocks {
	off := c.offset(now)
	if off == 0 {
		return clocks{engine: routing.SystemClock{}, report: report.SystemClock, now: time.Now}
	}
	sc := routing.ShiftedClock{Offset: off}
	return clocks{engine: sc, report: shiftedReportClock{sc}, now: sc.Now}
}
