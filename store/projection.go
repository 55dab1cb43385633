package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/jmoiron/sqlx"

	"switchboard/report/rollup"
	"switchboard/routing"
)

// The calls table is a projection of these record types; every other type is
// only logged.
var projected = map[string]bool{
	routing.EvCallArrived:     true,
	routing.EvCallIVR:         true,
	routing.EvCallQueued:      true,
	routing.EvCallOffered:     true,
	routing.EvCallOfferFailed: true,
	routing.EvCallAnswered:    true,
	routing.EvCallEnded:       true,
	routing.EvCallSurvey:      true,
	routing.EvCallWrapped:     true,
	routing.EvCallTransferred: true,
	routing.EvCallDialled:     true,
	routing.EvCallResumed:     true,
}

func isProjected(typ string) bool { return projected[typ] }

// callRow is a row of the calls table.
type callRow struct {
	ID            string          `db:"id"`
	FirstSeq      int64           `db:"first_seq"`
	FirstAt       dbTime          `db:"first_at"`
	Channel       string          `db:"channel"`
	Caller        string          `db:"caller"`
	Called        string          `db:"called"`
	Flow          string          `db:"flow"`
	IVRPath       stringList      `db:"ivr_path"`
	Queue         string          `db:"queue"`
	Agent         string          `db:"agent"`
	Offers        int             `db:"offers"`
	OfferFailures int             `db:"offer_failures"`
	ArrivedAt     dbTime          `db:"arrived_at"`
	QueuedAt      dbTime          `db:"queued_at"`
	AnsweredAt    dbTime          `db:"answered_at"`
	EndedAt       dbTime          `db:"ended_at"`
	WaitSeconds   sql.NullFloat64 `db:"wait_seconds"`
	TalkSeconds   sql.NullFloat64 `db:"talk_seconds"`
	Outcome       string          `db:"outcome"`
	Cause         string          `db:"cause"`
	HangupBy      string          `db:"hangup_by"`
	SurveyScore   sql.NullInt64   `db:"survey_score"`
	Disposition   string          `db:"disposition"`
	Notes         string          `db:"notes"`
	FollowUp      bool            `db:"follow_up"`
	WrappedBy     string          `db:"wrapped_by"`
	Transfers     int             `db:"transfers"`
	Direction     string          `db:"direction"`
	Trunk         string          `db:"trunk"`
	Attempts      int             `db:"attempts"`
	HoldSeconds   float64         `db:"hold_seconds"`
}

const callColumns = `id, first_seq, first_at, channel, caller, called, flow, ivr_path, queue, agent,
	offers, offer_failures, arrived_at, queued_at, answered_at, ended_at,
	wait_seconds, talk_seconds, outcome, cause, hangup_by, survey_score,
	disposition, notes, follow_up, wrapped_by, transfers, direction, trunk, attempts, hold_seconds`

const upsertCallSQL = `INSERT INTO calls (` + callColumns + `) VALUES (
	:id, :first_seq, :first_at, :channel, :caller, :called, :flow, :ivr_path, :queue, :agent,
	:offers, :offer_failures, :arrived_at, :queued_at, :answered_at, :ended_at,
	:wait_seconds, :talk_seconds, :outcome, :cause, :hangup_by, :survey_score,
	:disposition, :notes, :follow_up, :wrapped_by, :transfers, :direction, :trunk, :attempts, :hold_seconds)
ON CONFLICT (id) DO UPDATE SET
	channel = excluded.channel, caller = excluded.caller, called = excluded.called,
	flow = excluded.flow, ivr_path = excluded.ivr_path, queue = excluded.queue,
	agent = excluded.agent, offers = excluded.offers, offer_failures = excluded.offer_failures,
	arrived_at = excluded.arrived_at, queued_at = excluded.queued_at,
	answered_at = excluded.answered_at, ended_at = excluded.ended_at,
	wait_seconds = excluded.wait_seconds, talk_seconds = excluded.talk_seconds,
	outcome = excluded.outcome, cause = excluded.cause, hangup_by = excluded.hangup_by,
	survey_score = excluded.survey_score, disposition = excluded.disposition,
	notes = excluded.notes, follow_up = excluded.follow_up, wrapped_by = excluded.wrapped_by,
	transfers = excluded.transfers, direction = excluded.direction, trunk = excluded.trunk,
	attempts = excluded.attempts, hold_seconds = excluded.hold_seconds`

const selectCallSQL = `SELECT ` + callColumns + ` FROM calls WHERE id = ?`

// ivrArrow joins the input that left a node to the node it led to in
// ivr_path entries: ["main", "1→support", "timeout→support"]. The rollup
// reads the path, so it owns the arrow.
const ivrArrow = rollup.IVRArrow

// applyRecord folds one call.* record into row. It is the whole projection:
// Append and RebuildCalls both go through it, so they cannot disagree.
//
//   - call.arrived sets channel, caller, called, flow and arrived_at.
//   - call.ivr appends to ivr_path: the node, or "input→node" when the record
//     names the input that led there.
//   - call.queued sets queue (the latest, after overflow) and queued_at (the
//     first time the call was queued, so wait covers all queues).
//   - call.offered and call.offer_failed count offers and failures.
//   - call.answered sets agent and answered_at (the first answer).
//   - call.ended sets ended_at, outcome, cause and hangup_by.
//   - call.survey sets survey_score (it comes after call.ended).
//   - call.wrapped sets disposition, notes, follow_up and wrapped_by (the
//     agent); a later wrap-up of the same call replaces an earlier one.
//   - call.transferred counts transfers.
//   - call.resumed adds its hold's seconds to hold_seconds.
//   - call.dialled (an outbound call) sets direction outbound, the agent,
//     caller (the agent's phone), called (the number) and arrived_at (when
//     it was dialled); its call.ended sets trunk and attempts.
//
// wait_seconds runs from queued_at to answered_at, or to ended_at for a call
// never answered (NULL while still waiting or never queued); talk_seconds from
// answered_at to ended_at.
func applyRecord(row *callRow, rec *routing.Record) error {
	if row.ID == "" {
		row.ID = rec.CallID
		row.FirstSeq = rec.Seq
		row.FirstAt = someTime(rec.Time)
		row.IVRPath = stringList{}
		row.Direction = routing.DirectionInbound
	}
	p, err := recordPayload(rec)
	if err != nil {
		return err
	}
	switch d := p.(type) {
	case *routing.CallArrivedData:
		row.Channel, row.Caller, row.Called, row.Flow = d.Channel, d.Caller, d.Called, d.Flow
		row.ArrivedAt = someTime(rec.Time)
	case *routing.IVRData:
		step := d.Node
		if d.Input != "" {
			step = d.Input + ivrArrow + d.Node
		}
		row.IVRPath = append(row.IVRPath, step)
	case *routing.QueuedData:
		row.Queue = firstNonEmpty(d.Queue, rec.Queue, row.Queue)
		if !row.QueuedAt.Valid {
			row.QueuedAt = someTime(rec.Time)
		}
	case *routing.OfferData:
		switch rec.Type {
		case routing.EvCallOffered:
			row.Offers++
		case routing.EvCallOfferFailed:
			row.OfferFailures++
		case routing.EvCallAnswered:
			if !row.AnsweredAt.Valid {
				row.Agent = firstNonEmpty(d.Agent, rec.AgentID)
				row.AnsweredAt = someTime(rec.Time)
			}
		}
	case *routing.DialledData:
		row.Direction, row.Agent, row.Caller, row.Called = routing.DirectionOutbound, d.Agent, d.Endpoint, d.Number
		row.Channel, row.ArrivedAt = d.Leg, someTime(rec.Time)
	case *routing.EndedData:
		row.EndedAt = someTime(rec.Time)
		row.Outcome, row.Cause, row.HangupBy = d.Outcome, d.Cause, d.HangupBy
		if d.Direction == routing.DirectionOutbound {
			row.Trunk, row.Attempts = d.Trunk, d.Attempts
		}
	case *routing.SurveyData:
		row.SurveyScore = sql.NullInt64{Int64: int64(d.Score), Valid: true}
	case *routing.WrapUpData:
		row.Disposition, row.Notes, row.FollowUp = d.Disposition, d.Notes, d.FollowUp
		row.WrappedBy = firstNonEmpty(d.Agent, rec.AgentID)
	case *routing.TransferData:
		row.Transfers++
	case *routing.HoldData:
		row.HoldSeconds += d.Seconds // call.resumed: one hold's length
	}
	row.WaitSeconds = span(row.QueuedAt, row.AnsweredAt, row.EndedAt)
	row.TalkSeconds = span(row.AnsweredAt, row.EndedAt)
	return nil
}

// span is the seconds from start to the first valid end; NULL if start or
// every end is NULL.
func span(start dbTime, ends ...dbTime) sql.NullFloat64 {
	if !start.Valid {
		return sql.NullFloat64{}
	}
	for _, e := range ends {
		if e.Valid {
			return sql.NullFloat64{Float64: e.T.Sub(start.T).Seconds(), Valid: true}
		}
	}
	return sql.NullFloat64{}
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

// projector applies records to the calls rows inside one transaction,
// reading each touched row once and writing it once at flush.
type projector struct {
	tx     *sqlx.Tx
	st     *writeStmts
	rows   map[string]*callRow
	order  []string // touched call IDs, in first-touch order
	load   *sqlx.Stmt
	upsert *sqlx.NamedStmt
}

func newProjector(tx *sqlx.Tx, st *writeStmts) *projector {
	return &projector{tx: tx, st: st, rows: map[string]*callRow{}}
}

func (p *projector) apply(ctx context.Context, rec *routing.Record) error {
	if !isProjected(rec.Type) {
		return nil
	}
	if rec.CallID == "" {
		return fmt.Errorf("store: %s seq %d: no call ID: %w", rec.Type, rec.Seq, ErrBadRecord)
	}
	row, ok := p.rows[rec.CallID]
	if !ok {
		if p.load == nil {
			p.load = p.tx.StmtxContext(ctx, p.st.selectCall)
		}
		row = new(callRow)
		err := p.load.GetContext(ctx, row, rec.CallID)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("store: load call %s: %w", rec.CallID, err)
		}
		if err != nil {
			row = new(callRow)
		}
		p.rows[rec.CallID] = row
		p.order = append(p.order, rec.CallID)
	}
	return applyRecord(row, rec)
}

// flush writes every touched row and forgets them.
func (p *projector) flush(ctx context.Context) error {
	if len(p.order) == 0 {
		return nil
	}
	if p.upsert == nil {
		p.upsert = p.tx.NamedStmtContext(ctx, p.st.upsertCall)
	}
	for _, id := range p.order {
		if _, err := p.upsert.ExecContext(ctx, p.rows[id]); err != nil {
			return fmt.Errorf("store: write call %s: %w", id, err)
		}
	}
	clear(p.rows)
	p.order = p.order[:0]
	return nil
}

// writeStmts are the statements Append runs, prepared once: preparing is
// a good part of a small transaction's CPU.
type writeStmts struct {
	insertEvent    *sqlx.Stmt
	selectCall     *sqlx.Stmt
	upsertCall     *sqlx.NamedStmt
	upsertSum      *sqlx.Stmt // rollup.go
	upsertMax      *sqlx.Stmt
	selectAgentNow *sqlx.Stmt
	upsertAgentNow *sqlx.Stmt
	selectMessage  *sqlx.Stmt
}

// prepared returns the write statements, preparing them on first use (after
// Migrate has created the tables). The caller holds s.wmu.
func (s *Store) prepared(ctx context.Context) (*writeStmts, error) {
	if s.stmts != nil {
		return s.stmts, nil
	}
	st := &writeStmts{}
	for _, q := range []struct {
		stmt **sqlx.Stmt
		sql  string
	}{
		{&st.insertEvent, appendEventSQL}, {&st.selectCall, selectCallSQL},
		{&st.upsertSum, upsertSumSQL}, {&st.upsertMax, upsertMaxSQL},
		{&st.selectAgentNow, selectAgentNowSQL}, {&st.upsertAgentNow, upsertAgentNowSQL},
		{&st.selectMessage, selectMessageSQL},
	} {
		var err error
		if *q.stmt, err = s.db.PreparexContext(ctx, q.sql); err != nil {
			st.close()
			return nil, fmt.Errorf("store: prepare: %w", err)
		}
	}
	var err error
	if st.upsertCall, err = s.db.PrepareNamedContext(ctx, upsertCallSQL); err != nil {
		st.close()
		return nil, fmt.Errorf("store: prepare: %w", err)
	}
	s.stmts = st
	return st, nil
}

func (st *writeStmts) close() error {
	var errs []error
	for _, stmt := range []*sqlx.Stmt{st.insertEvent, st.selectCall, st.upsertSum, st.upsertMax,
		st.selectAgentNow, st.upsertAgentNow, st.selectMessage} {
		if stmt != nil {
			errs = append(errs, stmt.Close())
		}
	}
	if st.upsertCall != nil {
		errs = append(errs, st.upsertCall.Close())
	}
	return errors.Join(errs...)
}
