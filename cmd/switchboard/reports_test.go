package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"switchboard/config"
	"switchboard/report"
	"switchboard/report/reporttest"
	"switchboard/store"
)

// TestExportCommand: `switchboard export` writes the same bytes the report
// package writes for the same report, plus a manifest; bad input names the
// flag's field.
func TestExportCommand(t *testing.T) {
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "sb.yaml")
	if err := os.WriteFile(cfgPath, []byte("data_dir: "+dir+"\nreports: {time_zone: UTC}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(context.Background(), filepath.Join(dir, "switchboard.db"), nil)
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
	st.Close()

	out := filepath.Join(dir, "out.csv")
	var stdout, stderr bytes.Buffer
	if code := run([]string{"export", "--config", cfgPath, "--report", "summary", "--from", "2025-03-14", "--to", "2025-03-14",
		"--group", "queue", "--format", "csv", "--out", out}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(out + ".manifest.json"); err != nil {
		t.Fatal(err)
	}
	// The same report through the package, on the rollup the command set up.
	cfg, err := config.Load(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	st, err = store.Open(context.Background(), cfg.Database, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	rep, err := openReports(context.Background(), cfg, st, nil)
	if err != nil {
		t.Fatal(err)
	}
	tab, err := rep.Build(context.Background(), report.Request{Report: "summary", Group: "queue", From: "2025-03-14", To: "2025-03-14"})
	if err != nil {
		t.Fatal(err)
	}
	var want bytes.Buffer
	if err := report.Write(&want, tab, "csv"); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want.Bytes()) || !strings.Contains(string(got), "support,6,3,") {
		t.Fatalf("export differs:\n%s\nwant\n%s", got, want.String())
	}

	stderr.Reset()
	if code := run([]string{"export", "--config", cfgPath, "--from", "2025-03-15", "--to", "2025-03-14", "--out", out}, &stdout, &stderr); code == 0 ||
		!strings.Contains(stderr.String(), "from: must not be after to") {
		t.Fatalf("bad period: exit %d %s", code, stderr.String())
	}
}
