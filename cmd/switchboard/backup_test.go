package main

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"switchboard/report/reporttest"
	"switchboard/store"
)

// TestBackupRestoreCommands: backup copies the database, restore puts it
// into a new data dir with the same log, and refuses a data dir that holds
// anything, saying so.
func TestBackupRestoreCommands(t *testing.T) {
	dir := t.TempDir()
	writeCfg := func(name, dataDir string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte("data_dir: "+dataDir+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	live := writeCfg("live.yaml", filepath.Join(dir, "live"))
	st, err := store.Open(context.Background(), filepath.Join(dir, "live", "switchboard.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	recs, err := reporttest.ReadFile("../../report/testdata/fixture_day.txt", time.Date(2025, 3, 14, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Append(context.Background(), recs...); err != nil {
		t.Fatal(err)
	}
	defer st.Close() // open during the backup, as a running server's

	out := filepath.Join(dir, "backups", "sb-1.db")
	if code, _, stderr := runCaptured("backup", "--config", live, "--out", out); code != 0 {
		t.Fatalf("backup: exit %d: %s", code, stderr)
	}
	if code, _, stderr := runCaptured("backup", "--config", live, "--out", out); code == 0 || !strings.Contains(stderr, "already exists") {
		t.Fatalf("second backup to the same file: exit %d: %s", code, stderr)
	}
	fresh := writeCfg("fresh.yaml", filepath.Join(dir, "fresh"))
	if code, _, stderr := runCaptured("restore", "--config", fresh, "--from", out); code != 0 {
		t.Fatalf("restore: exit %d: %s", code, stderr)
	}
	got, err := store.Open(context.Background(), filepath.Join(dir, "fresh", "switchboard.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer got.Close()
	a, _ := st.Events(context.Background(), store.EventFilter{})
	b, _ := got.Events(context.Background(), store.EventFilter{})
	if len(a) != len(recs) || !reflect.DeepEqual(a, b) {
		t.Fatalf("restored %d records, want the %d of the live database", len(b), len(a))
	}
	code, _, stderr := runCaptured("restore", "--config", fresh, "--from", out)
	if code == 0 || !strings.Contains(stderr, "is not empty") || !strings.Contains(stderr, "empty or new directory") {
		t.Fatalf("restore over a used data dir: exit %d: %s", code, stderr)
	}
	if code, _, stderr := runCaptured("restore", "--config", writeCfg("other.yaml", filepath.Join(dir, "other")), "--from", live); code == 0 || !strings.Contains(stderr, "not a SQLite database") {
		t.Fatalf("restore from a YAML file: exit %d: %s", code, stderr)
	}
}
