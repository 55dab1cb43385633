package store

import (
	"os"
	"strings"
	"testing"

	"switchboard/store/pgtest"
)

// TestMain shares one PostgreSQL server (started on first use) between the
// tests; each test has a database of its own.
func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// backends are the stores every store test runs on.
var backends = []string{"sqlite", "postgres"}

// eachBackend runs f as a subtest per backend; openTest reads which from
// the subtest's name.
func eachBackend(t *testing.T, f func(*testing.T)) {
	for _, b := range backends {
		t.Run(b, f)
	}
}

// backendOf is the backend a (sub)test runs on: "postgres" under a
// postgres subtest, "sqlite" otherwise.
func backendOf(t testing.TB) string {
	if strings.Contains("/"+t.Name()+"/", "/postgres/") {
		return "postgres"
	}
	return "sqlite"
}
