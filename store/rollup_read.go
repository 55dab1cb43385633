package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
)

// RollupQuery selects rollup cells: one grain and dimension, buckets in
// [From, To) (15-minute buckets as BucketOf writes them, days as DayOf),
// summed (maximum for "max_" metrics) over what is not grouped by.
type RollupQuery struct {
	Grain, Dim string
	From, To   string
	Keys       []string // only these keys; all when empty
	ByBucket   bool     // one cell per bucket
	ByKey      bool     // one cell per key
}

// RollupCell is one metric of one group.
type RollupCell struct {
	Bucket string  `db:"bucket"` // "" unless ByBucket
	Key    string  `db:"key"`    // "" unless ByKey
	Metric string  `db:"metric"`
	Value  float64 `db:"value"`
}

// Rollup reads rollup cells; it never reads the log.
func (s *Store) Rollup(ctx context.Context, q RollupQuery) ([]RollupCell, error) {
	sel, group := []string{"metric"}, []string{"metric"}
	if q.ByBucket {
		sel, group = append(sel, "bucket"), append(group, "bucket")
	} else {
		sel = append(sel, "'' AS bucket")
	}
	if q.ByKey {
		sel, group = append(sel, "key"), append(group, "key")
	} else {
		sel = append(sel, "'' AS key")
	}
	query := `SELECT ` + strings.Join(sel, ", ") + `,
		CASE WHEN substr(metric, 1, 4) = 'max_' THEN max(value) ELSE coalesce(sum(value), 0.0) END AS value
		FROM rollup WHERE grain = ? AND dim = ? AND bucket >= ? AND bucket < ?`
	args := []any{q.Grain, q.Dim, q.From, q.To}
	if len(q.Keys) > 0 {
		in, inArgs, err := sqlx.In(" AND key IN (?)", q.Keys)
		if err != nil {
			return nil, fmt.Errorf("store: rollup: %w", err)
		}
		query += in
		args = append(args, inArgs...)
	}
	query += " GROUP BY " + strings.Join(group, ", ")
	var cells []RollupCell
	if err := sqlx.SelectContext(ctx, s.db, &cells, query, args...); err != nil {
		return nil, fmt.Errorf("store: rollup: %w", err)
	}
	return cells, nil
}

// AgentStateNow is the state an agent has been in since Since, as the
// rollup last saw it; its time so far is not in the rollup yet.
type AgentStateNow struct {
	Agent  string
	State  string
	Reason string
	Since  time.Time
}

// AgentStatesNow lists every agent's current state as the rollup knows it.
func (s *Store) AgentStatesNow(ctx context.Context) ([]AgentStateNow, error) {
	var rows []agentNow
	if err := sqlx.SelectContext(ctx, s.db, &rows, `SELECT agent, state, reason, since FROM rollup_agent_now ORDER BY agent`); err != nil {
		return nil, fmt.Errorf("store: agent states: %w", err)
	}
	out := make([]AgentStateNow, len(rows))
	for i, r := range rows {
		out[i] = AgentStateNow{Agent: r.Agent, State: r.State, Reason: r.Reason, Since: r.Since.T}
	}
	return out, nil
}
