package config

import (
	"errors"
	"fmt"
	"sort"
	"time"

	"switchboard/report"
	"switchboard/routing"
)

// The reports:, exports: and wallboard: sections.

// ReportsConfig is the reports: section.
type ReportsConfig struct {
	// TimeZone is the one every report and the rollup's days use ("Local"
	// is the machine's).
	TimeZone string `yaml:"time_zone"`
	// ShortAbandon is S: callers hanging up within it of being queued are
	// short abandons, excluded from the rates.
	ShortAbandon routing.Duration `yaml:"short_abandon"`
}

// ExportsConfig is the exports: section.
type ExportsConfig struct {
	Retries   int               `yaml:"retries"` // tries after a failed run
	Backoff   routing.Duration  `yaml:"backoff"` // before the first retry, doubling
	Schedules []report.Schedule `yaml:"schedules"`
}

func (c *Config) validateReports() error {
	var errs []error
	loc, err := time.LoadLocation(c.Reports.TimeZone)
	if err != nil {
		errs = append(errs, fmt.Errorf("reports.time_zone: unknown time zone %q", c.Reports.TimeZone))
		loc = time.UTC
	}
	if c.Reports.ShortAbandon < 0 {
		errs = append(errs, errors.New("reports.short_abandon: must not be negative"))
	}
	if c.Exports.Retries < 0 {
		errs = append(errs, errors.New("exports.retries: must not be negative"))
	}
	if c.Exports.Backoff < 0 {
		errs = append(errs, errors.New("exports.backoff: must not be negative"))
	}
	if err := report.CheckSchedules(c.Exports.Schedules, loc); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

func (c *Config) validateWallboard() error {
	queues := make([]string, 0, len(c.Queues))
	for name := range c.Queues {
		queues = append(queues, name)
	}
	sort.Strings(queues)
	return c.Wallboard.Validate(queues)
}
