package api

import (
	"net/http"
	"sync"
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
	deniedUsers     = 10000 // principals tracked before the oldest windows go
	maxDeniedTarget = 200
)

type deniedLimiter struct {
	mu    sync.Mutex
	users map[string]*deniedWindowState
}

type deniedWindowState struct {
	start   time.Time
	n       int
	dropped int
}

// allow says whether user's refusal at now is written, and how many were
// dropped since the last written one.
func (l *deniedLimiter) allow(user string, now time.Time) (bool, int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.users == nil {
		l.users = map[string]*deniedWindowState{}
	}
	w := l.users[user]
	if w == nil {
		if len(l.users) >= deniedUsers {
			for k, v := range l.users {
				if now.Sub(v.start) >= deniedWindow {
					delete(l.users, k)
				}
			}
		}
		w = &deniedWindowState{start: now}
		l.users[user] = w
	}
	if now.Sub(w.start) >= deniedWindow {
		w.start, w.n = now, 0
	}
	if w.n >= deniedBurst {
		w.dropped++
		return false, 0
	}
	w.n++
	dropped := w.dropped
	w.dropped = 0
	return true, dropped
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
