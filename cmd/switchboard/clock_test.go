package main

import (
	"testing"
	"time"

	"switchboard/config"
)

func TestSetClockStartsThereAndRuns(t *testing.T) {
	real := time.Now()
	c := newClocks(config.ClockConfig{Start: "2026-12-05T21:00:00+08:00"}, real)
	want, _ := time.Parse(time.RFC3339, "2026-12-05T21:00:00+08:00")
	for name, now := range map[string]time.Time{
		"engine": c.engine.Now(), "report": c.report.Now(), "wallboard": c.now(),
	} {
		// Each was read just after real: it is at most a moment past the start.
		if d := now.Sub(want); d < 0 || d > time.Since(real)+time.Millisecond {
			t.Errorf("%s clock at %v, want %v (+%v)", name, now, want, d)
		}
	}
	m := newClocks(config.ClockConfig{}, real)
	if d := time.Since(m.engine.Now()); d < -time.Second || d > time.Second {
		t.Errorf("no clock.start: the engine is %v off the machine's clock", d)
	}
}
