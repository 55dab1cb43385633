package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// AuditEntry is one line of the audit log: who did what to what, when and
// from where, and whether it was allowed to happen.
type AuditEntry struct {
	Seq    int64           `json:"seq"`
	Time   time.Time       `json:"time"`
	Actor  string          `json:"actor"` // username, or token:<name>
	Role   string          `json:"role"`
	Addr   string          `json:"addr"`
	Action string          `json:"action"` // e.g. auth.sign_in, agent.force_state, config.save
	Target string          `json:"target"` // what it was done to ("" for none)
	OK     bool            `json:"ok"`     // false: refused or failed (a failed sign-in)
	Detail json.RawMessage `json:"detail,omitempty"`
}

// AuditFilter selects audit entries, newest first. Empty fields match all.
type AuditFilter struct {
	Actor  string
	Action string // exact, or a prefix ending in "." ("auth.")
	Target string
	Since  time.Time
	Until  time.Time
	Before int64 // entries with seq < Before (paging); 0: from the newest
	Limit  int   // DefaultLimit if <= 0, at most MaxLimit
}

type auditRow struct {
	Seq    int64  `db:"seq"`
	Time   dbTime `db:"time"`
	Actor  string `db:"actor"`
	Role   string `db:"role"`
	Addr   string `db:"addr"`
	Action string `db:"action"`
	Target string `db:"target"`
	OK     bool   `db:"ok"`
	Detail string `db:"detail"`
}

// AppendAudit writes e (its Seq is assigned). The table refuses updates
// and deletes.
func (s *Store) AppendAudit(ctx context.Context, e AuditEntry) error {
	if e.Action == "" || e.Actor == "" {
		return fmt.Errorf("store: audit entry needs an actor and an action")
	}
	if e.Time.IsZero() {
		e.Time = time.Now()
	}
	detail := string(e.Detail)
	if detail == "" {
		detail = "{}"
	}
	s.wmu.Lock()
	defer s.wmu.Unlock()
	_, err := s.db.ExecContext(ctx, `INSERT INTO audit_log (time, actor, role, addr, action, target, ok, detail)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, someTime(e.Time), e.Actor, e.Role, e.Addr, e.Action, e.Target, e.OK, detail)
	if err != nil {
		return fmt.Errorf("store: append audit: %w", err)
	}
	return nil
}

// Audit lists entries matching f, newest first.
func (s *Store) Audit(ctx context.Context, f AuditFilter) ([]AuditEntry, error) {
	var (
		where []string
		args  []any
	)
	if f.Actor != "" {
		where, args = append(where, "actor = ?"), append(args, f.Actor)
	}
	if f.Action != "" {
		if strings.HasSuffix(f.Action, ".") {
			where, args = append(where, "substr(action, 1, ?) = ?"), append(args, len(f.Action), f.Action)
		} else {
			where, args = append(where, "action = ?"), append(args, f.Action)
		}
	}
	if f.Target != "" {
		where, args = append(where, "target = ?"), append(args, f.Target)
	}
	if !f.Since.IsZero() {
		where, args = append(where, "time >= ?"), append(args, someTime(f.Since))
	}
	if !f.Until.IsZero() {
		where, args = append(where, "time < ?"), append(args, someTime(f.Until))
	}
	if f.Before > 0 {
		where, args = append(where, "seq < ?"), append(args, f.Before)
	}
	q := "SELECT seq, time, actor, role, addr, action, target, ok, detail FROM audit_log"
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY seq DESC LIMIT ?"
	args = append(args, clampLimit(f.Limit))
	var rows []auditRow
	if err := s.db.SelectContext(ctx, &rows, q, args...); err != nil {
		return nil, fmt.Errorf("store: audit: %w", err)
	}
	out := make([]AuditEntry, len(rows))
	for i, r := range rows {
		out[i] = AuditEntry{Seq: r.Seq, Time: r.Time.T, Actor: r.Actor, Role: r.Role, Addr: r.Addr,
			Action: r.Action, Target: r.Target, OK: r.OK, Detail: json.RawMessage(r.Detail)}
	}
	return out, nil
}
