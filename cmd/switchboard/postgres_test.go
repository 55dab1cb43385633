package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"switchboard/store"
	"switchboard/store/pgtest"
)

// TestMigrateOnPostgres: a config naming a PostgreSQL store migrates it
// through the CLI, and backup/restore point at pg_dump instead.
func TestMigrateOnPostgres(t *testing.T) {
	dsn := pgtest.DSN(t)
	cfg := filepath.Join(t.TempDir(), "sb.yaml")
	if err := os.WriteFile(cfg, []byte("store: {kind: postgres, dsn: '"+dsn+"'}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := runCaptured("migrate", "--config", cfg); code != 0 {
		t.Fatalf("migrate: exit %d: %s", code, stderr)
	}
	st, err := store.OpenPostgres(t.Context(), dsn, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if n, err := st.LastSeq(t.Context()); err != nil || n != 0 {
		t.Fatalf("migrated store: last seq %d, %v", n, err)
	}
	for _, args := range [][]string{{"backup", "--out", filepath.Join(t.TempDir(), "b.db")}, {"restore", "--from", cfg}} {
		code, _, stderr := runCaptured(append(args, "--config", cfg)...)
		if code == 0 || !strings.Contains(stderr, "pg_dump") {
			t.Errorf("%s on PostgreSQL: exit %d: %s", args[0], code, stderr)
		}
	}
}
