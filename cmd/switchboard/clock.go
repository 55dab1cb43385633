package main

import (
	"time"

	"switchboard/config"
	"switchboard/report"
	"switchboard/routing"
)

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

func newClocks(c config.ClockConfig, now time.Time) clocks {
	off := c.Offset(now)
	if off == 0 {
		return clocks{engine: routing.SystemClock{}, report: report.SystemClock, now: time.Now}
	}
	sc := routing.ShiftedClock{Offset: off}
	return clocks{engine: sc, report: shiftedReportClock{sc}, now: sc.Now}
}
