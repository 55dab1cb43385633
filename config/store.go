package config

import (
	"errors"
	"fmt"
	"path/filepath"

	"switchboard/store"
)

// StoreConfig is the store: section: which database holds the event log
// and everything derived from it. Without it Switchboard uses SQLite at
// database: (DATA_DIR/switchboard.db), as before the section existed.
type StoreConfig struct {
	Kind string `yaml:"kind"` // sqlite (default) | postgres
	// DSN is the SQLite file (default: database:) or the PostgreSQL
	// connection string, "postgres://user:pass@host:5432/db?sslmode=disable".
	DSN string `yaml:"dsn"`
}

func (c *Config) validateStore() error {
	var errs []error
	switch c.Store.Kind {
	case "", store.KindSQLite:
		if c.Store.DSN != "" && c.Database != "" && filepath.Clean(c.Store.DSN) != filepath.Clean(c.Database) {
			errs = append(errs, fmt.Errorf("store.dsn: %q and database: %q name different files; keep one", c.Store.DSN, c.Database))
		}
	case store.KindPostgres:
		if c.Store.DSN == "" {
			errs = append(errs, errors.New("store.dsn: required for kind postgres (postgres://user@host:5432/db)"))
		} else if err := store.CheckDSN(c.Store.DSN); err != nil {
			errs = append(errs, fmt.Errorf("store.dsn: %w", err))
		}
	default:
		errs = append(errs, fmt.Errorf("store.kind: %q is not supported (supported: sqlite, postgres)", c.Store.Kind))
	}
	if c.Store.Kind == store.KindPostgres && c.Backups.Cron != "" {
		errs = append(errs, errors.New("backups.cron: scheduled backups copy a SQLite store; back PostgreSQL up with pg_dump (docs/operations.md)"))
	}
	if err := c.Backups.Check(c.Reports.TimeZone); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// settleStore fills the defaults once the file is valid: SQLite at
// database:, and database: at store.dsn when only that names the file.
func (c *Config) settleStore() {
	if c.Store.Kind == "" {
		c.Store.Kind = store.KindSQLite
	}
	if c.Store.Kind != store.KindSQLite {
		return
	}
	switch {
	case c.Store.DSN != "":
		c.Database = c.Store.DSN
	case c.Database == "":
		c.Database = filepath.Join(c.DataDir, "switchboard.db")
	}
	c.Store.DSN = c.Database
}

// Where names the database for logs and messages: the SQLite file, or the
// PostgreSQL host, port and database without the password.
func (s StoreConfig) Where() string {
	if s.Kind != store.KindPostgres {
		return s.DSN
	}
	return store.RedactDSN(s.DSN)
}
