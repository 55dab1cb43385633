// Package store persists Switchboard's event log and the tables derived from
// it, in SQLite or PostgreSQL through sqlx (dialect.go keeps what differs).
//
// The log (table events) is the truth: every record the engine appends gets a
// strictly increasing seq. The calls table, the messages table and the report
// rollups are projections of it, written in the same transaction as the
// records themselves and rebuildable from the log with RebuildDerived.
//
// It owns persistence, not meaning: record payloads are read through
// routing's registry (routing.Decode, routing.Payload), and how a record
// changes a rollup bucket is report/rollup's arithmetic; store loads the
// state that arithmetic asks for and writes what it computes. It may import
// routing, report/rollup and auth; never report, live or api.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"sync"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/jmoiron/sqlx"
	_ "github.com/mattn/go-sqlite3" // registers the "sqlite3" driver

	"switchboard/routing"
)

var _ routing.Journal = (*Store)(nil)

// Store is a SQLite or PostgreSQL database holding the event log and
// derived tables. It is safe for concurrent use: one writer (the engine's
// goroutine calling Append) and any number of readers, which WAL (or
// PostgreSQL's MVCC) lets run while a write is under way.
type Store struct {
	*Accounts // users, sessions, tokens (auth.go)

	db  *sqlx.DB
	d   dialect
	log *slog.Logger

	// wmu serialises writers in this process (Append, RebuildCalls) and
	// guards the prepared statements.
	wmu   sync.Mutex
	stmts *writeStmts
	// rollupConfig is what Append computes report rollups with
	// (SetRollupConfig); guarded by wmu.
	rollupConfig RollupConfig
	// fence is the lease this node writes the log under (leases.go): set
	// once it holds one, checked in every Append; guarded by wmu.
	fence *Lease
}

// busyTimeoutMS is how long a connection waits for another one's write lock
// before SQLite reports SQLITE_BUSY.
const busyTimeoutMS = 5000

// Open opens (creating if needed) the SQLite database at path, creating its
// parent directory. The connection uses WAL, a busy timeout, foreign keys and
// synchronous=NORMAL; transactions begin IMMEDIATE so that two writers queue
// on the busy timeout instead of failing to upgrade a read lock. Call Migrate
// before using the store.
func Open(ctx context.Context, path string, log *slog.Logger) (*Store, error) {
	if path == "" {
		return nil, errors.New("store: empty database path")
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, fmt.Errorf("store: create data dir: %w", err)
		}
	}
	q := url.Values{}
	q.Set("_journal_mode", "WAL")
	q.Set("_busy_timeout", fmt.Sprint(busyTimeoutMS))
	q.Set("_foreign_keys", "on")
	q.Set("_synchronous", "NORMAL")
	q.Set("_txlock", "immediate")
	dsn := "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + q.Encode()

	db, err := sqlx.Open("sqlite3", dsn)
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	// Readers (the API) use several connections at once; keep some open
	// so that the write statements prepared on them stay prepared.
	db.SetMaxIdleConns(8)
	var mode string
	if err := db.GetContext(ctx, &mode, "PRAGMA journal_mode"); err != nil {
		db.Close()
		return nil, fmt.Errorf("store: read journal mode: %w", err)
	}
	if mode != "wal" {
		db.Close()
		return nil, fmt.Errorf("store: %s: journal mode is %q, want wal", path, mode)
	}
	log = log.With("component", "store")
	log.Debug("database opened", "path", path)
	st := &Store{db: db, d: sqliteDialect, log: log}
	st.Accounts = &Accounts{db: db, wmu: &st.wmu}
	return st, nil
}

// OpenPostgres connects to the PostgreSQL database dsn names (a URL,
// "postgres://user@host:5432/db?sslmode=disable", or key=value pairs).
// The database should use UTF8 and the C collation, so that text sorts by
// bytes as in SQLite (times and prefixes compare as text). Call Migrate
// before using the store.
func OpenPostgres(ctx context.Context, dsn string, log *slog.Logger) (*Store, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("store: postgres dsn: %w", err)
	}
	sdb := sql.OpenDB(pgConnector{stdlib.GetConnector(*cfg)})
	if err := sdb.PingContext(ctx); err != nil {
		sdb.Close()
		return nil, fmt.Errorf("store: connect postgres %s@%s:%d/%s: %w", cfg.User, cfg.Host, cfg.Port, cfg.Database, err)
	}
	sdb.SetMaxIdleConns(8)
	sdb.SetMaxOpenConns(32)
	// "pgx" tells sqlx the bind type, for the few places that call Rebind;
	// pgConn rewrites "?" anyway.
	db := sqlx.NewDb(sdb, "pgx")
	log = log.With("component", "store")
	log.Debug("database opened", "host", cfg.Host, "port", cfg.Port, "database", cfg.Database)
	st := &Store{db: db, d: postgresDialect, log: log}
	st.Accounts = &Accounts{db: db, wmu: &st.wmu}
	return st, nil
}

// The kinds of store (config's store.kind).
const (
	KindSQLite   = "sqlite"
	KindPostgres = "postgres"
)

// OpenKind opens a store of the given kind: dsn is the SQLite file or the
// PostgreSQL connection string.
func OpenKind(ctx context.Context, kind, dsn string, log *slog.Logger) (*Store, error) {
	switch kind {
	case KindSQLite, "":
		return Open(ctx, dsn, log)
	case KindPostgres:
		return OpenPostgres(ctx, dsn, log)
	}
	return nil, fmt.Errorf("store: unknown kind %q (sqlite, postgres)", kind)
}

// CheckDSN reports whether dsn is a PostgreSQL connection string pgx can
// read, without connecting.
func CheckDSN(dsn string) error {
	if _, err := pgx.ParseConfig(dsn); err != nil {
		return err
	}
	return nil
}

// RedactDSN is a PostgreSQL DSN as postgres://user@host:port/db, for logs:
// no password, no other parameters.
func RedactDSN(dsn string) string {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return "postgres (unreadable dsn)"
	}
	return fmt.Sprintf("postgres://%s@%s:%d/%s", cfg.User, cfg.Host, cfg.Port, cfg.Database)
}

// Backend is "sqlite" or "postgres".
func (s *Store) Backend() string { return s.d.name }

// Close releases the prepared statements and closes the database.
func (s *Store) Close() error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	var errs []error
	if s.stmts != nil {
		errs = append(errs, s.stmts.close())
		s.stmts = nil
	}
	errs = append(errs, s.db.Close())
	return errors.Join(errs...)
}

// notFound maps sql.ErrNoRows to ErrNotFound and wraps other errors.
func notFound(err error, what string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%s: %w", what, ErrNotFound)
	}
	return fmt.Errorf("store: %s: %w", what, err)
}
