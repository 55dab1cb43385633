package store

import (
	"os"
	"path/filepath"
	"testing"
)

// TestOpenOddPath opens a database whose path needs escaping in the DSN.
func TestOpenOddPath(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "my data #1?x=y")
	path := filepath.Join(dir, "sb 100%.db")
	s, err := Open(t.Context(), path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	if err := s.Append(t.Context(), arrived("c1", 0)); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("database not at %s: %v", path, err)
	}
}
