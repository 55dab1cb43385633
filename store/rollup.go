package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"switchboard/report/rollup"
	"switchboard/routing"
)

// The report rollup: interval tables kept up to date inside Append's
// transaction, so that a report reads a few hundred rollup rows instead of
// the log. report/rollup owns the arithmetic (how a record changes a
// bucket, docs/kpis.md); this file only feeds it the state it asks for and
// persists what it computes.
//
// Call metrics are a function of the call's calls row: Append removes what
// the call contributed before the batch and adds what it contributes after
// it. Other metrics are counted from single records (rollup.Config.Record).

// RollupConfig is what the rollup is computed with (rollup.Config).
type RollupConfig = rollup.Config

// agentNow is a row of rollup_agent_now.
type agentNow struct {
	Agent  string `db:"agent"`
	State  string `db:"state"`
	Reason string `db:"reason"`
	Since  dbTime `db:"since"`
}

// rollupWriter persists one transaction's changes to the rollup tables.
type rollupWriter struct {
	ctx    context.Context
	tx     *sqlx.Tx
	st     *writeStmts
	inTx   map[*sqlx.Stmt]*sqlx.Stmt // st's statements bound to tx, on first use
	proj   *projector
	cfg    rollup.Config
	tally  *rollup.Tally
	orig   map[string]*callRow         // each touched call as it was before; nil: new
	agents map[string]*rollup.AgentNow // touched agents' current state; State "" = unknown
}

// newRollup runs inside the transaction of tx, beside proj; ctx is the
// transaction's.
func newRollup(ctx context.Context, tx *sqlx.Tx, st *writeStmts, proj *projector, cfg RollupConfig) *rollupWriter {
	return &rollupWriter{ctx: ctx, tx: tx, st: st, inTx: map[*sqlx.Stmt]*sqlx.Stmt{}, proj: proj, cfg: cfg.WithDefaults(), tally: rollup.NewTally(),
		orig: map[string]*callRow{}, agents: map[string]*rollup.AgentNow{}}
}

var _ rollup.Lookup = (*rollupWriter)(nil)

// before runs before the projector applies rec: it remembers the call as
// it was before this batch touched it.
func (r *rollupWriter) before(rec *routing.Record) error {
	if !isProjected(rec.Type) || rec.CallID == "" {
		return nil
	}
	if _, ok := r.orig[rec.CallID]; ok {
		return nil
	}
	row, err := r.proj.loaded(r.ctx, rec.CallID)
	if err != nil {
		return err
	}
	if row.ID == "" {
		r.orig[rec.CallID] = nil
		return nil
	}
	cp := *row
	r.orig[rec.CallID] = &cp
	return nil
}

// after runs after the projector applied rec: the per-record metrics.
func (r *rollupWriter) after(rec *routing.Record) error {
	err := r.cfg.Record(r.tally, rec, r)
	var re *routing.RecordError
	if errors.As(err, &re) {
		return fmt.Errorf("store: %w: %w", err, ErrBadRecord)
	}
	return err
}

// Call is a call's current row without making the projector write it.
func (r *rollupWriter) Call(id string) (*rollup.Call, error) {
	if id == "" {
		return nil, nil
	}
	if row, ok := r.proj.rows[id]; ok && row.ID != "" {
		return row.rollupCall(), nil
	}
	row := new(callRow)
	err := r.stmt(r.st.selectCall).GetContext(r.ctx, row, id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("store: rollup: load call %s: %w", id, err)
	}
	return row.rollupCall(), nil
}

// Message is a message as the messages table has it.
func (r *rollupWriter) Message(id string) (*rollup.Message, error) {
	var m struct {
		CallID     string `db:"call_id"`
		Target     string `db:"target"`
		Kind       string `db:"target_kind"`
		RecordedAt dbTime `db:"recorded_at"`
		HandledAt  dbTime `db:"handled_at"`
	}
	err := r.stmt(r.st.selectMessage).GetContext(r.ctx, &m, id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("store: rollup: message %s: %w", id, err)
	}
	return &rollup.Message{CallID: m.CallID, Target: m.Target, TargetKind: m.Kind,
		RecordedAt: m.RecordedAt.T, Handled: m.HandledAt.Valid}, nil
}

// Agent is the agent's state as rollup_agent_now has it, kept for flush.
func (r *rollupWriter) Agent(id string) (*rollup.AgentNow, error) {
	if a, ok := r.agents[id]; ok {
		return a, nil
	}
	var row agentNow
	err := r.stmt(r.st.selectAgentNow).GetContext(r.ctx, &row, id)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: rollup agent %s: %w", id, err)
	}
	a := &rollup.AgentNow{State: row.State, Reason: row.Reason, Since: row.Since.T}
	r.agents[id] = a
	return a, nil
}

// flush folds every touched call's change into the tally and writes it; it
// runs before the projector's flush forgets the rows.
func (r *rollupWriter) flush() error {
	for id, before := range r.orig {
		// Outbound calls count too: Contrib keeps them apart from the
		// inbound figures (docs/kpis.md, "Outbound calls and trunks").
		if before != nil {
			r.cfg.Contrib(r.tally, before.rollupCall(), -1)
		}
		if after := r.proj.rows[id]; after != nil {
			r.cfg.Contrib(r.tally, after.rollupCall(), 1)
		}
	}
	clear(r.orig)
	if err := r.write(); err != nil {
		return err
	}
	for id, a := range r.agents {
		if a.State == "" {
			continue
		}
		if _, err := r.stmt(r.st.upsertAgentNow).ExecContext(r.ctx, id, a.State, a.Reason, someTime(a.Since)); err != nil {
			return fmt.Errorf("store: rollup agent %s: %w", id, err)
		}
	}
	clear(r.agents)
	return nil
}

const (
	selectMessageSQL  = `SELECT call_id, target, target_kind, recorded_at, handled_at FROM messages WHERE id = ?`
	selectAgentNowSQL = `SELECT agent, state, reason, since FROM rollup_agent_now WHERE agent = ?`
	upsertAgentNowSQL = `INSERT INTO rollup_agent_now (agent, state, reason, since) VALUES (?, ?, ?, ?)
		ON CONFLICT (agent) DO UPDATE SET state = excluded.state, reason = excluded.reason, since = excluded.since`
	upsertSumSQL = `INSERT INTO rollup (grain, dim, bucket, key, metric, value) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (grain, dim, bucket, key, metric) DO UPDATE SET value = rollup.value + excluded.value`
	upsertMaxSQL = `INSERT INTO rollup (grain, dim, bucket, key, metric, value) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (grain, dim, bucket, key, metric) DO UPDATE SET value = CASE WHEN excluded.value > rollup.value THEN excluded.value ELSE rollup.value END`
)

func (r *rollupWriter) write() error {
	for _, set := range []struct {
		stmt *sqlx.Stmt
		m    map[rollup.Key]float64
	}{{r.st.upsertSum, r.tally.Sum}, {r.st.upsertMax, r.tally.Max}} {
		if len(set.m) == 0 {
			continue
		}
		st := r.stmt(set.stmt)
		for k, v := range set.m {
			if v > -1e-9 && v < 1e-9 {
				continue // contributions that cancelled out
			}
			if _, err := st.ExecContext(r.ctx, k.Grain, k.Dim, k.Bucket, k.Key, k.Metric, v); err != nil {
				return fmt.Errorf("store: rollup %s %s: %w", k.Dim, k.Metric, err)
			}
		}
		clear(set.m)
	}
	return nil
}

// stmt is a prepared statement bound to the transaction.
func (r *rollupWriter) stmt(s *sqlx.Stmt) *sqlx.Stmt {
	if st, ok := r.inTx[s]; ok {
		return st
	}
	st := r.tx.StmtxContext(r.ctx, s)
	r.inTx[s] = st
	return st
}

// rollupCall is the row as the rollup arithmetic reads a call.
func (row *callRow) rollupCall() *rollup.Call {
	c := &rollup.Call{ID: row.ID, Flow: row.Flow, IVRPath: row.IVRPath, Queue: row.Queue, Agent: row.Agent,
		FirstAt: row.FirstAt.T, ArrivedAt: validTime(row.ArrivedAt), QueuedAt: validTime(row.QueuedAt),
		AnsweredAt: validTime(row.AnsweredAt), EndedAt: validTime(row.EndedAt), Outcome: row.Outcome,
		Direction: row.Direction, Trunk: row.Trunk,
		Disposition: row.Disposition, FollowUp: row.FollowUp, Transfers: row.Transfers,
		HoldSeconds: row.HoldSeconds}
	if row.SurveyScore.Valid {
		c.SurveyScore = int(row.SurveyScore.Int64)
	}
	return c
}

// validTime is t's time, the zero time for NULL.
func validTime(t dbTime) time.Time {
	if !t.Valid {
		return time.Time{}
	}
	return t.T
}

// loaded returns the projector's row for a call, loading it (or starting a
// new one) exactly as projector.apply does on first touch.
func (p *projector) loaded(ctx context.Context, id string) (*callRow, error) {
	if row, ok := p.rows[id]; ok {
		return row, nil
	}
	if p.load == nil {
		p.load = p.tx.StmtxContext(ctx, p.st.selectCall)
	}
	row := new(callRow)
	err := p.load.GetContext(ctx, row, id)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: load call %s: %w", id, err)
	}
	if err != nil {
		row = new(callRow)
	}
	p.rows[id] = row
	p.order = append(p.order, id)
	return row, nil
}

// recordPayload is rec's typed payload (routing.Payload); one that does
// not decode is a bad record.
func recordPayload(rec *routing.Record) (any, error) {
	p, err := routing.Payload(rec)
	if err != nil {
		return nil, fmt.Errorf("store: %w: %w", err, ErrBadRecord)
	}
	return p, nil
}

// payloadOf is rec's payload as T (routing.Decode); one that does not
// decode is a bad record.
func payloadOf[T any](rec *routing.Record) (T, error) {
	v, err := routing.Decode[T](rec)
	if err != nil {
		return v, fmt.Errorf("store: %w: %w", err, ErrBadRecord)
	}
	return v, nil
}
