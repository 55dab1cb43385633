package store

import (
	"context"
	"fmt"
	"time"
)

// Followed is what a reader that keeps calls in memory from the log starts
// from: the calls first queued at or after a time or not ended yet, and a
// sequence number: every record up to it is reflected in Calls (later
// ones may be too).
type Followed struct {
	Calls []Call
	Seq   int64
}

// FollowedCalls reads every call first queued at or after since or not
// ended yet, with no page limit (the wallboard's 30 minutes can hold more
// than MaxLimit calls). It reads the log's last sequence number first and
// the calls after it, without a transaction (one would take the write
// lock, _txlock=immediate, and stall the engine's appends).
func (s *Store) FollowedCalls(ctx context.Context, since time.Time) (Followed, error) {
	var f Followed
	if err := s.db.GetContext(ctx, &f.Seq, `SELECT coalesce(max(seq), 0) FROM events`); err != nil {
		return Followed{}, fmt.Errorf("store: followed calls: last seq: %w", err)
	}
	// Two indexed halves (calls_queued_at, calls_open), not one OR that
	// scans the table.
	var rows []callRow
	if err := s.db.SelectContext(ctx, &rows, `SELECT `+callColumns+` FROM calls WHERE queued_at >= ?
		UNION SELECT `+callColumns+` FROM calls WHERE ended_at IS NULL`, formatTime(since)); err != nil {
		return Followed{}, fmt.Errorf("store: followed calls: %w", err)
	}
	f.Calls = make([]Call, len(rows))
	for i := range rows {
		f.Calls[i] = rows[i].call()
	}
	return f, nil
}
