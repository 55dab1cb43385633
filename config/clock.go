package config

import (
	"fmt"
	"time"
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

// Offset is how far the set clock is from the machine's now.
func (c ClockConfig) Offset(now time.Time) time.Duration {
	if c.Start == "" {
		return 0
	}
	t, _ := time.Parse(time.RFC3339, c.Start) // validated
	return t.Sub(now)
}
