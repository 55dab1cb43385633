package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"switchboard/routing"
)

// Messages (留言): the messages table is a projection of call.message (a
// caller left a recorded message for a target) and message.handled
// (someone dealt with it). Like calls, it is written inside Append's
// transaction and rebuilt from the log with the other derived tables.

// Message is one recorded message. ID is the recording's name, which is
// also how its audio is fetched from the PBX.
type Message struct {
	ID              string     `json:"id"`
	CallID          string     `json:"call_id"`
	Caller          string     `json:"caller"`
	Target          string     `json:"target"`
	TargetKind      string     `json:"target_kind"` // agent, extension, group
	RecordedAt      time.Time  `json:"recorded_at"`
	DurationSeconds float64    `json:"duration_seconds"`
	HandledAt       *time.Time `json:"handled_at"`
	HandledBy       string     `json:"handled_by"`
	Note            string     `json:"note"`
}

// MessageFilter selects messages. Empty fields match everything.
type MessageFilter struct {
	Target  string
	Handled *bool // true: only handled messages; false: only open ones
	Limit   int   // DefaultLimit if <= 0, at most MaxLimit
}

type messageRow struct {
	ID              string  `db:"id"`
	Seq             int64   `db:"seq"`
	CallID          string  `db:"call_id"`
	Caller          string  `db:"caller"`
	Target          string  `db:"target"`
	TargetKind      string  `db:"target_kind"`
	RecordedAt      dbTime  `db:"recorded_at"`
	DurationSeconds float64 `db:"duration_seconds"`
	HandledAt       dbTime  `db:"handled_at"`
	HandledBy       string  `db:"handled_by"`
	Note            string  `db:"note"`
}

func (r *messageRow) message() Message {
	return Message{
		ID: r.ID, CallID: r.CallID, Caller: r.Caller, Target: r.Target, TargetKind: r.TargetKind,
		RecordedAt: r.RecordedAt.T, DurationSeconds: r.DurationSeconds,
		HandledAt: r.HandledAt.ptr(), HandledBy: r.HandledBy, Note: r.Note,
	}
}

const messageColumns = `id, seq, call_id, caller, target, target_kind, recorded_at, duration_seconds,
	handled_at, handled_by, note`

// Messages returns the messages f selects, newest first.
func (s *Store) Messages(ctx context.Context, f MessageFilter) ([]Message, error) {
	var (
		where []string
		args  []any
	)
	if f.Target != "" {
		where = append(where, "target = ?")
		args = append(args, f.Target)
	}
	if f.Handled != nil {
		if *f.Handled {
			where = append(where, "handled_at IS NOT NULL")
		} else {
			where = append(where, "handled_at IS NULL")
		}
	}
	q := "SELECT " + messageColumns + " FROM messages"
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY seq DESC LIMIT ?"
	args = append(args, clampLimit(f.Limit))
	var rows []messageRow
	if err := sqlx.SelectContext(ctx, s.db, &rows, q, args...); err != nil {
		return nil, fmt.Errorf("store: messages: %w", err)
	}
	out := make([]Message, len(rows))
	for i := range rows {
		out[i] = rows[i].message()
	}
	return out, nil
}

// Message returns one message, or an error wrapping ErrNotFound.
func (s *Store) Message(ctx context.Context, id string) (Message, error) {
	var row messageRow
	err := sqlx.GetContext(ctx, s.db, &row, "SELECT "+messageColumns+" FROM messages WHERE id = ?", id)
	if err != nil {
		return Message{}, notFound(err, "message "+id)
	}
	return row.message(), nil
}

// messages applies records to the messages table inside one transaction.
//
//   - call.message inserts the message; its recording name is required
//     (ErrBadRecord without one). A second call.message for the same
//     recording is ignored: the first one wins.
//   - message.handled sets handled_at, handled_by and note, once. Append
//     (strict) refuses one for a message that does not exist (ErrNotFound)
//     or is already handled (ErrAlreadyHandled), so the log holds at most
//     one per message and the check and the write are one transaction; a
//     rebuild (not strict) skips such records, so it never fails on a log
//     Append accepted.
type messages struct {
	tx     *sqlx.Tx
	strict bool
}

func newMessages(tx *sqlx.Tx, strict bool) *messages { return &messages{tx: tx, strict: strict} }

func (m *messages) apply(ctx context.Context, rec *routing.Record) error {
	switch rec.Type {
	case routing.EvCallMessage:
		d, err := payloadOf[routing.MessageData](rec)
		if err != nil {
			return err
		}
		if d.Recording == "" {
			return fmt.Errorf("store: %s seq %d: no recording: %w", rec.Type, rec.Seq, ErrBadRecord)
		}
		_, err = m.tx.ExecContext(ctx, `INSERT INTO messages
			(id, seq, call_id, caller, target, target_kind, recorded_at, duration_seconds)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
			d.Recording, rec.Seq, rec.CallID, d.Caller, d.Target, d.TargetKind, formatTime(rec.Time), d.DurationSeconds)
		if err != nil {
			return fmt.Errorf("store: message %s: %w", d.Recording, err)
		}
	case routing.EvMessageHandled:
		d, err := payloadOf[routing.MessageHandledData](rec)
		if err != nil {
			return err
		}
		if d.Recording == "" {
			return fmt.Errorf("store: %s seq %d: no recording: %w", rec.Type, rec.Seq, ErrBadRecord)
		}
		res, err := m.tx.ExecContext(ctx, `UPDATE messages SET handled_seq = ?, handled_at = ?, handled_by = ?, note = ?
			WHERE id = ? AND handled_at IS NULL`,
			rec.Seq, formatTime(rec.Time), d.By, d.Note, d.Recording)
		if err != nil {
			return fmt.Errorf("store: message %s handled: %w", d.Recording, err)
		}
		if n, err := res.RowsAffected(); err != nil || n == 1 || !m.strict {
			return err
		}
		var handled sql.NullString
		err = m.tx.GetContext(ctx, &handled, `SELECT handled_at FROM messages WHERE id = ?`, d.Recording)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return fmt.Errorf("message %s: %w", d.Recording, ErrNotFound)
		case err != nil:
			return fmt.Errorf("store: message %s: %w", d.Recording, err)
		}
		return fmt.Errorf("message %s: %w", d.Recording, ErrAlreadyHandled)
	}
	return nil
}
