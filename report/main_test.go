package report

import (
	"os"
	"testing"

	"switchboard/store/pgtest"
)

// TestMain shares one PostgreSQL server between the tests that read
// reports from a PostgreSQL store.
func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }
