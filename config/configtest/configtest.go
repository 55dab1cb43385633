// Package configtest writes config files for tests of config and of the
// commands that load one. It imports nothing of Switchboard's.
package configtest

import (
	"os"
	"path/filepath"
	"testing"
)

// WriteFile writes body as a config file in a fresh temporary directory
// and returns its path.
func WriteFile(t testing.TB, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "switchboard.yaml")
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}
