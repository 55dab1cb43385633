package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
)

// Call is one call as the calls table holds it: a projection of the call's
// call.* records (see applyRecord for how each field is derived).
type Call struct {
	ID      string `json:"id"`
	Channel string `json:"channel"`
	Caller  string `json:"caller"`
	Called  string `json:"called"`
	Flow    string `json:"flow"`
	// IVRPath lists the flow nodes the caller went through: the first node,
	// then "input→node" for each step an input led to (["main", "1→sales"]),
	// or just "node" when no input was involved.
	IVRPath       []string   `json:"ivr_path"`
	Queue         string     `json:"queue"`
	Agent         string     `json:"agent"` // who answered
	Offers        int        `json:"offers"`
	OfferFailures int        `json:"offer_failures"`
	ArrivedAt     *time.Time `json:"arrived_at"`
	QueuedAt      *time.Time `json:"queued_at"`
	AnsweredAt    *time.Time `json:"answered_at"`
	EndedAt       *time.Time `json:"ended_at"`
	WaitSeconds   *float64   `json:"wait_seconds"`
	TalkSeconds   *float64   `json:"talk_seconds"`
	Outcome       string     `json:"outcome"`
	Cause         string     `json:"cause"`
	HangupBy      string     `json:"hangup_by"`
	// SurveyScore is the caller's post-call satisfaction score, 1-5.
	SurveyScore *int `json:"survey_score"`
	// Disposition, Notes and FollowUp are the agent's wrap-up (WrappedBy)
	// of the call; Transfers counts blind transfers.
	Disposition string `json:"disposition"`
	Notes       string `json:"notes"`
	FollowUp    bool   `json:"follow_up"`
	WrappedBy   string `json:"wrapped_by"`
	Transfers   int    `json:"transfers"`
	// Direction is inbound or outbound; an outbound call's Trunk carried
	// it after Attempts tries.
	Direction string `json:"direction"`
	Trunk     string `json:"trunk,omitempty"`
	Attempts  int    `json:"attempts,omitempty"`
}

func (r *callRow) call() Call {
	c := Call{
		ID: r.ID, Channel: r.Channel, Caller: r.Caller, Called: r.Called, Flow: r.Flow,
		IVRPath: []string(r.IVRPath), Queue: r.Queue, Agent: r.Agent,
		Offers: r.Offers, OfferFailures: r.OfferFailures,
		ArrivedAt: r.ArrivedAt.ptr(), QueuedAt: r.QueuedAt.ptr(),
		AnsweredAt: r.AnsweredAt.ptr(), EndedAt: r.EndedAt.ptr(),
		Outcome: r.Outcome, Cause: r.Cause, HangupBy: r.HangupBy,
		Disposition: r.Disposition, Notes: r.Notes, FollowUp: r.FollowUp, WrappedBy: r.WrappedBy,
		Transfers: r.Transfers, Direction: r.Direction, Trunk: r.Trunk, Attempts: r.Attempts,
	}
	if c.IVRPath == nil {
		c.IVRPath = []string{}
	}
	if r.WaitSeconds.Valid {
		v := r.WaitSeconds.Float64
		c.WaitSeconds = &v
	}
	if r.TalkSeconds.Valid {
		v := r.TalkSeconds.Float64
		c.TalkSeconds = &v
	}
	if r.SurveyScore.Valid {
		v := int(r.SurveyScore.Int64)
		c.SurveyScore = &v
	}
	return c
}

// CallFilter selects calls. Empty fields match everything.
type CallFilter struct {
	Queue   string
	Agent   string
	Agents  []string // any of these agents (a team); nil: no restriction, empty: none
	Outcome string
	// Direction: inbound or outbound ("" = both).
	Direction string
	Caller    string    // exact caller number
	Open      *bool     // true: only calls not ended yet; false: only ended calls
	Since     time.Time // calls that started at or after Since
	Until     time.Time // calls that started before Until
	// QueuedSince: calls first queued at or after it (the wallboard's
	// last-30-minutes figures).
	QueuedSince time.Time
	Limit       int // DefaultLimit if <= 0, at most MaxLimit
}

// Calls returns the calls f selects, newest first (by the first record of
// each call in the log). A call's start is its arrival, or its first record
// if the log has no call.arrived for it.
func (s *Store) Calls(ctx context.Context, f CallFilter) ([]Call, error) {
	var (
		where []string
		args  []any
	)
	add := func(cond string, v any) { where = append(where, cond); args = append(args, v) }
	if f.Direction != "" {
		add("direction = ?", f.Direction)
	}
	if f.Queue != "" {
		add("queue = ?", f.Queue)
	}
	if f.Agent != "" {
		add("agent = ?", f.Agent)
	}
	if f.Agents != nil {
		if len(f.Agents) == 0 {
			return []Call{}, nil
		}
		where = append(where, "agent IN (?"+strings.Repeat(", ?", len(f.Agents)-1)+")")
		for _, a := range f.Agents {
			args = append(args, a)
		}
	}
	if f.Outcome != "" {
		add("outcome = ?", f.Outcome)
	}
	if f.Caller != "" {
		add("caller = ?", f.Caller)
	}
	if f.Open != nil {
		if *f.Open {
			where = append(where, "ended_at IS NULL")
		} else {
			where = append(where, "ended_at IS NOT NULL")
		}
	}
	if !f.Since.IsZero() {
		add("coalesce(arrived_at, first_at) >= ?", formatTime(f.Since))
	}
	if !f.Until.IsZero() {
		add("coalesce(arrived_at, first_at) < ?", formatTime(f.Until))
	}
	if !f.QueuedSince.IsZero() {
		add("queued_at >= ?", formatTime(f.QueuedSince))
	}
	q := "SELECT " + callColumns + " FROM calls"
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	order := "first_seq"
	if !f.QueuedSince.IsZero() {
		// "+" keeps SQLite from walking first_seq's index over the whole
		// table to skip the sort: the few recent calls come from queued_at's.
		order = "+first_seq"
	}
	q += " ORDER BY " + order + " DESC LIMIT ?"
	args = append(args, clampLimit(f.Limit))

	var rows []callRow
	if err := sqlx.SelectContext(ctx, s.db, &rows, q, args...); err != nil {
		return nil, fmt.Errorf("store: calls: %w", err)
	}
	out := make([]Call, len(rows))
	for i := range rows {
		out[i] = rows[i].call()
	}
	return out, nil
}

// Call returns one call, or an error wrapping ErrNotFound.
func (s *Store) Call(ctx context.Context, id string) (Call, error) {
	var row callRow
	if err := sqlx.GetContext(ctx, s.db, &row, selectCallSQL, id); err != nil {
		return Call{}, notFound(err, "call "+id)
	}
	return row.call(), nil
}

// rebuildBatch is how many records RebuildCalls reads at a time.
const rebuildBatch = 1000

// RebuildCalls empties the calls table and re-applies every call.* record of
// the log to it, in one transaction: readers see the old table until the new
// one is complete.
func (s *Store) RebuildCalls(ctx context.Context) error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	st, err := s.prepared(ctx)
	if err != nil {
		return err
	}
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: rebuild calls: begin: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, "DELETE FROM calls"); err != nil {
		return fmt.Errorf("store: rebuild calls: %w", err)
	}

	types := make([]string, 0, len(projected))
	for t := range projected {
		types = append(types, t)
	}
	q, targs, err := sqlx.In(`SELECT seq, time, type, call_id, agent_id, queue, data FROM events
		WHERE type IN (?) AND seq > ? ORDER BY seq LIMIT ?`, types, 0, 0)
	if err != nil {
		return fmt.Errorf("store: rebuild calls: %w", err)
	}
	proj := newProjector(tx, st)
	var after, n int64
	for {
		targs[len(targs)-2], targs[len(targs)-1] = after, rebuildBatch
		var rows []eventRow
		if err := tx.SelectContext(ctx, &rows, q, targs...); err != nil {
			return fmt.Errorf("store: rebuild calls: read log: %w", err)
		}
		for _, r := range rows {
			rec := r.record()
			if err := proj.apply(ctx, &rec); err != nil {
				return err
			}
			after = r.Seq
		}
		if err := proj.flush(ctx); err != nil {
			return err
		}
		n += int64(len(rows))
		if len(rows) < rebuildBatch {
			break
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: rebuild calls: commit: %w", err)
	}
	s.log.Info("calls rebuilt", "records", n)
	return nil
}
