package report

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"switchboard/store"
)

// fakeClock is a Clock the test moves by hand; waiting tells the test when
// someone waits on After.
type fakeClock struct {
	mu      sync.Mutex
	now     time.Time
	timers  []fakeTimer
	waiting chan struct{}
}

type fakeTimer struct {
	at time.Time
	ch chan time.Time
}

func newFakeClock(now time.Time) *fakeClock {
	return &fakeClock{now: now, waiting: make(chan struct{}, 100)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	ch := make(chan time.Time, 1)
	c.timers = append(c.timers, fakeTimer{c.now.Add(d), ch})
	c.waiting <- struct{}{}
	return ch
}

// advanceTo waits until someone waits on the clock, then moves it to t,
// firing the timers due.
func (c *fakeClock) advanceTo(t *testing.T, to time.Time) {
	t.Helper()
	select {
	case <-c.waiting:
	case <-time.After(10 * time.Second):
		t.Fatal("nobody waits on the clock")
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = to
	keep := c.timers[:0]
	for _, tm := range c.timers {
		if !tm.at.After(to) {
			tm.ch <- to
		} else {
			keep = append(keep, tm)
		}
	}
	c.timers = keep
}

func newTestScheduler(t *testing.T, st *store.Store, clock Clock, scheds ...Schedule) (*Scheduler, chan store.ExportRun, *prometheus.Registry) {
	t.Helper()
	reg := prometheus.NewRegistry()
	s, err := NewScheduler(scheds, 2, time.Minute, fixtureBuilder(st), st, clock, nil, reg)
	if err != nil {
		t.Fatal(err)
	}
	runs := make(chan store.ExportRun, 10)
	s.afterRun = func(r store.ExportRun) { runs <- r }
	return s, runs, reg
}

func waitRun(t *testing.T, runs chan store.ExportRun) store.ExportRun {
	t.Helper()
	select {
	case r := <-runs:
		return r
	case <-time.After(10 * time.Second):
		t.Fatal("no export run")
	}
	return store.ExportRun{}
}

func dailySchedule(dir string) Schedule {
	return Schedule{Name: "daily", Cron: "30 0 * * *", Report: "summary", Period: PeriodYesterday,
		Group: GroupInterval60, Format: FormatCSV, Dir: dir, File: "{name}-{from}.{ext}"}
}

// TestCronRunWritesTheFile: at 00:30 the daily schedule writes yesterday's
// summary, the same bytes as a direct Write, with its manifest.
func TestCronRunWritesTheFile(t *testing.T) {
	st := fixtureStore(t)
	dir := t.TempDir()
	clock := newFakeClock(time.Date(2025, 3, 15, 0, 29, 0, 0, fixtureLoc))
	s, runs, reg := newTestScheduler(t, st, clock, dailySchedule(dir))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- s.Run(ctx) }()
	clock.advanceTo(t, time.Date(2025, 3, 15, 0, 30, 0, 0, fixtureLoc))
	run := waitRun(t, runs)
	cancel()
	<-done
	if run.Status != "ok" || run.From != "2025-03-14" || run.To != "2025-03-14" || run.Attempts != 1 || run.CatchUp {
		t.Fatalf("run %+v", run)
	}
	path := filepath.Join(dir, "daily-2025-03-14.csv")
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	tab, err := fixtureBuilder(st).Build(context.Background(), Request{Report: "summary", Group: GroupInterval60, Period: PeriodCustom, From: "2025-03-14", To: "2025-03-14"})
	if err != nil {
		t.Fatal(err)
	}
	var want strings.Builder
	if err := Write(&want, tab, FormatCSV); err != nil {
		t.Fatal(err)
	}
	if string(got) != want.String() {
		t.Fatalf("file differs from the report")
	}
	var m Manifest
	b, err := os.ReadFile(path + ".manifest.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	if m.Rows != 24 || m.SHA256 != run.SHA256 || m.From != "2025-03-14" || m.Bytes != int64(len(got)) {
		t.Fatalf("manifest %+v", m)
	}
	if n := testutil.ToFloat64(s.metrics.runs.WithLabelValues("daily", "ok")); n != 1 {
		t.Fatalf("runs metric %v", n)
	}
	_ = reg
	recorded, err := st.ExportRuns(context.Background(), "daily", 10)
	if err != nil || len(recorded) != 1 || recorded[0].Status != "ok" || !recorded[0].ScheduledFor.Equal(run.ScheduledFor) {
		t.Fatalf("recorded runs %+v %v", recorded, err)
	}
}

// TestFailingDirIsRecordedAndLeavesNoFile: a target that cannot be created
// is retried with backoff, recorded as failed, and leaves no file.
func TestFailingDirIsRecordedAndLeavesNoFile(t *testing.T) {
	st := fixtureStore(t)
	base := t.TempDir()
	if err := os.WriteFile(filepath.Join(base, "blocker"), []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	sched := dailySchedule(filepath.Join(base, "blocker", "out"))
	clock := newFakeClock(time.Date(2025, 3, 15, 0, 30, 0, 0, fixtureLoc))
	s, runs, _ := newTestScheduler(t, st, clock, sched)
	go s.RunOnce(context.Background(), "daily", clock.Now(), false)
	clock.advanceTo(t, clock.Now().Add(time.Minute))   // first backoff: 1m
	clock.advanceTo(t, clock.Now().Add(2*time.Minute)) // second: 2m
	run := waitRun(t, runs)
	if run.Status != "failed" || run.Attempts != 3 || !strings.Contains(run.Error, "blocker") {
		t.Fatalf("run %+v", run)
	}
	if n := testutil.ToFloat64(s.metrics.runs.WithLabelValues("daily", "failed")); n != 1 {
		t.Fatalf("failed runs metric %v", n)
	}
	if n := testutil.ToFloat64(s.metrics.failures.WithLabelValues("daily")); n != 3 {
		t.Fatalf("attempt failures %v", n)
	}
	recorded, _ := st.ExportRuns(context.Background(), "", 10)
	if len(recorded) != 1 || recorded[0].Status != "failed" || recorded[0].Error == "" {
		t.Fatalf("recorded %+v", recorded)
	}

	// A target whose rename fails (a directory is in the way): the
	// temporary file is removed too.
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "daily-2025-03-14.csv"), 0o750); err != nil {
		t.Fatal(err)
	}
	s2, runs2, _ := newTestScheduler(t, st, clock, dailySchedule(dir))
	go s2.RunOnce(context.Background(), "daily", clock.Now(), false)
	clock.advanceTo(t, clock.Now().Add(time.Minute))
	clock.advanceTo(t, clock.Now().Add(2*time.Minute))
	if run := waitRun(t, runs2); run.Status != "failed" {
		t.Fatalf("run %+v", run)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Fatalf("left behind: %v", names)
	}
}

// TestCatchUpRunsOnceAfterRestart: the last run was on the 13th; started on
// the 15th at 10:00, the scheduler runs the missed 00:30 of the 15th once
// (not the 14th's too), then waits for the 16th.
func TestCatchUpRunsOnceAfterRestart(t *testing.T) {
	st := fixtureStore(t)
	dir := t.TempDir()
	last := store.ExportRun{Schedule: "daily", ScheduledFor: time.Date(2025, 3, 13, 0, 30, 0, 0, fixtureLoc),
		StartedAt: time.Date(2025, 3, 13, 0, 30, 0, 0, fixtureLoc), FinishedAt: time.Date(2025, 3, 13, 0, 30, 1, 0, fixtureLoc),
		From: "2025-03-12", To: "2025-03-12", Status: "ok", Attempts: 1}
	if err := st.RecordExportRun(context.Background(), &last); err != nil {
		t.Fatal(err)
	}
	clock := newFakeClock(time.Date(2025, 3, 15, 10, 0, 0, 0, fixtureLoc))
	s, runs, _ := newTestScheduler(t, st, clock, dailySchedule(dir))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- s.Run(ctx) }()
	run := waitRun(t, runs)
	if !run.CatchUp || run.Status != "ok" || !run.ScheduledFor.Equal(time.Date(2025, 3, 15, 0, 30, 0, 0, fixtureLoc)) || run.From != "2025-03-14" {
		t.Fatalf("catch-up run %+v", run)
	}
	// Now it waits for the next regular time; no second catch-up.
	select {
	case <-clock.waiting:
	case r := <-runs:
		t.Fatalf("second run %+v", r)
	}
	cancel()
	<-done
	// A restart right after: the last run is the catch-up, nothing missed.
	s2, runs2, _ := newTestScheduler(t, st, clock, dailySchedule(dir))
	ctx2, cancel2 := context.WithCancel(context.Background())
	go func() { done <- s2.Run(ctx2) }()
	select {
	case <-clock.waiting:
	case r := <-runs2:
		t.Fatalf("catch-up ran again: %+v", r)
	}
	cancel2()
	<-done
	if _, err := os.Stat(filepath.Join(dir, "daily-2025-03-14.csv")); err != nil {
		t.Fatal(err)
	}
}

func TestScheduleConfigErrors(t *testing.T) {
	err := CheckSchedules([]Schedule{
		{Name: "a", Cron: "61 * * * *", Report: "summary", Period: "yesterday", Format: "csv", Dir: "x"},
		{Name: "b", Cron: "0 1 * * *", Report: "nope", Period: "yesterday", Format: "csv", Dir: "x"},
		{Name: "c", Cron: "0 1 * * *", Report: "summary", Period: "yesterday", Format: "pdf", Dir: "x"},
		{Name: "d", Cron: "0 1 * * *", Report: "satisfaction", Group: "trunk", Period: "yesterday", Format: "csv", Dir: "x"},
		{Name: "e", Cron: "0 1 * * *", TimeZone: "Mars/Base", Report: "summary", Period: "yesterday", Format: "csv", Dir: "x"},
	}, time.UTC)
	for _, want := range []string{"schedules[0].cron", "schedules[1].report", "schedules[2].format", "schedules[3].group", "schedules[4].time_zone"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v does not name %s", err, want)
		}
	}
}

// TestSectionWrittenBeside: a report's section (quality beside the
// service report) is written beside the export with its own manifest.
func TestSectionWrittenBeside(t *testing.T) {
	st := fixtureStore(t)
	dir := t.TempDir()
	clock := newFakeClock(time.Date(2025, 3, 15, 0, 29, 0, 0, fixtureLoc))
	s, runs, _ := newTestScheduler(t, st, clock, dailySchedule(dir))
	var got Span
	s.AddSection("summary", Section{Key: "quality", Build: func(_ context.Context, span Span) (*Table, error) {
		got = span
		v := 87.0
		return &Table{Report: "quality", GroupName: "Agent", Columns: []Column{{Key: "average", Label: "Average score", Unit: UnitCount}},
			Rows: []Row{{Key: "1001", Label: "1001", Values: []*float64{&v}}}, Total: Row{Key: "total", Label: "Total", Values: []*float64{&v}}}, nil
	}})
	go s.RunOnce(context.Background(), "daily", clock.Now(), false)
	if run := waitRun(t, runs); run.Status != "ok" {
		t.Fatalf("run %+v", run)
	}
	b, err := os.ReadFile(filepath.Join(dir, "daily-2025-03-14-quality.csv"))
	if err != nil || !strings.Contains(string(b), "1001,87") {
		t.Fatalf("section %q %v", b, err)
	}
	if _, err := os.Stat(filepath.Join(dir, "daily-2025-03-14-quality.csv.manifest.json")); err != nil {
		t.Fatal(err)
	}
	if got.From.Format(time.DateOnly) != "2025-03-14" {
		t.Fatalf("section span %+v", got)
	}
}
