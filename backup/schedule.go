// Package backup takes scheduled backups of the SQLite store, as the
// report exports are scheduled (cron, time zone), and keeps the newest N.
// The copy itself is the store's (store.Backup, VACUUM INTO).
package backup

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
)

// Config is the backups: section. An empty Cron means no scheduled backups.
type Config struct {
	Cron     string `yaml:"cron"`      // five fields, "0 3 * * *"
	TimeZone string `yaml:"time_zone"` // of Cron; default: the report time zone
	Dir      string `yaml:"dir"`       // where the files go
	Keep     int    `yaml:"keep"`      // newest backups kept; older ones are removed
}

// Backer writes a consistent copy of the database to a new file.
type Backer interface {
	Backup(ctx context.Context, out string) error
}

// Clock is the scheduler's time source; tests inject a fake one.
type Clock interface {
	Now() time.Time
	After(d time.Duration) <-chan time.Time
}

type systemClock struct{}

func (systemClock) Now() time.Time                         { return time.Now() }
func (systemClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

// Files are named by the UTC time of the run, so name order is time order.
const (
	prefix     = "switchboard-"
	suffix     = ".db"
	nameLayout = "20060102T150405Z"
)

// Check validates c (every problem, keyed "backups.cron: ...") against the
// report time zone defaultTZ.
func (c Config) Check(defaultTZ string) error {
	_, err := c.compile(defaultTZ)
	return err
}

func (c Config) compile(defaultTZ string) (cron.Schedule, error) {
	if c.Cron == "" {
		if c.Dir != "" || c.Keep != 0 {
			return nil, errors.New("backups.cron: required when backups.dir or backups.keep is set")
		}
		return nil, nil
	}
	var errs []error
	tz := c.TimeZone
	if tz == "" {
		tz = defaultTZ
	}
	var sched cron.Schedule
	if _, err := time.LoadLocation(tz); err != nil {
		errs = append(errs, fmt.Errorf("backups.time_zone: unknown time zone %q", tz))
	} else if sched, err = cron.ParseStandard("CRON_TZ=" + tz + " " + c.Cron); err != nil {
		errs = append(errs, fmt.Errorf("backups.cron: %q: %v", c.Cron, err))
	}
	if c.Dir == "" {
		errs = append(errs, errors.New("backups.dir: required"))
	}
	if c.Keep < 1 {
		errs = append(errs, fmt.Errorf("backups.keep: %d: keep at least 1 backup", c.Keep))
	}
	return sched, errors.Join(errs...)
}

// Scheduler runs the backups.
type Scheduler struct {
	cfg   Config
	sched cron.Schedule // nil: no schedule
	db    Backer
	clock Clock
	log   *slog.Logger
}

// NewScheduler checks cfg and returns its scheduler; clock nil is the real
// one.
func NewScheduler(cfg Config, defaultTZ string, db Backer, clock Clock, log *slog.Logger) (*Scheduler, error) {
	sched, err := cfg.compile(defaultTZ)
	if err != nil {
		return nil, err
	}
	if clock == nil {
		clock = systemClock{}
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Scheduler{cfg: cfg, sched: sched, db: db, clock: clock, log: log.With("component", "backups")}, nil
}

// Run takes a backup at each scheduled time until ctx ends. A failed
// backup is logged and removes nothing; the next time tries again.
func (s *Scheduler) Run(ctx context.Context) error {
	if s.sched == nil {
		<-ctx.Done()
		return nil
	}
	for {
		next := s.sched.Next(s.clock.Now())
		select {
		case <-ctx.Done():
			return nil
		case <-s.clock.After(next.Sub(s.clock.Now())):
		}
		if ctx.Err() != nil { // both were ready: stopping wins
			return nil
		}
		if _, err := s.RunOnce(ctx, next); err != nil && ctx.Err() == nil {
			s.log.Error("backup failed", "err", err)
		}
	}
}

// RunOnce writes the backup for time at, then removes all but the newest
// Keep backups of the directory. It returns the new file.
func (s *Scheduler) RunOnce(ctx context.Context, at time.Time) (string, error) {
	if err := os.MkdirAll(s.cfg.Dir, 0o750); err != nil {
		return "", fmt.Errorf("backup: %w", err)
	}
	out := filepath.Join(s.cfg.Dir, prefix+at.UTC().Format(nameLayout)+suffix)
	if err := s.db.Backup(ctx, out); err != nil {
		return "", fmt.Errorf("backup: %w", err)
	}
	s.log.Info("backup written", "file", out)
	removed, err := prune(s.cfg.Dir, s.cfg.Keep)
	for _, f := range removed {
		s.log.Info("old backup removed", "file", f)
	}
	return out, err
}

// prune removes all but the newest keep backups in dir (files this
// package named; nothing else is touched) and returns what it removed.
func prune(dir string, keep int) ([]string, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("backup: prune: %w", err)
	}
	var names []string
	for _, e := range ents {
		n := e.Name()
		stamp, ok := strings.CutPrefix(n, prefix)
		if !ok || !e.Type().IsRegular() || !strings.HasSuffix(stamp, suffix) {
			continue
		}
		if _, err := time.Parse(nameLayout, strings.TrimSuffix(stamp, suffix)); err != nil {
			continue
		}
		names = append(names, n)
	}
	slices.Sort(names)
	var removed []string
	var errs []error
	for _, n := range names[:max(0, len(names)-keep)] {
		p := filepath.Join(dir, n)
		if err := os.Remove(p); err != nil {
			errs = append(errs, err)
			continue
		}
		removed = append(removed, p)
	}
	return removed, errors.Join(errs...)
}
