// Package storetest opens real, migrated stores for other packages' tests,
// as httptest opens real servers: a SQLite file in the test's temporary
// directory, or a database on a PostgreSQL server the tests start
// (store/pgtest), closed when the test ends.
package storetest

import (
	"path/filepath"
	"testing"

	"switchboard/routing"
	"switchboard/store"
	"switchboard/store/pgtest"
)

// Backends are the kinds of store Open takes, for tests that run on each.
var Backends = []string{store.KindSQLite, store.KindPostgres}

// New returns a migrated SQLite store holding recs (appended in one batch).
func New(t testing.TB, recs ...*routing.Record) *store.Store {
	t.Helper()
	return Open(t, store.KindSQLite, recs...)
}

// NewPostgres returns a migrated store in a fresh PostgreSQL database
// holding recs. The package's TestMain should call pgtest.Main so that its
// tests share one server; without it each test starts its own.
func NewPostgres(t testing.TB, recs ...*routing.Record) *store.Store {
	t.Helper()
	return Open(t, store.KindPostgres, recs...)
}

// Open returns a migrated store of the given kind holding recs.
func Open(t testing.TB, kind string, recs ...*routing.Record) *store.Store {
	t.Helper()
	var (
		st  *store.Store
		err error
	)
	switch kind {
	case store.KindSQLite:
		st, err = store.Open(t.Context(), filepath.Join(t.TempDir(), "sb.db"), nil)
	case store.KindPostgres:
		st, err = store.OpenPostgres(t.Context(), pgtest.DSN(t), nil)
	default:
		t.Fatalf("storetest: unknown store kind %q", kind)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	if len(recs) > 0 {
		if err := st.Append(t.Context(), recs...); err != nil {
			t.Fatal(err)
		}
	}
	return st
}
