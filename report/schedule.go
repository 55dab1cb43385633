package report

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/robfig/cron/v3"

	"switchboard/store"
)

// Schedule is one export schedule (config: exports.schedules[]).
type Schedule struct {
	Name     string `yaml:"name"`
	Cron     string `yaml:"cron"`      // five fields: minute hour day-of-month month day-of-week
	TimeZone string `yaml:"time_zone"` // of Cron; default: the report time zone
	Report   string `yaml:"report"`
	Period   string `yaml:"period"` // relative to the run: yesterday, last_week, last_month, …
	Group    string `yaml:"group"`  // default: the report's
	Format   string `yaml:"format"` // csv | xlsx
	Dir      string `yaml:"dir"`    // target directory
	// File is the file-name pattern: {name} {report} {group} {from} {to}
	// {date} (the run's local date) and {ext} are replaced.
	File string `yaml:"file"`
}

// DefaultFilePattern names export files when a schedule gives no pattern.
const DefaultFilePattern = "{report}-{group}-{from}_{to}.{ext}"

// Clock is the scheduler's time source; tests inject a fake one.
type Clock interface {
	Now() time.Time
	After(d time.Duration) <-chan time.Time
}

type systemClock struct{}

func (systemClock) Now() time.Time                         { return time.Now() }
func (systemClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

// SystemClock is the real clock.
var SystemClock Clock = systemClock{}

// RunStore records export runs.
type RunStore interface {
	RecordExportRun(ctx context.Context, run *store.ExportRun) error
	LastExportRun(ctx context.Context, schedule string) (store.ExportRun, bool, error)
}

var _ RunStore = (*store.Store)(nil)

// Manifest is written beside every export file as FILE.manifest.json.
type Manifest struct {
	Schedule    string    `json:"schedule,omitempty"`
	Report      string    `json:"report"`
	Group       string    `json:"group"`
	From        string    `json:"from"`
	To          string    `json:"to"`
	TimeZone    string    `json:"time_zone"`
	Format      string    `json:"format"`
	File        string    `json:"file"`
	Rows        int       `json:"rows"`
	Bytes       int64     `json:"bytes"`
	SHA256      string    `json:"sha256"`
	GeneratedAt time.Time `json:"generated_at"`
}

// Scheduler runs the export schedules.
type Scheduler struct {
	b       *Builder
	runs    RunStore
	clock   Clock
	log     *slog.Logger
	scheds  []compiled
	retries int
	backoff time.Duration
	metrics *exportMetrics

	afterRun func(store.ExportRun) // tests: called after each recorded run
	// sections are companion tables written beside a report's export
	// (the service report's quality section), by report name.
	sections map[string]Section
}

// Section builds a companion table for an export's span: another domain's
// part of the same monthly report (quality inspection's summary beside
// the service report). It is written beside the export as
// NAME-KEY.EXT with its own manifest; a failure fails the run.
type Section struct {
	Key   string
	Build func(ctx context.Context, span Span) (*Table, error)
}

// AddSection makes every export of report carry sec; call it before Run.
func (s *Scheduler) AddSection(report string, sec Section) {
	if s.sections == nil {
		s.sections = map[string]Section{}
	}
	s.sections[report] = sec
}

type compiled struct {
	Schedule
	def   Definition
	group string
	cron  cron.Schedule
}

// NewScheduler checks the schedules (every problem, keyed like the config:
// "exports.schedules[0].cron") and returns a scheduler. A failed run is
// tried again retries times, waiting backoff, then twice that, and so on.
func NewScheduler(scheds []Schedule, retries int, backoff time.Duration, b *Builder, runs RunStore,
	clock Clock, log *slog.Logger, reg prometheus.Registerer) (*Scheduler, error) {
	if clock == nil {
		clock = SystemClock
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Scheduler{b: b, runs: runs, clock: clock, log: log.With("component", "exports"),
		retries: retries, backoff: backoff, metrics: newExportMetrics(reg)}
	var errs []error
	for i, sc := range scheds {
		c, err := compile(sc, b.Location())
		if err != nil {
			errs = append(errs, fmt.Errorf("exports.schedules[%d].%w", i, err))
			continue
		}
		s.scheds = append(s.scheds, c)
	}
	return s, errors.Join(errs...)
}

// CheckSchedules validates schedules as NewScheduler does.
func CheckSchedules(scheds []Schedule, loc *time.Location) error {
	var errs []error
	names := map[string]bool{}
	for i, sc := range scheds {
		if names[sc.Name] {
			errs = append(errs, fmt.Errorf("exports.schedules[%d].name: duplicate schedule %q", i, sc.Name))
		}
		names[sc.Name] = true
		if _, err := compile(sc, loc); err != nil {
			errs = append(errs, fmt.Errorf("exports.schedules[%d].%w", i, err))
		}
	}
	return errors.Join(errs...)
}

func compile(sc Schedule, loc *time.Location) (compiled, error) {
	c := compiled{Schedule: sc}
	if sc.Name == "" {
		return c, errors.New("name: required")
	}
	tz := sc.TimeZone
	if tz == "" {
		tz = loc.String()
	}
	if _, err := time.LoadLocation(tz); err != nil {
		return c, fmt.Errorf("time_zone: unknown time zone %q", tz)
	}
	var err error
	if c.cron, err = cron.ParseStandard("CRON_TZ=" + tz + " " + sc.Cron); err != nil {
		return c, fmt.Errorf("cron: %q: %v", sc.Cron, err)
	}
	def, ok := Lookup(sc.Report)
	if !ok {
		return c, fmt.Errorf("report: unknown report %q", sc.Report)
	}
	c.def, c.group = def, sc.Group
	if c.group == "" {
		c.group = def.DefaultGroup
	}
	b := &Builder{cfg: Config{Location: loc}, now: time.Now}
	if _, _, _, err := b.Check(Request{Report: sc.Report, Group: c.group, Period: sc.Period}); err != nil {
		var fe *FieldError
		if errors.As(err, &fe) {
			return c, fmt.Errorf("%s: %s", fe.Field, fe.Message)
		}
		return c, err
	}
	if sc.Period == PeriodCustom || sc.Period == "" {
		return c, errors.New("period: required, a named period such as yesterday or last_month")
	}
	if err := CheckFormat(sc.Format); err != nil {
		return c, fmt.Errorf("format: %q is not csv or xlsx", sc.Format)
	}
	if sc.Dir == "" {
		return c, errors.New("dir: required")
	}
	if strings.ContainsAny(sc.File, `/\`) {
		return c, fmt.Errorf("file: %q must be a file name, not a path", sc.File)
	}
	return c, nil
}

// Run fires the schedules until ctx ends. It first runs, once, any schedule
// whose run was missed while Switchboard was down (catch-up): one whose
// next time after its last recorded run has passed.
func (s *Scheduler) Run(ctx context.Context) error {
	if len(s.scheds) == 0 {
		<-ctx.Done()
		return nil
	}
	s.catchUp(ctx)
	next := make([]time.Time, len(s.scheds))
	now := s.clock.Now()
	for i, c := range s.scheds {
		next[i] = c.cron.Next(now)
	}
	for {
		first := 0
		for i := range next {
			if next[i].Before(next[first]) {
				first = i
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-s.clock.After(next[first].Sub(s.clock.Now())):
		}
		now := s.clock.Now()
		for i, c := range s.scheds {
			if !next[i].After(now) {
				s.RunOnce(ctx, c.Name, next[i], false)
				next[i] = c.cron.Next(now)
			}
		}
	}
}

func (s *Scheduler) catchUp(ctx context.Context) {
	now := s.clock.Now()
	for _, c := range s.scheds {
		last, ok, err := s.runs.LastExportRun(ctx, c.Name)
		if err != nil {
			s.log.Error("catch-up: reading last run failed", "schedule", c.Name, "err", err)
			continue
		}
		if !ok {
			continue // never ran: nothing was missed
		}
		missed := time.Time{}
		for t, n := last.ScheduledFor, 0; n < 1_000_000; n++ {
			t = c.cron.Next(t)
			if t.IsZero() || t.After(now) {
				break
			}
			missed = t
		}
		if !missed.IsZero() {
			s.log.Info("catch-up run", "schedule", c.Name, "missed", missed, "last", last.ScheduledFor)
			s.RunOnce(ctx, c.Name, missed, true)
		}
	}
}

// RunOnce runs a schedule for its time at, retrying with backoff, and
// records the outcome.
func (s *Scheduler) RunOnce(ctx context.Context, name string, at time.Time, catchUp bool) store.ExportRun {
	run := store.ExportRun{Schedule: name, ScheduledFor: at, StartedAt: s.clock.Now(), CatchUp: catchUp, Status: "failed"}
	var c *compiled
	for i := range s.scheds {
		if s.scheds[i].Name == name {
			c = &s.scheds[i]
		}
	}
	var err error
	if c == nil {
		err = fmt.Errorf("unknown schedule %q", name)
	} else {
		log := s.log.With("schedule", name, "scheduled_for", at)
		var span Span
		span, err = ResolvePeriod(c.Period, "", "", at, s.b.Location())
		if err == nil {
			run.From, run.To = span.From.Format(time.DateOnly), span.To.Format(time.DateOnly)
			for attempt := 1; ; attempt++ {
				run.Attempts = attempt
				var m Manifest
				m, err = s.export(ctx, c, span, at)
				if err == nil {
					run.Status, run.File, run.Rows, run.SHA256 = "ok", m.File, m.Rows, m.SHA256
					log.Info("export written", "file", m.File, "rows", m.Rows, "attempt", attempt)
					break
				}
				log.Warn("export attempt failed", "attempt", attempt, "err", err)
				s.metrics.failures.WithLabelValues(name).Inc()
				if attempt > s.retries {
					break
				}
				select {
				case <-ctx.Done():
					err = errors.Join(err, ctx.Err())
				case <-s.clock.After(s.backoff << (attempt - 1)):
				}
				if ctx.Err() != nil {
					break
				}
			}
		}
	}
	if err != nil {
		run.Error = err.Error()
		s.log.Error("export failed", "schedule", name, "scheduled_for", at, "attempts", run.Attempts, "err", err)
	}
	run.FinishedAt = s.clock.Now()
	s.metrics.runs.WithLabelValues(name, run.Status).Inc()
	if run.Status == "ok" {
		s.metrics.lastSuccess.WithLabelValues(name).Set(float64(run.FinishedAt.Unix()))
	}
	if rerr := s.runs.RecordExportRun(context.WithoutCancel(ctx), &run); rerr != nil {
		s.log.Error("recording export run failed", "schedule", name, "err", rerr)
	}
	if s.afterRun != nil {
		s.afterRun(run)
	}
	return run
}

func (s *Scheduler) export(ctx context.Context, c *compiled, span Span, at time.Time) (Manifest, error) {
	t, err := s.b.BuildSpan(ctx, c.def, c.group, span)
	if err != nil {
		return Manifest{}, err
	}
	pattern := c.File
	if pattern == "" {
		pattern = DefaultFilePattern
	}
	name := strings.NewReplacer("{name}", c.Name, "{report}", c.Report, "{group}", c.group,
		"{from}", t.From, "{to}", t.To, "{date}", at.In(s.b.Location()).Format(time.DateOnly),
		"{ext}", c.Format).Replace(pattern)
	m := Manifest{Schedule: c.Name, GeneratedAt: s.clock.Now().UTC()}
	if sec, ok := s.sections[c.Report]; ok {
		st, err := sec.Build(ctx, span)
		if err != nil {
			return Manifest{}, fmt.Errorf("%s section: %w", sec.Key, err)
		}
		ext := filepath.Ext(name)
		if _, err := WriteFile(filepath.Join(c.Dir, strings.TrimSuffix(name, ext)+"-"+sec.Key+ext), st, c.Format, m); err != nil {
			return Manifest{}, fmt.Errorf("%s section: %w", sec.Key, err)
		}
	}
	return WriteFile(filepath.Join(c.Dir, name), t, c.Format, m)
}

// WriteFile writes t to path atomically: into a temporary file in the same
// directory, synced, then renamed; then the manifest PATH.manifest.json the
// same way. On any error neither file is left behind (nor a temporary one).
func WriteFile(path string, t *Table, format string, m Manifest) (Manifest, error) {
	if err := CheckFormat(format); err != nil {
		return m, err
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return m, fmt.Errorf("report: export dir: %w", err)
	}
	h := sha256.New()
	n, err := atomicWrite(path, func(w io.Writer) error { return Write(io.MultiWriter(w, h), t, format) })
	if err != nil {
		return m, err
	}
	m.Report, m.Group, m.From, m.To, m.TimeZone = t.Report, t.Group, t.From, t.To, t.TimeZone
	m.Format, m.File, m.Rows, m.Bytes, m.SHA256 = format, path, len(t.Rows), n, hex.EncodeToString(h.Sum(nil))
	if _, err := atomicWrite(path+".manifest.json", func(w io.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(m)
	}); err != nil {
		os.Remove(path)
		return m, err
	}
	return m, nil
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

func atomicWrite(path string, write func(io.Writer) error) (int64, error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return 0, fmt.Errorf("report: export: %w", err)
	}
	tmp := f.Name()
	cw := &countWriter{w: f}
	err = write(cw)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return 0, fmt.Errorf("report: export %s: %w", filepath.Base(path), err)
	}
	return cw.n, nil
}

type exportMetrics struct {
	runs        *prometheus.CounterVec
	failures    *prometheus.CounterVec
	lastSuccess *prometheus.GaugeVec
}

func newExportMetrics(reg prometheus.Registerer) *exportMetrics {
	m := &exportMetrics{
		runs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "switchboard", Subsystem: "export", Name: "runs_total",
			Help: "Export schedule runs, by schedule and final status (ok, failed), after retries.",
		}, []string{"schedule", "status"}),
		failures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "switchboard", Subsystem: "export", Name: "attempt_failures_total",
			Help: "Failed export attempts (each retry counts), by schedule.",
		}, []string{"schedule"}),
		lastSuccess: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Namespace: "switchboard", Subsystem: "export", Name: "last_success_timestamp_seconds",
			Help: "When each schedule last wrote its export.",
		}, []string{"schedule"}),
	}
	if reg != nil {
		reg.MustRegister(m.runs, m.failures, m.lastSuccess)
	}
	return m
}
