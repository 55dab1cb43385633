package store

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
)

//go:embed migrations/*.sql migrations/postgres/*.sql
var migrationFS embed.FS

// migration is one numbered file of migrations/, "0001_name.sql".
type migration struct {
	Version int
	Name    string
	SQL     string
	twin    bool // PostgreSQL's own text, not rewritten
}

// loadMigrations reads and orders the embedded migrations, refusing
// duplicate or malformed version numbers.
func loadMigrations(fsys fs.FS) ([]migration, error) {
	names, err := fs.Glob(fsys, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	var ms []migration
	seen := map[int]string{}
	for _, p := range names {
		base := strings.TrimSuffix(p[len("migrations/"):], ".sql")
		num, _, _ := strings.Cut(base, "_")
		v, err := strconv.Atoi(num)
		if err != nil || v <= 0 {
			return nil, fmt.Errorf("migration %s: name must start with a positive number", p)
		}
		if other, dup := seen[v]; dup {
			return nil, fmt.Errorf("migrations %s and %s share version %d", other, p, v)
		}
		seen[v] = p
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return nil, err
		}
		ms = append(ms, migration{Version: v, Name: base, SQL: string(b)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].Version < ms[j].Version })
	return ms, nil
}

// Migrate applies the embedded migrations not yet recorded in
// schema_migrations, each in its own transaction together with its
// schema_migrations row. Running it again is a no-op.
func (s *Store) Migrate(ctx context.Context) error {
	ms, err := loadMigrations(migrationFS)
	if err != nil {
		return fmt.Errorf("store: migrations: %w", err)
	}
	if s.d.name == "postgres" {
		if ms, err = withTwins(migrationFS, ms); err != nil {
			return fmt.Errorf("store: migrations: %w", err)
		}
	}
	return s.migrate(ctx, ms)
}

// withTwins replaces each migration that has a PostgreSQL twin
// (migrations/postgres/<same name>.sql) by it; a twin without a migration
// of its name is an error, so that a renamed file cannot be forgotten.
func withTwins(fsys fs.FS, ms []migration) ([]migration, error) {
	names, err := fs.Glob(fsys, "migrations/postgres/*.sql")
	if err != nil {
		return nil, err
	}
	out := append([]migration(nil), ms...)
	for _, p := range names {
		base := strings.TrimSuffix(path.Base(p), ".sql")
		i := slices.IndexFunc(out, func(m migration) bool { return m.Name == base })
		if i < 0 {
			return nil, fmt.Errorf("%s: no migrations/%s.sql for it to stand in for", p, base)
		}
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return nil, err
		}
		out[i].SQL = string(b)
		out[i].twin = true
	}
	return out, nil
}

func (s *Store) migrate(ctx context.Context, ms []migration) error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	if err := createMigrationsTable(ctx, s); err != nil {
		return fmt.Errorf("store: create schema_migrations: %w", err)
	}
	for _, m := range ms {
		if err := s.applyMigration(ctx, m); err != nil {
			return fmt.Errorf("store: migration %s: %w", m.Name, err)
		}
	}
	return nil
}

// createMigrationsTable makes schema_migrations once, under the
// migration lock (PostgreSQL's CREATE TABLE IF NOT EXISTS races itself).
func createMigrationsTable(ctx context.Context, s *Store) error {
	tx, err := migrationTx(ctx, s)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER PRIMARY KEY,
		name       TEXT NOT NULL,
		applied_at TEXT NOT NULL
	)`); err != nil {
		return err
	}
	return tx.Commit()
}

// migrationTx begins a transaction holding the migration lock (functions,
// not methods, so the Store keeps its size).
func migrationTx(ctx context.Context, s *Store) (*sqlx.Tx, error) {
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return nil, err
	}
	if s.d.migrateLock != "" {
		if _, err := tx.ExecContext(ctx, s.d.migrateLock); err != nil {
			tx.Rollback()
			return nil, err
		}
	}
	return tx, nil
}

func (s *Store) applyMigration(ctx context.Context, m migration) error {
	tx, err := migrationTx(ctx, s)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var n int
	if err := tx.GetContext(ctx, &n, `SELECT count(*) FROM schema_migrations WHERE version = ?`, m.Version); err != nil {
		return err
	}
	if n > 0 {
		return nil
	}
	text := m.SQL
	if !m.twin {
		text = s.d.migrationSQL(text)
	}
	if _, err := tx.ExecContext(ctx, text); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`,
		m.Version, m.Name, formatTime(time.Now())); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	s.log.Info("migration applied", "version", m.Version, "name", m.Name)
	return nil
}
