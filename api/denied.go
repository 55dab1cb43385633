package api

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
)

// Refusals of signed-in callers (403: a role, a scope, a CSRF token) are
// audited as "access.denied", so probing shows in the log with who and
// what. Each principal gets at most deniedBurst entries per deniedWindow:
// a compromised account hammering a route must not grow the append-only
// log without bound; the overflow is counted in the next entry written.
const (
	deniedBurst     = 20
	deniedWindow    = time.Minute
	deniedUsers     = 10000 // principals tracked before lapsed windows go
	maxDeniedTarget = 200
)

// deniedLimiter bounds access.denied entries per principal.
type deniedLimiter = windowLimiter

func newDeniedLimiter() *windowLimiter {
	return &windowLimiter{burst: deniedBurst, window: deniedWindow, maxUsers: deniedUsers}
}

// auditDenied records err when it refuses a signed-in caller. It never
// changes the answer: a failure to write is logged, and the refusal stands.
func (s *Server) auditDenied(c echo.Context, err error) {
	if err == nil || s.aud.log == nil {
		return
	}
	e := httpError(err)
	if e.Status != http.StatusForbidden {
		return
	}
	p := principalOf(c)
	if p.Username == "" {
		return
	}
	ok, dropped := s.denied.allow(p.Username, s.now())
	if !ok {
		return
	}
	target := c.Request().Method + " " + c.Request().URL.Path
	if len(target) > maxDeniedTarget {
		target = target[:maxDeniedTarget]
	}
	detail := map[string]any{"code": e.Code, "reason": e.Message}
	if dropped > 0 {
		detail["dropped_before"] = dropped
	}
	if aerr := s.aud.record(c, "access.denied", target, false, detail); aerr != nil {
		s.log.Warn("could not audit a refusal", "user", p.Username, "target", target, "err", aerr)
	}
}
