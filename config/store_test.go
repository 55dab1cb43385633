package config

import (
	"path/filepath"
	"strings"
	"testing"

	"switchboard/config/configtest"
)

func TestStoreSection(t *testing.T) {
	for _, tt := range []struct {
		name, yaml       string
		kind, dsn, sqlDB string // want; sqlDB is cfg.Database
	}{
		{"old config: database only", "data_dir: /srv/sb\n", "sqlite", "/srv/sb/switchboard.db", "/srv/sb/switchboard.db"},
		{"old config: database set", "database: /srv/x.db\n", "sqlite", "/srv/x.db", "/srv/x.db"},
		{"sqlite dsn", "store: {kind: sqlite, dsn: /srv/y.db}\n", "sqlite", "/srv/y.db", "/srv/y.db"},
		{"postgres", "store: {kind: postgres, dsn: 'postgres://sb:secret@127.0.0.1:5432/sb?sslmode=disable'}\n",
			"postgres", "postgres://sb:secret@127.0.0.1:5432/sb?sslmode=disable", ""},
	} {
		cfg, err := Load(configtest.WriteFile(t, tt.yaml))
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if cfg.Store.Kind != tt.kind || filepath.ToSlash(cfg.Store.DSN) != tt.dsn || filepath.ToSlash(cfg.Database) != tt.sqlDB {
			t.Errorf("%s: store %+v database %q", tt.name, cfg.Store, cfg.Database)
		}
		if w := cfg.Store.Where(); strings.Contains(w, "secret") || !strings.Contains(w, "127.0.0.1") && tt.kind == "postgres" {
			t.Errorf("%s: Where() = %q", tt.name, w)
		}
	}
}

func TestStoreErrorsAtFileLine(t *testing.T) {
	for _, tt := range []struct {
		yaml string
		want string // after "FILE:"
	}{
		{"log_level: info\nstore:\n  kind: mysql\n", `3: store.kind: "mysql" is not supported`},
		{"log_level: info\nstore:\n  kind: postgres\n", `2: store.dsn: required for kind postgres`},
		{"store:\n  kind: postgres\n  dsn: 'postgres://sb@127.0.0.1:notaport/sb'\n", `3: store.dsn: `},
		{"database: /a.db\nstore:\n  dsn: /b.db\n", `3: store.dsn: "/b.db" and database: "/a.db" name different files`},
	} {
		path := configtest.WriteFile(t, tt.yaml)
		_, err := Load(path)
		if err == nil || !strings.Contains(err.Error(), path+":"+tt.want) {
			t.Errorf("%q: got %v, want %s:%s", tt.yaml, err, path, tt.want)
		}
	}
}
