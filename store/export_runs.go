package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
)

// ExportRun is one run of an export schedule, as export_runs records it.
type ExportRun struct {
	ID           int64     `json:"id" db:"id"`
	Schedule     string    `json:"schedule" db:"schedule"`
	ScheduledFor time.Time `json:"scheduled_for" db:"-"`
	StartedAt    time.Time `json:"started_at" db:"-"`
	FinishedAt   time.Time `json:"finished_at" db:"-"`
	CatchUp      bool      `json:"catch_up" db:"catch_up"`
	From         string    `json:"from" db:"period_from"`
	To           string    `json:"to" db:"period_to"`
	Status       string    `json:"status" db:"status"` // ok | failed
	Attempts     int       `json:"attempts" db:"attempts"`
	File         string    `json:"file" db:"file"`
	Rows         int       `json:"rows" db:"rows"`
	SHA256       string    `json:"sha256" db:"sha256"`
	Error        string    `json:"error" db:"error"`
}

type exportRunRow struct {
	ExportRun
	ScheduledForDB dbTime `db:"scheduled_for"`
	StartedAtDB    dbTime `db:"started_at"`
	FinishedAtDB   dbTime `db:"finished_at"`
}

func (r exportRunRow) run() ExportRun {
	out := r.ExportRun
	out.ScheduledFor, out.StartedAt, out.FinishedAt = r.ScheduledForDB.T, r.StartedAtDB.T, r.FinishedAtDB.T
	return out
}

const exportRunColumns = `id, schedule, scheduled_for, started_at, finished_at, catch_up, period_from, period_to,
	status, attempts, file, rows, sha256, error`

// RecordExportRun stores a finished run and sets its ID.
func (s *Store) RecordExportRun(ctx context.Context, run *ExportRun) error {
	err := s.db.GetContext(ctx, &run.ID, `INSERT INTO export_runs (schedule, scheduled_for, started_at, finished_at,
		catch_up, period_from, period_to, status, attempts, file, rows, sha256, error)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		run.Schedule, formatTime(run.ScheduledFor), formatTime(run.StartedAt), formatTime(run.FinishedAt),
		run.CatchUp, run.From, run.To, run.Status, run.Attempts, run.File, run.Rows, run.SHA256, run.Error)
	if err != nil {
		return fmt.Errorf("store: record export run: %w", err)
	}
	return nil
}

// ExportRuns lists runs, newest first; schedule "" lists every schedule's.
func (s *Store) ExportRuns(ctx context.Context, schedule string, limit int) ([]ExportRun, error) {
	q, args := `SELECT `+exportRunColumns+` FROM export_runs`, []any{}
	if schedule != "" {
		q += ` WHERE schedule = ?`
		args = append(args, schedule)
	}
	q += ` ORDER BY id DESC LIMIT ?`
	args = append(args, clampLimit(limit))
	var rows []exportRunRow
	if err := sqlx.SelectContext(ctx, s.db, &rows, q, args...); err != nil {
		return nil, fmt.Errorf("store: export runs: %w", err)
	}
	out := make([]ExportRun, len(rows))
	for i, r := range rows {
		out[i] = r.run()
	}
	return out, nil
}

// LastExportRun is the schedule's run with the latest scheduled time; ok
// false if it never ran.
func (s *Store) LastExportRun(ctx context.Context, schedule string) (run ExportRun, ok bool, err error) {
	var row exportRunRow
	err = sqlx.GetContext(ctx, s.db, &row, `SELECT `+exportRunColumns+` FROM export_runs WHERE schedule = ?
		ORDER BY scheduled_for DESC, id DESC LIMIT 1`, schedule)
	if errors.Is(err, sql.ErrNoRows) {
		return ExportRun{}, false, nil
	}
	if err != nil {
		return ExportRun{}, false, fmt.Errorf("store: last export run: %w", err)
	}
	return row.run(), true, nil
}
