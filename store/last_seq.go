package store

import (
	"context"
	"fmt"
)

// LastSeq is the sequence number of the log's last record (0: empty).
func (s *Store) LastSeq(ctx context.Context) (int64, error) {
	var seq int64
	if err := s.db.GetContext(ctx, &seq, `SELECT coalesce(max(seq), 0) FROM events`); err != nil {
		return 0, fmt.Errorf("store: last seq: %w", err)
	}
	return seq, nil
}
