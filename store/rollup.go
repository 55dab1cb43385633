package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"switchboard/routing"
)

// The report rollup: interval tables kept up to date inside Append's
// transaction, so that a report reads a few hundred rollup rows instead of
// the log. docs/kpis.md defines every metric; report/ turns them into KPIs.
//
// Call metrics are a function of the call's calls row (contrib): Append
// subtracts what the call contributed before the batch and adds what it
// contributes after it, so a call is always counted once, in the interval it
// was offered to the queue (its queued_at; arrival for calls that never
// queued). Other metrics are counted from single records: IVR steps, offers
// to agents, and time in agent states. Record types the rollup does not know
// are ignored; a new one adds a case to after and new metric names.

// Rollup grains and dimensions (the rollup table's grain and dim columns).
const (
	Grain15m = "15m" // bucket: UTC start of the 15-minute interval
	GrainDay = "day" // bucket: local date in the rollup time zone

	DimQueue  = "queue"  // 15m; key: queue ("" for calls that never queued)
	DimAgents = "agents" // 15m; key "": agent time summed over agents
	DimIVR    = "ivr"    // 15m; key: "flow/node"
	DimAgent  = "agent"  // day; key: agent ID
	// DimAgentCalls is the queue dimension's call metrics by the agent who
	// answered the call ("" for calls no agent answered), by local day: the
	// report groups it by team at read time, with the team map in force.
	DimAgentCalls = "agent_calls" // day; key: answering agent ID, "" = not answered
	// DimDisposition is answered calls by the disposition of their latest
	// wrap-up ("" = not wrapped up), counted like the queue dimension.
	DimDisposition = "disposition" // 15m; key: disposition code
)

// IntervalLength is the rollup's finest interval.
const IntervalLength = 15 * time.Minute

// WaitBins are the inclusive upper edges of the wait-time distribution
// (metrics "wait_le_10s" ... "wait_le_300s", then "wait_gt_300s").
var WaitBins = []time.Duration{10 * time.Second, 20 * time.Second, 30 * time.Second,
	60 * time.Second, 120 * time.Second, 300 * time.Second}

// WaitBinMetric names the bin of WaitBins[i]; i == len(WaitBins) is the
// open last bin.
func WaitBinMetric(i int) string {
	if i >= len(WaitBins) {
		return fmt.Sprintf("wait_gt_%ds", int(WaitBins[len(WaitBins)-1].Seconds()))
	}
	return fmt.Sprintf("wait_le_%ds", int(WaitBins[i].Seconds()))
}

// SurveyScoreMetric names the count of surveys scored n (1-5).
func SurveyScoreMetric(n int) string { return fmt.Sprintf("survey_score_%d", n) }

// RollupConfig is what the rollup is computed with. Changing it changes
// past numbers, so SetRollupConfig rebuilds the rollup when it differs from
// the one the tables were built with.
type RollupConfig struct {
	Location     *time.Location           // local days of grain day; nil = UTC
	ShortAbandon time.Duration            // S; 0 = 5s
	SLThreshold  time.Duration            // default T; 0 = 20s
	QueueSL      map[string]time.Duration // T per queue
}

func (c RollupConfig) withDefaults() RollupConfig {
	if c.Location == nil {
		c.Location = time.UTC
	}
	if c.ShortAbandon <= 0 {
		c.ShortAbandon = 5 * time.Second
	}
	if c.SLThreshold <= 0 {
		c.SLThreshold = 20 * time.Second
	}
	return c
}

// Threshold is T for a queue.
func (c RollupConfig) Threshold(queue string) time.Duration {
	if t := c.QueueSL[queue]; t > 0 {
		return t
	}
	return c.withDefaults().SLThreshold
}

// rollupVersion is the version of what the rollup computes; raising it
// makes SetRollupConfig rebuild tables built by an older version (2: the
// agent_calls dimension, break overruns and not-ready requests per agent;
// 3: surveys, messages left and handled, callbacks requested; 4: the
// disposition dimension).
const rollupVersion = 4

func (c RollupConfig) fingerprint() string {
	c = c.withDefaults()
	qs := map[string]string{}
	for _, q := range slices.Sorted(maps.Keys(c.QueueSL)) {
		if c.QueueSL[q] > 0 {
			qs[q] = c.QueueSL[q].String()
		}
	}
	b, _ := json.Marshal(map[string]any{"tz": c.Location.String(), "short_abandon": c.ShortAbandon.String(),
		"sl_threshold": c.SLThreshold.String(), "queue_sl": qs, "version": rollupVersion})
	return string(b)
}

// BucketOf is the 15-minute bucket t falls in, as stored.
func BucketOf(t time.Time) string { return formatTime(t.UTC().Truncate(IntervalLength)) }

// ParseBucket reads a 15-minute bucket back.
func ParseBucket(s string) (time.Time, error) { return parseTime(s) }

// DayOf is the local date of t in loc, as grain day stores it.
func DayOf(t time.Time, loc *time.Location) string { return t.In(loc).Format(time.DateOnly) }

type rkey struct{ grain, dim, bucket, key, metric string }

// agentNow is a row of rollup_agent_now.
type agentNow struct {
	Agent  string `db:"agent"`
	State  string `db:"state"`
	Reason string `db:"reason"`
	Since  dbTime `db:"since"`
}

// rollup accumulates one transaction's changes to the rollup tables.
type rollup struct {
	tx     *sqlx.Tx
	cfg    RollupConfig
	acc    map[rkey]float64
	max    map[rkey]float64
	orig   map[string]*callRow  // each touched call as it was before; nil: new
	agents map[string]*agentNow // touched agents' current state; State "" = unknown
}

func newRollup(tx *sqlx.Tx, cfg RollupConfig) *rollup {
	return &rollup{tx: tx, cfg: cfg.withDefaults(), acc: map[rkey]float64{}, max: map[rkey]float64{},
		orig: map[string]*callRow{}, agents: map[string]*agentNow{}}
}

// before runs before the projector applies rec: it remembers the call as
// it was before this batch touched it.
func (r *rollup) before(ctx context.Context, p *projector, rec *routing.Record) error {
	if !isProjected(rec.Type) || rec.CallID == "" {
		return nil
	}
	if _, ok := r.orig[rec.CallID]; ok {
		return nil
	}
	row, err := p.loaded(ctx, rec.CallID)
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
func (r *rollup) after(ctx context.Context, p *projector, rec *routing.Record) error {
	switch rec.Type {
	case routing.EvCallIVR:
		row := p.rows[rec.CallID]
		if row == nil || len(row.IVRPath) == 0 {
			return nil
		}
		d, err := payloadOf[routing.IVRData](rec)
		if err != nil {
			return err
		}
		b := BucketOf(rec.Time)
		r.add(Grain15m, DimIVR, b, row.Flow+"/"+d.Node, "entries", 1)
		if n := len(row.IVRPath); n >= 2 {
			prev := stepNode(row.IVRPath[n-2])
			input := d.Input
			if input == "" {
				input = "next"
			}
			r.add(Grain15m, DimIVR, b, row.Flow+"/"+prev, "exit:"+input+ivrArrow+d.Node, 1)
		}
	case routing.EvCallEnded:
		row := p.rows[rec.CallID]
		if row != nil && row.Outcome == routing.OutcomeAbandonedIVR && len(row.IVRPath) > 0 {
			node := stepNode(row.IVRPath[len(row.IVRPath)-1])
			r.add(Grain15m, DimIVR, BucketOf(rec.Time), row.Flow+"/"+node, "hangups", 1)
		}
	case routing.EvCallOffered, routing.EvCallOfferFailed:
		row := p.rows[rec.CallID]
		d, err := payloadOf[routing.OfferData](rec)
		if err != nil {
			return err
		}
		agent := firstNonEmpty(d.Agent, rec.AgentID)
		if row == nil || agent == "" {
			return nil
		}
		metric := "offers"
		if rec.Type == routing.EvCallOfferFailed {
			metric = "offer_failures"
		}
		r.add(GrainDay, DimAgent, DayOf(refTime(row), r.cfg.Location), agent, metric, 1)
	case routing.EvAgentState:
		return r.agentState(ctx, p, rec)
	case routing.EvCallMessage, routing.EvMessageHandled:
		return r.message(ctx, p, rec)
	case routing.EvCallCallback:
		if rec.CallID == "" {
			return nil
		}
		d, err := payloadOf[routing.CallbackData](rec)
		if err != nil {
			return err
		}
		row, err := r.call(ctx, p, rec.CallID)
		if err != nil || row == nil {
			return err
		}
		// A callback asked for before the call queued counts for the queue
		// the callback is for.
		r.callMetric(row, firstNonEmpty(row.Queue, d.Queue), "callbacks", 1)
	case routing.EvAgentAlert:
		d, err := payloadOf[routing.AlertData](rec)
		if err != nil {
			return err
		}
		if d.Kind == "break_overrun" && rec.AgentID != "" {
			r.add(GrainDay, DimAgent, DayOf(rec.Time, r.cfg.Location), rec.AgentID, "break_overruns", 1)
		}
	case routing.EvAgentRequest:
		d, err := payloadOf[routing.RequestData](rec)
		if err != nil {
			return err
		}
		switch d.Status {
		case "pending", "approved", "refused":
			if rec.AgentID != "" {
				r.add(GrainDay, DimAgent, DayOf(rec.Time, r.cfg.Location), rec.AgentID, "requests_"+d.Status, 1)
			}
		}
	}
	return nil
}

// agentState times the state the agent leaves and, for wrap_up, charges
// the wrap-up to the call it followed.
func (r *rollup) agentState(ctx context.Context, p *projector, rec *routing.Record) error {
	d, err := routing.Decode[routing.AgentStateData](rec)
	if err != nil || d.To == "" || rec.AgentID == "" {
		return nil // not a state change the rollup can time; still logged
	}
	a, err := r.agent(ctx, rec.AgentID)
	if err != nil {
		return err
	}
	if a.State != "" && a.Since.Valid && rec.Time.After(a.Since.T) {
		r.spend(rec.AgentID, a.State, a.Reason, a.Since.T, rec.Time)
		callID := firstNonEmpty(d.CallID, rec.CallID)
		if a.State == routing.WrapUp.String() && callID != "" {
			row, err := r.call(ctx, p, callID)
			if err != nil {
				return err
			}
			if row != nil {
				wrap := rec.Time.Sub(a.Since.T).Seconds()
				ref := refTime(row)
				r.add(Grain15m, DimQueue, BucketOf(ref), row.Queue, "wrap_s", wrap)
				r.add(Grain15m, DimQueue, BucketOf(ref), row.Queue, "wraps", 1)
				r.add(GrainDay, DimAgentCalls, DayOf(ref, r.cfg.Location), row.Agent, "wrap_s", wrap)
				r.add(GrainDay, DimAgentCalls, DayOf(ref, r.cfg.Location), row.Agent, "wraps", 1)
				if agent := firstNonEmpty(row.Agent, rec.AgentID); agent != "" {
					r.add(GrainDay, DimAgent, DayOf(ref, r.cfg.Location), agent, "wrap_s", wrap)
					r.add(GrainDay, DimAgent, DayOf(ref, r.cfg.Location), agent, "wraps", 1)
				}
			}
		}
	}
	a.State, a.Reason, a.Since = d.To, d.Reason, someTime(rec.Time)
	return nil
}

// callMetric adds v to a call metric the way contrib does (the call's
// offer interval or arrival, its queue, the answering agent's agent_calls
// key), for metrics counted from single records rather than the calls row.
func (r *rollup) callMetric(row *callRow, queue, metric string, v float64) {
	ref := refTime(row)
	r.add(Grain15m, DimQueue, BucketOf(ref), queue, metric, v)
	r.add(GrainDay, DimAgentCalls, DayOf(ref, r.cfg.Location), row.Agent, metric, v)
}

// message counts call.message (messages left) and the first
// message.handled of each message (messages handled, and the time from
// the recording to its handling). Both count on the message's call, as it
// stood when the record was written: its offer interval and queue, or its
// arrival if it never queued; a message for an agent also counts for that
// agent (dimension agent, the call's day). It runs before the messages
// table applies rec, so the table tells a repeated record apart.
func (r *rollup) message(ctx context.Context, p *projector, rec *routing.Record) error {
	var callID, target, kind string
	var recorded time.Time
	handled := rec.Type == routing.EvMessageHandled
	if handled {
		d, err := payloadOf[routing.MessageHandledData](rec)
		if err != nil {
			return err
		}
		var m struct {
			CallID     string `db:"call_id"`
			Target     string `db:"target"`
			Kind       string `db:"target_kind"`
			RecordedAt dbTime `db:"recorded_at"`
			HandledAt  dbTime `db:"handled_at"`
		}
		err = r.tx.GetContext(ctx, &m, `SELECT call_id, target, target_kind, recorded_at, handled_at FROM messages WHERE id = ?`, d.Recording)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && m.HandledAt.Valid) {
			return nil // unknown or already handled: the messages table refuses or ignores it
		}
		if err != nil {
			return fmt.Errorf("store: rollup: message %s: %w", d.Recording, err)
		}
		callID, target, kind, recorded = m.CallID, m.Target, m.Kind, m.RecordedAt.T
	} else {
		d, err := payloadOf[routing.MessageData](rec)
		if err != nil {
			return err
		}
		var n int
		if err := r.tx.GetContext(ctx, &n, `SELECT count(*) FROM messages WHERE id = ?`, d.Recording); err != nil {
			return fmt.Errorf("store: rollup: message %s: %w", d.Recording, err)
		}
		if n > 0 || d.Recording == "" {
			return nil // a repeat, ignored by the messages table
		}
		callID, target, kind = rec.CallID, d.Target, d.TargetKind
	}
	row, err := r.call(ctx, p, firstNonEmpty(callID, rec.CallID))
	if err != nil {
		return err
	}
	if row == nil {
		row = &callRow{FirstAt: someTime(rec.Time)}
		if !handled {
			row.ArrivedAt = someTime(rec.Time)
		} else {
			row.ArrivedAt = someTime(recorded)
		}
	}
	ref := refTime(row)
	metrics := map[string]float64{"messages": 1}
	if handled {
		metrics = map[string]float64{"messages_handled": 1, "message_handle_s": max(0, rec.Time.Sub(recorded).Seconds())}
	}
	for m, v := range metrics {
		r.callMetric(row, row.Queue, m, v)
		if kind == "agent" && target != "" {
			r.add(GrainDay, DimAgent, DayOf(ref, r.cfg.Location), target, "for_"+m, v)
		}
	}
	return nil
}

// spend adds the time from..to in state to the agents' 15-minute totals and
// the agent's days, split at interval and local-day boundaries.
func (r *rollup) spend(agent, state, reason string, from, to time.Time) {
	if state == routing.SignedOut.String() {
		return
	}
	metrics := []string{"state_s:" + state}
	if state == routing.NotReady.String() {
		metrics = append(metrics, "reason_s:"+reason)
	}
	SplitSpan(from, to, func(bucket time.Time, secs float64) {
		for _, m := range metrics {
			r.add(Grain15m, DimAgents, formatTime(bucket), "", m, secs)
			r.add(GrainDay, DimAgent, DayOf(bucket, r.cfg.Location), agent, m, secs)
		}
	})
}

// SplitSpan calls f with each 15-minute bucket start from..to overlaps and
// the seconds of the overlap. Local days start on a 15-minute boundary in
// every time zone in use, so a bucket never spans two local days.
func SplitSpan(from, to time.Time, f func(bucket time.Time, secs float64)) {
	for t := from; t.Before(to); {
		b := t.UTC().Truncate(IntervalLength)
		end := b.Add(IntervalLength)
		if end.After(to) {
			end = to
		}
		f(b, end.Sub(t).Seconds())
		t = end
	}
}

// flush folds every touched call's change into the accumulators and writes
// them; it runs before the projector's flush forgets the rows.
func (r *rollup) flush(ctx context.Context, p *projector) error {
	for id, before := range r.orig {
		r.contrib(before, -1)
		r.contrib(p.rows[id], 1)
	}
	clear(r.orig)
	if err := r.write(ctx); err != nil {
		return err
	}
	for id, a := range r.agents {
		if a.State == "" {
			continue
		}
		if _, err := r.tx.ExecContext(ctx, `INSERT INTO rollup_agent_now (agent, state, reason, since) VALUES (?, ?, ?, ?)
			ON CONFLICT (agent) DO UPDATE SET state = excluded.state, reason = excluded.reason, since = excluded.since`,
			id, a.State, a.Reason, a.Since); err != nil {
			return fmt.Errorf("store: rollup agent %s: %w", id, err)
		}
	}
	clear(r.agents)
	return nil
}

const (
	upsertSumSQL = `INSERT INTO rollup (grain, dim, bucket, key, metric, value) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (grain, dim, bucket, key, metric) DO UPDATE SET value = value + excluded.value`
	upsertMaxSQL = `INSERT INTO rollup (grain, dim, bucket, key, metric, value) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (grain, dim, bucket, key, metric) DO UPDATE SET value = max(value, excluded.value)`
)

func (r *rollup) write(ctx context.Context) error {
	for _, set := range []struct {
		sql string
		m   map[rkey]float64
	}{{upsertSumSQL, r.acc}, {upsertMaxSQL, r.max}} {
		if len(set.m) == 0 {
			continue
		}
		st, err := r.tx.PreparexContext(ctx, set.sql)
		if err != nil {
			return fmt.Errorf("store: rollup: prepare: %w", err)
		}
		for k, v := range set.m {
			if v > -1e-9 && v < 1e-9 {
				continue // contributions that cancelled out
			}
			if _, err := st.ExecContext(ctx, k.grain, k.dim, k.bucket, k.key, k.metric, v); err != nil {
				st.Close()
				return fmt.Errorf("store: rollup %s %s: %w", k.dim, k.metric, err)
			}
		}
		st.Close()
		clear(set.m)
	}
	return nil
}

func (r *rollup) add(grain, dim, bucket, key, metric string, v float64) {
	if v != 0 {
		r.acc[rkey{grain, dim, bucket, key, metric}] += v
	}
}

func (r *rollup) addMax(grain, dim, bucket, key, metric string, v float64) {
	k := rkey{grain, dim, bucket, key, metric}
	if old, ok := r.max[k]; !ok || v > old {
		r.max[k] = v
	}
}

// contrib adds (sign 1) or removes (sign -1) what a call contributes to the
// queue and agent metrics. docs/kpis.md is the prose of this function.
func (r *rollup) contrib(row *callRow, sign float64) {
	if row == nil || row.ID == "" {
		return
	}
	ref := refTime(row)
	b, day := BucketOf(ref), DayOf(ref, r.cfg.Location)
	// Every queue metric also goes, by day, to the answering agent's
	// agent_calls key ("" when nobody answered): the team grouping's calls.
	q := func(metric string, v float64) {
		r.add(Grain15m, DimQueue, b, row.Queue, metric, sign*v)
		r.add(GrainDay, DimAgentCalls, day, row.Agent, metric, sign*v)
	}
	agent := func(metric string, v float64) {
		if row.Agent != "" {
			r.add(GrainDay, DimAgent, day, row.Agent, metric, sign*v)
		}
	}
	q("calls", 1)
	queued := row.QueuedAt.Valid
	var wait time.Duration
	waited := queued && (row.AnsweredAt.Valid || row.EndedAt.Valid)
	if waited {
		end := row.EndedAt.T
		if row.AnsweredAt.Valid {
			end = row.AnsweredAt.T
		}
		wait = end.Sub(row.QueuedAt.T)
	}
	if queued {
		q("offered", 1)
	}
	if row.AnsweredAt.Valid {
		q("answered", 1)
		agent("answered", 1)
		if queued {
			q("wait_answered_s", wait.Seconds())
			if wait <= r.cfg.Threshold(row.Queue) {
				q("answered_sl", 1)
				agent("answered_sl", 1)
			}
		}
		if row.EndedAt.Valid {
			talk := row.EndedAt.T.Sub(row.AnsweredAt.T).Seconds()
			q("handled", 1)
			q("talk_s", talk)
			agent("handled", 1)
			agent("talk_s", talk)
		}
	}
	if row.AnsweredAt.Valid {
		// A later wrap-up replaces the disposition: the call moves key.
		d := func(metric string, v float64) { r.add(Grain15m, DimDisposition, b, row.Disposition, metric, sign*v) }
		d("answered", 1)
		if row.FollowUp {
			d("follow_ups", 1)
		}
		if row.Transfers > 0 {
			d("transferred", 1)
		}
		if row.EndedAt.Valid {
			d("handled", 1)
			d("talk_s", row.EndedAt.T.Sub(row.AnsweredAt.T).Seconds())
		}
	}
	if row.SurveyScore.Valid && row.SurveyScore.Int64 >= 1 && row.SurveyScore.Int64 <= 5 {
		score := float64(row.SurveyScore.Int64)
		q("surveys", 1)
		q("survey_score", score)
		q(SurveyScoreMetric(int(row.SurveyScore.Int64)), 1)
		agent("surveys", 1)
		agent("survey_score", score)
		agent(SurveyScoreMetric(int(row.SurveyScore.Int64)), 1)
	}
	switch row.Outcome {
	case routing.OutcomeAbandonedQueue, routing.OutcomeAbandonedRinging:
		q(row.Outcome, 1)
		if queued && wait <= r.cfg.ShortAbandon {
			q("short_abandoned", 1)
		}
	case routing.OutcomeAbandonedIVR, routing.OutcomeNoAgent, routing.OutcomeTimeout,
		routing.OutcomeFlowEnded, routing.OutcomeLost:
		q(row.Outcome, 1)
	}
	if waited {
		q("waited", 1)
		q("wait_s", wait.Seconds())
		if sign > 0 {
			r.addMax(Grain15m, DimQueue, b, row.Queue, "max_wait_s", wait.Seconds())
			r.addMax(GrainDay, DimAgentCalls, day, row.Agent, "max_wait_s", wait.Seconds())
		}
		i := 0
		for i < len(WaitBins) && wait > WaitBins[i] {
			i++
		}
		q(WaitBinMetric(i), 1)
	}
}

// refTime is when a call counts: when it was offered to the queue, or when
// it arrived if it never queued.
func refTime(row *callRow) time.Time {
	switch {
	case row.QueuedAt.Valid:
		return row.QueuedAt.T
	case row.ArrivedAt.Valid:
		return row.ArrivedAt.T
	}
	return row.FirstAt.T
}

// stepNode is the node of an ivr_path step ("1→support" → "support").
func stepNode(step string) string {
	if _, node, ok := strings.Cut(step, ivrArrow); ok {
		return node
	}
	return step
}

func (r *rollup) agent(ctx context.Context, id string) (*agentNow, error) {
	if a, ok := r.agents[id]; ok {
		return a, nil
	}
	a := &agentNow{Agent: id}
	err := r.tx.GetContext(ctx, a, `SELECT agent, state, reason, since FROM rollup_agent_now WHERE agent = ?`, id)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: rollup agent %s: %w", id, err)
	}
	r.agents[id] = a
	return a, nil
}

// call is a call's current row without making the projector write it.
func (r *rollup) call(ctx context.Context, p *projector, id string) (*callRow, error) {
	if row, ok := p.rows[id]; ok && row.ID != "" {
		return row, nil
	}
	row := new(callRow)
	err := r.tx.GetContext(ctx, row, selectCallSQL, id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("store: rollup: load call %s: %w", id, err)
	}
	return row, nil
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
