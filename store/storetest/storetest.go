// Package storetest opens real, migrated stores for other packages' tests,
// as httptest opens real servers: a SQLite file in the test's temporary
// directory, closed when the test ends.
package storetest

import (
	"path/filepath"
	"testing"

	"switchboard/routing"
	"switchboard/store"
)

// New returns a migrated store holding recs (appended in one batch).
func New(t testing.TB, recs ...*routing.Record) *store.Store {
	t.Helper()
	st, err := store.Open(t.Context(), filepath.Join(t.TempDir(), "sb.db"), nil)
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
