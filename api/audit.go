package api

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"switchboard/store"
)

// AuditLog is the append-only audit log (*store.Store is one).
type AuditLog interface {
	AppendAudit(ctx context.Context, e store.AuditEntry) error
	Audit(ctx context.Context, f store.AuditFilter) ([]store.AuditEntry, error)
}

var _ AuditLog = (*store.Store)(nil)

// auditor writes the audit log for every handler that audits what it
// does; it is the only way handlers reach the log.
type auditor struct {
	log AuditLog // nil: audited actions answer 503 rather than go unrecorded
	now func() time.Time
	// slog is for what cannot go in the audit log itself.
	slog *slog.Logger
}

// record records that the caller did action to target (ok false: it was
// refused or failed). detail is JSON-encoded (a before/after, a reason).
// An audited action whose record cannot be written must not happen, so
// callers return record's error before acting when it is not nil.
func (a auditor) record(c echo.Context, action, target string, ok bool, detail any) error {
	if a.log == nil {
		return errNoAudit()
	}
	p := principalOf(c)
	e := store.AuditEntry{Time: a.now(), Actor: p.Username, Role: string(p.Role), Addr: c.RealIP(),
		Action: action, Target: target, OK: ok}
	if e.Actor == "" {
		e.Actor = "anonymous"
	}
	if detail != nil {
		b, err := json.Marshal(detail)
		if err != nil {
			return err
		}
		e.Detail = b
	}
	return a.log.AppendAudit(c.Request().Context(), e)
}

// refused records that action, already recorded as attempted, was refused
// or failed with err (detail carries why). The action did not happen, so
// an entry that cannot be written is only logged.
func (a auditor) refused(c echo.Context, action, target string, err error, detail any) {
	if aerr := a.record(c, action, target, false, detail); aerr != nil {
		a.slog.Warn("audit of a refused action not written", "action", action, "target", target, "refused", err, "err", aerr)
	}
}

// list handles GET /api/v1/audit.
func (a auditor) list(c echo.Context) error {
	q := c.QueryParams()
	f := store.AuditFilter{Actor: q.Get("actor"), Action: q.Get("action"), Target: q.Get("target")}
	var err error
	if f.Since, err = timeParam(q.Get("since"), "since"); err != nil {
		return err
	}
	if f.Until, err = timeParam(q.Get("until"), "until"); err != nil {
		return err
	}
	if v := q.Get("before"); v != "" {
		if f.Before, err = strconv.ParseInt(v, 10, 64); err != nil || f.Before <= 0 {
			return badRequest("before", "must be a positive sequence number")
		}
	}
	if v := q.Get("limit"); v != "" {
		if f.Limit, err = strconv.Atoi(v); err != nil || f.Limit <= 0 || f.Limit > store.MaxLimit {
			return badRequest("limit", "must be 1..%d", store.MaxLimit)
		}
	}
	es, err := a.log.Audit(c.Request().Context(), f)
	if err != nil {
		return err
	}
	next := int64(0)
	if len(es) > 0 {
		next = es[len(es)-1].Seq
	}
	return c.JSON(http.StatusOK, map[string]any{"entries": nonNil(es), "next_before": next})
}
