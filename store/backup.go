package store

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/jmoiron/sqlx"
)

// ErrNotEmpty is Restore refusing a data directory that holds files.
var ErrNotEmpty = errors.New("not empty")

// ErrPostgresBackup is Backup on a PostgreSQL store: that is pg_dump's job
// (docs/operations.md).
var ErrPostgresBackup = errors.New("a PostgreSQL store is backed up with pg_dump -Fc and restored with pg_restore (docs/operations.md)")

// Backup writes a consistent copy of the SQLite database to out while the
// store keeps running: VACUUM INTO reads one snapshot (a read transaction,
// which WAL lets writers go on beside) into a new, compacted file. It is
// written beside out and renamed, so out is either absent or whole; an
// existing out is refused.
func (s *Store) Backup(ctx context.Context, out string) error {
	if s.d.name != KindSQLite {
		return fmt.Errorf("store: backup: %w", ErrPostgresBackup)
	}
	if _, err := os.Lstat(out); err == nil {
		return fmt.Errorf("store: backup: %s already exists", out)
	}
	if err := os.MkdirAll(filepath.Dir(out), 0o750); err != nil {
		return fmt.Errorf("store: backup: %w", err)
	}
	tmp := out + ".partial"
	os.Remove(tmp) // a crashed earlier run's
	if _, err := s.db.ExecContext(ctx, `VACUUM INTO ?`, tmp); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("store: backup to %s: %w", out, err)
	}
	if err := syncFile(tmp); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("store: backup: %w", err)
	}
	if err := os.Rename(tmp, out); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("store: backup: %w", err)
	}
	s.log.Info("backup written", "file", out)
	return nil
}

// Restore puts the SQLite backup from at path, the database file of a data
// directory that must be empty or missing: restoring over a live database
// would mix two histories. The backup is checked first (it opens, passes
// SQLite's integrity check and has a schema); nothing is written if not.
func Restore(ctx context.Context, from, path string) error {
	dir := filepath.Dir(path)
	if ents, err := os.ReadDir(dir); err == nil && len(ents) > 0 {
		names := make([]string, 0, 3)
		for _, e := range ents[:min(3, len(ents))] {
			names = append(names, e.Name())
		}
		return fmt.Errorf("store: restore: data directory %s is %w (it holds %s): restore only into an empty or new directory", dir, ErrNotEmpty, strings.Join(names, ", "))
	} else if err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("store: restore: %w", err)
	}
	if err := checkBackup(ctx, from); err != nil {
		return fmt.Errorf("store: restore from %s: %w", from, err)
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return fmt.Errorf("store: restore: %w", err)
	}
	tmp := path + ".partial"
	if err := copyFile(from, tmp); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("store: restore: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("store: restore: %w", err)
	}
	return nil
}

// checkBackup opens a backup read-only (so that checking it changes
// nothing) and checks it is a whole Switchboard database.
func checkBackup(ctx context.Context, path string) error {
	if _, err := os.Stat(path); err != nil {
		return err
	}
	db, err := sqlx.Open("sqlite3", "file:"+(&url.URL{Path: path}).EscapedPath()+"?mode=ro")
	if err != nil {
		return err
	}
	defer db.Close()
	var ok string
	if err := db.GetContext(ctx, &ok, "PRAGMA integrity_check"); err != nil {
		return fmt.Errorf("not a SQLite database: %w", err)
	}
	if ok != "ok" {
		return fmt.Errorf("integrity check: %s", ok)
	}
	var n int
	if err := db.GetContext(ctx, &n, "SELECT count(*) FROM schema_migrations"); err != nil || n == 0 {
		return errors.Join(errors.New("not a Switchboard database (no schema)"), err)
	}
	return nil
}

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o640)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

func syncFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}
