package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// ConfigVersion is a saved set of the editable routing sections (queues,
// agents, flows, …), each as YAML text. Version 0 is the config file and is
// never stored; saved versions count up from 1.
type ConfigVersion struct {
	Version int       `json:"version"`
	Time    time.Time `json:"time"`
	Author  string    `json:"author"`
	Comment string    `json:"comment"`
	// Parent is the version that was active when this one was saved.
	Parent int `json:"parent"`
	// Changed lists the sections that differ from the parent's.
	Changed []string `json:"changed"`
	// Base is the hash of the config file's sections it was made over, so
	// a later change to the file can be noticed.
	Base string `json:"base,omitempty"`
	// Sections maps a section name to its YAML; nil when listed.
	Sections map[string]string `json:"sections,omitempty"`
}

type configVersionRow struct {
	Version int        `db:"version"`
	Time    dbTime     `db:"time"`
	Author  string     `db:"author"`
	Comment string     `db:"comment"`
	Parent  int        `db:"parent"`
	Changed stringList `db:"changed"`
	Base    string     `db:"base"`
}

func (r configVersionRow) version() ConfigVersion {
	return ConfigVersion{Version: r.Version, Time: r.Time.T, Author: r.Author, Comment: r.Comment,
		Parent: r.Parent, Changed: []string(r.Changed), Base: r.Base}
}

const configVersionColumns = `version, time, author, comment, parent, changed, base`

// SaveConfigVersion stores v as the next version (one more than the
// latest) and returns it with its number and time set.
func (s *Store) SaveConfigVersion(ctx context.Context, v ConfigVersion) (ConfigVersion, error) {
	if v.Author == "" {
		return ConfigVersion{}, errors.New("store: config version needs an author")
	}
	if v.Time.IsZero() {
		v.Time = time.Now()
	}
	if v.Changed == nil {
		v.Changed = []string{}
	}
	s.wmu.Lock()
	defer s.wmu.Unlock()
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return ConfigVersion{}, fmt.Errorf("store: save config version: %w", err)
	}
	defer tx.Rollback()
	if err := tx.GetContext(ctx, &v.Version, `SELECT COALESCE(MAX(version), 0) + 1 FROM config_versions`); err != nil {
		return ConfigVersion{}, fmt.Errorf("store: save config version: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO config_versions (`+configVersionColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		v.Version, someTime(v.Time), v.Author, v.Comment, v.Parent, stringList(v.Changed), v.Base); err != nil {
		return ConfigVersion{}, fmt.Errorf("store: save config version: %w", err)
	}
	for name, text := range v.Sections {
		if _, err := tx.ExecContext(ctx, `INSERT INTO config_version_sections (version, section, yaml) VALUES (?, ?, ?)`,
			v.Version, name, text); err != nil {
			return ConfigVersion{}, fmt.Errorf("store: save config version section %s: %w", name, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return ConfigVersion{}, fmt.Errorf("store: save config version: %w", err)
	}
	return v, nil
}

// ConfigVersions lists saved versions newest first, without their
// sections: those below before (0: from the latest), at most limit.
func (s *Store) ConfigVersions(ctx context.Context, before, limit int) ([]ConfigVersion, error) {
	q, args := `SELECT `+configVersionColumns+` FROM config_versions`, []any{}
	if before > 0 {
		q, args = q+` WHERE version < ?`, append(args, before)
	}
	q += ` ORDER BY version DESC LIMIT ?`
	args = append(args, clampLimit(limit))
	var rows []configVersionRow
	if err := s.db.SelectContext(ctx, &rows, q, args...); err != nil {
		return nil, fmt.Errorf("store: config versions: %w", err)
	}
	out := make([]ConfigVersion, len(rows))
	for i, r := range rows {
		out[i] = r.version()
	}
	return out, nil
}

// ConfigVersion is saved version n with its sections (ErrNotFound if none).
func (s *Store) ConfigVersion(ctx context.Context, n int) (ConfigVersion, error) {
	var row configVersionRow
	if err := s.db.GetContext(ctx, &row, `SELECT `+configVersionColumns+` FROM config_versions WHERE version = ?`, n); err != nil {
		return ConfigVersion{}, notFound(err, fmt.Sprintf("config version %d", n))
	}
	v := row.version()
	var secs []struct {
		Section string `db:"section"`
		YAML    string `db:"yaml"`
	}
	if err := s.db.SelectContext(ctx, &secs, `SELECT section, yaml FROM config_version_sections WHERE version = ?`, n); err != nil {
		return ConfigVersion{}, fmt.Errorf("store: config version %d: %w", n, err)
	}
	v.Sections = make(map[string]string, len(secs))
	for _, sec := range secs {
		v.Sections[sec.Section] = sec.YAML
	}
	return v, nil
}

// LatestConfigVersion is the newest saved version with its sections; ok
// is false when none was ever saved (the config file rules alone).
func (s *Store) LatestConfigVersion(ctx context.Context) (v ConfigVersion, ok bool, err error) {
	var n int
	err = s.db.GetContext(ctx, &n, `SELECT version FROM config_versions ORDER BY version DESC LIMIT 1`)
	if errors.Is(err, sql.ErrNoRows) {
		return ConfigVersion{}, false, nil
	}
	if err != nil {
		return ConfigVersion{}, false, fmt.Errorf("store: latest config version: %w", err)
	}
	v, err = s.ConfigVersion(ctx, n)
	return v, err == nil, err
}
