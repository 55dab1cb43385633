package backup

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"switchboard/store"
)

// fakeClock jumps to whatever time it is asked to wait for.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *fakeClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	ch := make(chan time.Time, 1)
	ch <- c.now
	return ch
}

// fileBacker writes a small file, or fails when told to; it stops the
// scheduler after stopAfter backups.
type fileBacker struct {
	n, stopAfter int
	fail         bool
	stop         context.CancelFunc
}

func (b *fileBacker) Backup(_ context.Context, out string) error {
	b.n++
	if b.n >= b.stopAfter {
		b.stop()
	}
	if b.fail {
		return errors.New("disk full")
	}
	return os.WriteFile(out, []byte("db"), 0o600)
}

func names(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range ents {
		out = append(out, e.Name())
	}
	slices.Sort(out)
	return out
}

func TestScheduledBackupsKeepTheNewest(t *testing.T) {
	dir := t.TempDir()
	// Someone else's file, and one that only looks like ours: left alone.
	for _, n := range []string{"notes.txt", "switchboard-latest.db"} {
		if err := os.WriteFile(filepath.Join(dir, n), nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	db := &fileBacker{stopAfter: 5, stop: cancel}
	clk := &fakeClock{now: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	s, err := NewScheduler(Config{Cron: "0 3 * * *", Dir: dir, Keep: 3}, "Asia/Shanghai", db, clk, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Run(ctx); err != nil {
		t.Fatal(err)
	}
	// 03:00 Shanghai is 19:00 UTC the day before: runs at 19:00 UTC on
	// 1 to 5 March, the last three kept.
	want := []string{"notes.txt", "switchboard-20260303T190000Z.db", "switchboard-20260304T190000Z.db",
		"switchboard-20260305T190000Z.db", "switchboard-latest.db"}
	if got := names(t, dir); !slices.Equal(got, want) {
		t.Fatalf("after 5 runs with keep 3:\n%v\nwant\n%v", got, want)
	}

	// A failed backup removes nothing.
	db.fail = true
	if _, err := s.RunOnce(t.Context(), clk.Now().Add(24*time.Hour)); err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Fatalf("failed backup: %v", err)
	}
	if got := names(t, dir); !slices.Equal(got, want) {
		t.Fatalf("a failed backup changed the directory: %v", got)
	}
}

func TestBackupConfigErrors(t *testing.T) {
	for _, tt := range []struct {
		cfg  Config
		want string // "" = valid
	}{
		{Config{}, ""},
		{Config{Cron: "0 3 * * *", Dir: "/b", Keep: 7}, ""},
		{Config{Dir: "/b"}, "backups.cron: required"},
		{Config{Cron: "every night", Dir: "/b", Keep: 1}, "backups.cron: "},
		{Config{Cron: "0 3 * * *", Keep: 1}, "backups.dir: required"},
		{Config{Cron: "0 3 * * *", Dir: "/b"}, "backups.keep: 0"},
		{Config{Cron: "0 3 * * *", Dir: "/b", Keep: 1, TimeZone: "Mars/Base"}, "backups.time_zone: unknown"},
	} {
		err := tt.cfg.Check("UTC")
		if tt.want == "" && err != nil || tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)) {
			t.Errorf("%+v: %v, want %q", tt.cfg, err, tt.want)
		}
	}
}

// The scheduler's backup of a real store is a whole database.
func TestScheduledBackupOfAStore(t *testing.T) {
	st, err := store.Open(t.Context(), filepath.Join(t.TempDir(), "sb.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	s, err := NewScheduler(Config{Cron: "@hourly", Dir: dir, Keep: 1}, "UTC", st, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	out, err := s.RunOnce(t.Context(), time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	if err := store.Restore(t.Context(), out, filepath.Join(t.TempDir(), "new", "sb.db")); err != nil {
		t.Fatal(err)
	}
}
