package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// SetRollupConfig sets what Append computes report rollups with. When the
// tables were built with other settings (or never, e.g. on a log from
// before the rollups existed), it rebuilds them from the log and reports
// rebuilt true.
func (s *Store) SetRollupConfig(ctx context.Context, cfg RollupConfig) (rebuilt bool, err error) {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	s.rollupConfig = cfg.WithDefaults()
	var have string
	err = s.db.GetContext(ctx, &have, `SELECT value FROM rollup_meta WHERE name = 'config'`)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return false, fmt.Errorf("store: rollup config: %w", err)
	}
	if have == s.rollupConfig.Fingerprint() {
		return false, nil
	}
	if err := s.rebuildDerived(ctx); err != nil {
		return false, err
	}
	return true, nil
}

// RollupConfig is what Append computes report rollups with.
func (s *Store) RollupConfig() RollupConfig {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	return s.rollupConfig.WithDefaults()
}

// RebuildDerived empties the calls table, the report rollups and the
// messages table and re-derives them from the whole log, in one
// transaction, through the same code Append runs: readers see the old
// tables until the new ones are complete.
func (s *Store) RebuildDerived(ctx context.Context) error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	return s.rebuildDerived(ctx)
}

func (s *Store) rebuildDerived(ctx context.Context) error {
	start := time.Now()
	st, err := s.prepared(ctx)
	if err != nil {
		return err
	}
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: rebuild: begin: %w", err)
	}
	defer tx.Rollback()
	for _, table := range []string{"calls", "rollup", "rollup_agent_now", "messages", "recordings"} {
		if _, err := tx.ExecContext(ctx, "DELETE FROM "+table); err != nil {
			return fmt.Errorf("store: rebuild: empty %s: %w", table, err)
		}
	}
	proj := newProjector(tx, st)
	roll := newRollup(ctx, tx, st, proj, s.rollupConfig)
	msgs := newMessages(tx, false)
	recIdx := newRecordings(tx)
	var after, n int64
	for {
		var rows []eventRow
		if err := tx.SelectContext(ctx, &rows, `SELECT seq, time, type, call_id, agent_id, queue, data
			FROM events WHERE seq > ? ORDER BY seq LIMIT ?`, after, rebuildBatch*10); err != nil {
			return fmt.Errorf("store: rebuild: read log: %w", err)
		}
		for _, r := range rows {
			rec := r.record()
			if err := roll.before(&rec); err != nil {
				return err
			}
			if err := proj.apply(ctx, &rec); err != nil {
				return err
			}
			if err := roll.after(&rec); err != nil {
				return err
			}
			if err := msgs.apply(ctx, &rec); err != nil {
				return err
			}
			if err := recIdx.apply(ctx, &rec); err != nil {
				return err
			}
			after = r.Seq
		}
		if err := roll.flush(); err != nil {
			return err
		}
		if err := proj.flush(ctx); err != nil {
			return err
		}
		n += int64(len(rows))
		if len(rows) < rebuildBatch*10 {
			break
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO rollup_meta (name, value) VALUES ('config', ?)
		ON CONFLICT (name) DO UPDATE SET value = excluded.value`, s.rollupConfig.Fingerprint()); err != nil {
		return fmt.Errorf("store: rebuild: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: rebuild: commit: %w", err)
	}
	s.log.Info("calls and report rollups rebuilt from the log", "records", n, "took", time.Since(start))
	return nil
}
