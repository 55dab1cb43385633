package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"switchboard/routing"
)

// Recordings (录音): the recordings table indexes call recordings, a
// projection of the recording.* records tying each recording to its call
// (agent, team, queue, caller, direction; the disposition is the call's,
// from the calls table). Like messages it is written inside Append's
// transaction and rebuilt from the log with the other derived tables.

// Recording is one call's recording: its parts (one file per bridge; a
// transfer adds one) and the pauses in them.
type Recording struct {
	ID              string          `json:"id"`
	CallID          string          `json:"call_id"`
	Agent           string          `json:"agent"`
	Team            string          `json:"team"`
	Queue           string          `json:"queue"`
	Direction       string          `json:"direction"`
	Caller          string          `json:"caller"`
	Disposition     string          `json:"disposition"`
	Mode            string          `json:"mode"`
	StartedAt       time.Time       `json:"started_at"`
	EndedAt         *time.Time      `json:"ended_at"`
	DurationSeconds float64         `json:"duration_seconds"`
	PausedSeconds   float64         `json:"paused_seconds"`
	RetentionDays   int             `json:"retention_days"`
	Parts           []RecordingPart `json:"parts"`
	Pauses          []RecordingGap  `json:"pauses"`
	Failures        int             `json:"failures"`
	LastError       string          `json:"last_error,omitempty"`
	Held            bool            `json:"legal_hold"`
	HeldBy          string          `json:"legal_hold_by,omitempty"`
	DeletedAt       *time.Time      `json:"deleted_at,omitempty"`
	DeletedBy       string          `json:"deleted_by,omitempty"`
	DeleteReason    string          `json:"delete_reason,omitempty"`
}

// RecordingPart is one file of a recording.
type RecordingPart struct {
	Part      int        `json:"part"`
	Name      string     `json:"name"` // the file's name on the PBX
	Agent     string     `json:"agent"`
	StartedAt time.Time  `json:"started_at"`
	EndedAt   *time.Time `json:"ended_at"`
	// Seconds is the talk the part covered; the file holds Seconds less
	// PausedSeconds.
	Seconds       float64 `json:"seconds"`
	PausedSeconds float64 `json:"paused_seconds"`
	Failed        bool    `json:"failed"`
}

// RecordingGap is a pause: from Offset (seconds into its part's talk)
// to ResumeOffset (nil: paused to the part's end). FileOffset is where
// the gap sits in the file, which has no audio for it.
type RecordingGap struct {
	Part         int        `json:"part"`
	By           string     `json:"by"`
	At           time.Time  `json:"at"`
	Offset       float64    `json:"offset_seconds"`
	FileOffset   float64    `json:"file_offset_seconds"`
	ResumedAt    *time.Time `json:"resumed_at"`
	ResumedBy    string     `json:"resumed_by,omitempty"`
	ResumeOffset *float64   `json:"resume_offset_seconds"`
}

// RecordingFilter selects recordings. Empty fields match everything.
type RecordingFilter struct {
	Agent       string
	Agents      []string // non-nil: only these agents' (scope); empty: none
	Team        string
	Queue       string
	Direction   string
	Disposition string
	From, To    time.Time // started at or after From, before To
	Deleted     bool      // include deleted recordings
	Limit       int       // DefaultLimit if <= 0, at most MaxLimit
	Offset      int
}

// RecordingPage is a page of recordings and how many f selects in all.
type RecordingPage struct {
	Recordings []Recording `json:"recordings"`
	Total      int         `json:"total"`
}

type recordingRow struct {
	ID              string         `db:"id"`
	Seq             int64          `db:"seq"`
	CallID          string         `db:"call_id"`
	Agent           string         `db:"agent"`
	Team            string         `db:"team"`
	Queue           string         `db:"queue"`
	Direction       string         `db:"direction"`
	Caller          string         `db:"caller"`
	Mode            string         `db:"mode"`
	StartedAt       dbTime         `db:"started_at"`
	EndedAt         dbTime         `db:"ended_at"`
	DurationSeconds float64        `db:"duration_seconds"`
	PausedSeconds   float64        `db:"paused_seconds"`
	RetentionDays   int            `db:"retention_days"`
	Parts           string         `db:"parts"`
	Pauses          string         `db:"pauses"`
	Failures        int            `db:"failures"`
	LastError       string         `db:"last_error"`
	Held            bool           `db:"held"`
	HeldBy          string         `db:"held_by"`
	DeletedAt       dbTime         `db:"deleted_at"`
	DeletedBy       string         `db:"deleted_by"`
	DeleteReason    string         `db:"delete_reason"`
	Disposition     sql.NullString `db:"disposition"`
}

const recordingColumns = `r.id, r.seq, r.call_id, r.agent, r.team, r.queue, r.direction, r.caller, r.mode,
	r.started_at, r.ended_at, r.duration_seconds, r.paused_seconds, r.retention_days, r.parts, r.pauses,
	r.failures, r.last_error, r.held, r.held_by, r.deleted_at, r.deleted_by, r.delete_reason, c.disposition`

const recordingFrom = ` FROM recordings r LEFT JOIN calls c ON c.id = r.call_id`

func (row *recordingRow) recording() (Recording, error) {
	r := Recording{
		ID: row.ID, CallID: row.CallID, Agent: row.Agent, Team: row.Team, Queue: row.Queue,
		Direction: row.Direction, Caller: row.Caller, Disposition: row.Disposition.String, Mode: row.Mode,
		StartedAt: row.StartedAt.T, EndedAt: row.EndedAt.ptr(), DurationSeconds: row.DurationSeconds,
		PausedSeconds: row.PausedSeconds, RetentionDays: row.RetentionDays, Failures: row.Failures,
		LastError: row.LastError, Held: row.Held, HeldBy: row.HeldBy, DeletedAt: row.DeletedAt.ptr(),
		DeletedBy: row.DeletedBy, DeleteReason: row.DeleteReason,
	}
	if err := json.Unmarshal([]byte(row.Parts), &r.Parts); err != nil {
		return r, fmt.Errorf("store: recording %s parts: %w", row.ID, err)
	}
	if err := json.Unmarshal([]byte(row.Pauses), &r.Pauses); err != nil {
		return r, fmt.Errorf("store: recording %s pauses: %w", row.ID, err)
	}
	return r, nil
}

// Recordings returns the page of recordings f selects, newest first.
func (s *Store) Recordings(ctx context.Context, f RecordingFilter) (RecordingPage, error) {
	var (
		where []string
		args  []any
	)
	add := func(cond string, v any) { where = append(where, cond); args = append(args, v) }
	if f.Agent != "" {
		add("r.agent = ?", f.Agent)
	}
	if f.Agents != nil {
		if len(f.Agents) == 0 {
			return RecordingPage{Recordings: []Recording{}}, nil
		}
		where = append(where, "r.agent IN (?"+strings.Repeat(", ?", len(f.Agents)-1)+")")
		for _, a := range f.Agents {
			args = append(args, a)
		}
	}
	if f.Team != "" {
		add("r.team = ?", f.Team)
	}
	if f.Queue != "" {
		add("r.queue = ?", f.Queue)
	}
	if f.Direction != "" {
		add("r.direction = ?", f.Direction)
	}
	if f.Disposition != "" {
		add("c.disposition = ?", f.Disposition)
	}
	if !f.From.IsZero() {
		add("r.started_at >= ?", formatTime(f.From))
	}
	if !f.To.IsZero() {
		add("r.started_at < ?", formatTime(f.To))
	}
	if !f.Deleted {
		where = append(where, "r.deleted_at IS NULL")
	}
	cond := ""
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}
	var total int
	if err := sqlx.GetContext(ctx, s.db, &total, "SELECT count(*)"+recordingFrom+cond, args...); err != nil {
		return RecordingPage{}, fmt.Errorf("store: count recordings: %w", err)
	}
	q := "SELECT " + recordingColumns + recordingFrom + cond + " ORDER BY r.started_at DESC, r.seq DESC LIMIT ? OFFSET ?"
	args = append(args, clampLimit(f.Limit), max(f.Offset, 0))
	var rows []recordingRow
	if err := sqlx.SelectContext(ctx, s.db, &rows, q, args...); err != nil {
		return RecordingPage{}, fmt.Errorf("store: recordings: %w", err)
	}
	page := RecordingPage{Recordings: make([]Recording, 0, len(rows)), Total: total}
	for i := range rows {
		r, err := rows[i].recording()
		if err != nil {
			return RecordingPage{}, err
		}
		page.Recordings = append(page.Recordings, r)
	}
	return page, nil
}

// Recording returns one recording (deleted ones too), or an error
// wrapping ErrNotFound.
func (s *Store) Recording(ctx context.Context, id string) (Recording, error) {
	var row recordingRow
	err := sqlx.GetContext(ctx, s.db, &row, "SELECT "+recordingColumns+recordingFrom+" WHERE r.id = ?", id)
	if err != nil {
		return Recording{}, notFound(err, "recording "+id)
	}
	return row.recording()
}

// ExpiredRecordings are the recordings due for deletion at now: past
// their retention, not held, not deleted, not still recording.
func (s *Store) ExpiredRecordings(ctx context.Context, now time.Time, limit int) ([]Recording, error) {
	var rows []recordingRow
	err := sqlx.SelectContext(ctx, s.db, &rows, "SELECT "+recordingColumns+recordingFrom+
		` WHERE r.retention_days > 0 AND r.held = 0 AND r.deleted_at IS NULL AND r.ended_at IS NOT NULL
		ORDER BY r.started_at LIMIT ?`, clampLimit(limit))
	if err != nil {
		return nil, fmt.Errorf("store: expired recordings: %w", err)
	}
	out := []Recording{}
	for i := range rows {
		r, err := rows[i].recording()
		if err != nil {
			return nil, err
		}
		if routing.Expired(r.StartedAt, r.RetentionDays, r.Held, now) {
			out = append(out, r)
		}
	}
	return out, nil
}

// recordings applies recording.* records to the recordings table inside
// one transaction. A record about a recording the table does not hold
// (its recording.started missing) is skipped: a pause after a restart.
type recordings struct{ tx *sqlx.Tx }

func newRecordings(tx *sqlx.Tx) *recordings { return &recordings{tx: tx} }

func (rs *recordings) apply(ctx context.Context, rec *routing.Record) error {
	switch rec.Type {
	case routing.EvRecordingStarted:
		d, err := payloadOf[routing.RecordingData](rec)
		if err != nil {
			return err
		}
		if d.Recording == "" {
			return fmt.Errorf("store: %s seq %d: no recording: %w", rec.Type, rec.Seq, ErrBadRecord)
		}
		part := RecordingPart{Part: d.Part, Name: d.Name, Agent: d.Agent, StartedAt: rec.Time}
		if d.Part <= 1 {
			parts, _ := json.Marshal([]RecordingPart{part})
			_, err = rs.tx.ExecContext(ctx, `INSERT INTO recordings
				(id, seq, call_id, agent, team, queue, direction, caller, mode, started_at, retention_days, parts)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
				d.Recording, rec.Seq, rec.CallID, d.Agent, d.Team, d.Queue, d.Direction, d.Caller, d.Mode,
				formatTime(rec.Time), d.RetentionDays, string(parts))
			if err != nil {
				return fmt.Errorf("store: recording %s: %w", d.Recording, err)
			}
			return nil
		}
		return rs.update(ctx, d.Recording, func(r *Recording) {
			r.Parts = append(r.Parts, part)
			r.EndedAt = nil
		})
	case routing.EvRecordingPaused, routing.EvRecordingResumed:
		d, err := payloadOf[routing.RecordingPauseData](rec)
		if err != nil {
			return err
		}
		return rs.update(ctx, d.Recording, func(r *Recording) {
			if rec.Type == routing.EvRecordingPaused {
				r.Pauses = append(r.Pauses, RecordingGap{Part: d.Part, By: d.By, At: rec.Time, Offset: d.Offset, FileOffset: d.FileOffset})
				return
			}
			for i := len(r.Pauses) - 1; i >= 0; i-- {
				if g := &r.Pauses[i]; g.Part == d.Part && g.ResumedAt == nil {
					at, off := rec.Time, d.Offset
					g.ResumedAt, g.ResumedBy, g.ResumeOffset = &at, d.By, &off
					return
				}
			}
		})
	case routing.EvRecordingEnded:
		d, err := payloadOf[routing.RecordingEndedData](rec)
		if err != nil {
			return err
		}
		return rs.update(ctx, d.Recording, func(r *Recording) {
			for i := range r.Parts {
				if p := &r.Parts[i]; p.Part == d.Part {
					at := rec.Time
					p.EndedAt, p.Seconds, p.PausedSeconds = &at, d.Seconds, d.PausedSeconds
				}
			}
			r.DurationSeconds, r.PausedSeconds = 0, 0
			for _, p := range r.Parts {
				r.DurationSeconds += p.Seconds
				r.PausedSeconds += p.PausedSeconds
			}
			at := rec.Time
			r.EndedAt = &at
		})
	case routing.EvRecordingFailed:
		d, err := payloadOf[routing.RecordingFailedData](rec)
		if err != nil {
			return err
		}
		return rs.update(ctx, d.Recording, func(r *Recording) {
			r.Failures++
			r.LastError = d.Step + ": " + d.Err
			for i := range r.Parts {
				if p := &r.Parts[i]; p.Part == d.Part && (d.Step == "start" || d.Step == "store") {
					p.Failed = true
					if p.EndedAt == nil {
						at := rec.Time
						p.EndedAt = &at
					}
				}
			}
			if d.Step == "start" || d.Step == "store" {
				at := rec.Time
				r.EndedAt = &at
			}
		})
	case routing.EvRecordingHold:
		d, err := payloadOf[routing.RecordingHoldData](rec)
		if err != nil {
			return err
		}
		return rs.update(ctx, d.Recording, func(r *Recording) {
			r.Held, r.HeldBy = d.Hold, d.By
		})
	case routing.EvRecordingDeleted:
		d, err := payloadOf[routing.RecordingDeletedData](rec)
		if err != nil {
			return err
		}
		return rs.update(ctx, d.Recording, func(r *Recording) {
			at := rec.Time
			r.DeletedAt, r.DeletedBy, r.DeleteReason = &at, d.By, d.Reason
		})
	}
	return nil
}

// update reads recording id, lets change it and writes back what records
// change (agent: the latest part's).
func (rs *recordings) update(ctx context.Context, id string, change func(*Recording)) error {
	var row recordingRow
	err := rs.tx.GetContext(ctx, &row, "SELECT "+recordingColumns+recordingFrom+" WHERE r.id = ?", id)
	if err == sql.ErrNoRows {
		return nil
	}
	if err != nil {
		return fmt.Errorf("store: recording %s: %w", id, err)
	}
	r, err := row.recording()
	if err != nil {
		return err
	}
	change(&r)
	parts, _ := json.Marshal(r.Parts)
	pauses, _ := json.Marshal(r.Pauses)
	if r.Pauses == nil {
		pauses = []byte("[]")
	}
	agent := r.Agent
	if n := len(r.Parts); n > 0 && r.Parts[n-1].Agent != "" {
		agent = r.Parts[n-1].Agent
	}
	var ended, deleted dbTime
	if r.EndedAt != nil {
		ended = someTime(*r.EndedAt)
	}
	if r.DeletedAt != nil {
		deleted = someTime(*r.DeletedAt)
	}
	_, err = rs.tx.ExecContext(ctx, `UPDATE recordings SET agent = ?, ended_at = ?, duration_seconds = ?,
		paused_seconds = ?, parts = ?, pauses = ?, failures = ?, last_error = ?, held = ?, held_by = ?,
		deleted_at = ?, deleted_by = ?, delete_reason = ? WHERE id = ?`,
		agent, ended, r.DurationSeconds, r.PausedSeconds, string(parts), string(pauses), r.Failures,
		r.LastError, r.Held, r.HeldBy, deleted, r.DeletedBy, r.DeleteReason, id)
	if err != nil {
		return fmt.Errorf("store: recording %s: %w", id, err)
	}
	return nil
}
