package api

import (
	"context"
	"encoding/json"

	"github.com/labstack/echo/v4"

	"switchboard/store"
)

// AuditLog is the append-only audit log (*store.Store is one).
type AuditLog interface {
	AppendAudit(ctx context.Context, e store.AuditEntry) error
	Audit(ctx context.Context, f store.AuditFilter) ([]store.AuditEntry, error)
}

var _ AuditLog = (*store.Store)(nil)

// audit records that the caller did action to target (ok false: it was
// refused or failed). detail is JSON-encoded (a before/after, a reason).
// An audited action whose record cannot be written must not happen, so
// callers return audit's error before acting when it is not nil.
func (s *Server) audit(c echo.Context, action, target string, ok bool, detail any) error {
	if s.cfg.Audit == nil {
		return errNoAudit()
	}
	p := principalOf(c)
	e := store.AuditEntry{Time: s.now(), Actor: p.Username, Role: string(p.Role), Addr: c.RealIP(),
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
	return s.cfg.Audit.AppendAudit(c.Request().Context(), e)
}
