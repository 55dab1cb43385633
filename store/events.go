package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/jmoiron/sqlx"

	"switchboard/routing"
)

// Limits on the rows one query returns.
const (
	DefaultLimit = 1000
	MaxLimit     = 10000
)

// clampLimit applies DefaultLimit to n <= 0 and caps n at MaxLimit.
func clampLimit(n int) int {
	switch {
	case n <= 0:
		return DefaultLimit
	case n > MaxLimit:
		return MaxLimit
	}
	return n
}

// EventFilter selects records of the log. Empty fields match everything.
type EventFilter struct {
	CallID     string
	AgentID    string
	Queue      string
	TypePrefix string // "call." matches every call event; "call.ended" that type
	AfterSeq   int64  // only records with a greater seq, for paging
	Limit      int    // DefaultLimit if <= 0, at most MaxLimit
}

// eventRow is a row of the events table.
type eventRow struct {
	Seq     int64   `db:"seq"`
	Time    dbTime  `db:"time"`
	Type    string  `db:"type"`
	CallID  string  `db:"call_id"`
	AgentID string  `db:"agent_id"`
	Queue   string  `db:"queue"`
	Data    *string `db:"data"`
}

func (r eventRow) record() routing.Record {
	rec := routing.Record{
		Seq: r.Seq, Time: r.Time.T, Type: r.Type,
		CallID: r.CallID, AgentID: r.AgentID, Queue: r.Queue,
	}
	if r.Data != nil {
		rec.Data = json.RawMessage(*r.Data)
	}
	return rec
}

const insertEventSQL = `INSERT INTO events (time, type, call_id, agent_id, queue, data) VALUES (?, ?, ?, ?, ?, ?)`

// appendEventSQL gives the record the seq Append counted: the log's newest
// seq plus one, read inside the transaction that holds the write lock
// (dialect.lockEvents), so seqs are 1..N with no gap on either backend.
const appendEventSQL = `INSERT INTO events (seq, time, type, call_id, agent_id, queue, data) VALUES (?, ?, ?, ?, ?, ?, ?)`

// Append writes recs to the log in order and sets each one's Seq. All of
// them, and the calls rows, report rollups (rollup.go) and messages
// (messages.go) they change, are written in one transaction: on
// error nothing is written and no Seq is set. A record with no type, with
// data that is not JSON, or a call.* record whose data does not decode is
// refused with ErrBadRecord; a message.handled record for a message that
// does not exist or was handled already with ErrNotFound or
// ErrAlreadyHandled (messages.go).
func (s *Store) Append(ctx context.Context, recs ...*routing.Record) error {
	if len(recs) == 0 {
		return nil
	}
	for i, r := range recs {
		if err := checkRecord(r); err != nil {
			return fmt.Errorf("store: append record %d: %w", i, err)
		}
	}

	s.wmu.Lock()
	defer s.wmu.Unlock()
	st, err := s.prepared(ctx)
	if err != nil {
		return err
	}
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: append: begin: %w", err)
	}
	defer tx.Rollback()
	if s.d.lockEvents != "" {
		if _, err := tx.ExecContext(ctx, s.d.lockEvents); err != nil {
			return fmt.Errorf("store: append: lock: %w", err)
		}
	}
	if s.fence != nil {
		if err := checkFence(ctx, tx, s.fence); err != nil {
			return err
		}
	}
	var last int64
	if err := tx.GetContext(ctx, &last, `SELECT coalesce(max(seq), 0) FROM events`); err != nil {
		return fmt.Errorf("store: append: last seq: %w", err)
	}

	ins := tx.StmtxContext(ctx, st.insertEvent)
	proj := newProjector(tx, st)
	roll := newRollup(ctx, tx, st, proj, s.rollupConfig)
	msgs := newMessages(tx, true)
	recIdx := newRecordings(tx)
	cust := customerWriter{tx: tx}
	seqs := make([]int64, len(recs))
	for i, r := range recs {
		var data any
		if len(r.Data) > 0 {
			data = string(r.Data)
		}
		seqs[i] = last + int64(i) + 1
		if _, err := ins.ExecContext(ctx, seqs[i], formatTime(r.Time), r.Type, r.CallID, r.AgentID, r.Queue, data); err != nil {
			return fmt.Errorf("store: append %s: %w", r.Type, err)
		}
		rec := *r
		rec.Seq = seqs[i]
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
		if err := cust.apply(ctx, &rec); err != nil {
			return err
		}
	}
	if err := roll.flush(); err != nil {
		return err
	}
	if err := proj.flush(ctx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: append: commit: %w", err)
	}
	for i, r := range recs {
		r.Seq = seqs[i]
	}
	return nil
}

// checkRecord refuses what Append must not log.
func checkRecord(r *routing.Record) error {
	if r == nil {
		return fmt.Errorf("nil record: %w", ErrBadRecord)
	}
	if r.Type == "" {
		return fmt.Errorf("no type: %w", ErrBadRecord)
	}
	if len(r.Data) > 0 && !r.Typed() && !json.Valid(r.Data) { // the engine's encoding is valid
		return fmt.Errorf("%s: data is not JSON: %w", r.Type, ErrBadRecord)
	}
	if isProjected(r.Type) && r.CallID == "" {
		return fmt.Errorf("%s: no call ID: %w", r.Type, ErrBadRecord)
	}
	return nil
}

// Events returns the log records f selects, in ascending seq.
func (s *Store) Events(ctx context.Context, f EventFilter) ([]routing.Record, error) {
	var (
		where []string
		args  []any
	)
	add := func(cond string, v any) { where = append(where, cond); args = append(args, v) }
	if f.CallID != "" {
		add("call_id = ?", f.CallID)
	}
	if f.AgentID != "" {
		add("agent_id = ?", f.AgentID)
	}
	if f.Queue != "" {
		add("queue = ?", f.Queue)
	}
	if f.TypePrefix != "" {
		// A range instead of LIKE: no escaping of "_" and it can use the
		// index. maxRune sorts after any suffix in byte (C collation) order.
		where = append(where, "type >= ? AND type < ?")
		args = append(args, f.TypePrefix, f.TypePrefix+maxRune)
	}
	if f.AfterSeq > 0 {
		add("seq > ?", f.AfterSeq)
	}
	q := "SELECT seq, time, type, call_id, agent_id, queue, data FROM events"
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY seq LIMIT ?"
	args = append(args, clampLimit(f.Limit))

	var rows []eventRow
	if err := sqlx.SelectContext(ctx, s.db, &rows, q, args...); err != nil {
		return nil, fmt.Errorf("store: events: %w", err)
	}
	out := make([]routing.Record, len(rows))
	for i, r := range rows {
		out[i] = r.record()
	}
	return out, nil
}

// maxRune is the greatest code point, valid UTF-8 (PostgreSQL refuses
// invalid bytes in TEXT), after any other character in byte order.
const maxRune = "\U0010FFFF"
