package api

import (
	"encoding/json"
	"net/http"
	"slices"
	"time"

	"github.com/labstack/echo/v4"

	"switchboard/auth"
)

// authRoutes: the account routes (accounts.go), the audit log (audit.go),
// who you are, and revealing a masked number.
func (s *Server) authRoutes() []route {
	dir := teamDirectory{src: s.cfg.Teams, agents: s.agents}
	accounts := accountHandlers{acc: s.cfg.Accounts, aud: s.aud, log: s.log, secureCookie: s.cfg.SecureCookie, privacy: s.cfg.Privacy, dir: dir}
	return slices.Concat(
		requires(s.cfg.Accounts != nil, errNoAccounts, accounts.routes()...),
		dir.routes(),
		requires(s.cfg.Audit != nil, errNoAudit, route{http.MethodGet, "/api/v1/audit", s.aud.list, admins}),
		[]route{
			{http.MethodGet, "/api/v1/auth/me", getMe, signedIn},
			{http.MethodPost, "/api/v1/calls/:id/reveal", s.revealCaller, allow(auth.TeamLead, auth.Supervisor)},
			{http.MethodPost, "/api/v1/messages/:id/reveal", s.revealMessageCaller, allow(auth.TeamLead, auth.Supervisor)},
		})
}

// timeParam reads an RFC 3339 time or a YYYY-MM-DD date (UTC midnight).
func timeParam(v, name string) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.DateOnly, v); err == nil {
		return t, nil
	}
	return time.Time{}, badRequest(name, "must be an RFC 3339 time or YYYY-MM-DD")
}

func nonNil[T any](v []T) []T {
	if v == nil {
		return []T{}
	}
	return v
}

// revealed is the answer to a reveal: one full number, sent unmasked.
type revealed struct {
	Number string `json:"number"`
}

func (s *Server) mayReveal(c echo.Context) error {
	p := principalOf(c)
	if !slices.Contains(s.cfg.Privacy.Reveal, p.Role) {
		return forbidden("role " + string(p.Role) + " may not reveal numbers")
	}
	return nil
}

func (s *Server) revealCaller(c echo.Context) error {
	if err := s.mayReveal(c); err != nil {
		return err
	}
	call, err := s.store.Call(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	if err := s.scope.callScope(c, call); err != nil {
		return err
	}
	if err := s.aud.record(c, "number.reveal", "call:"+call.ID, true, nil); err != nil {
		return err
	}
	b, _ := json.Marshal(revealed{Number: call.Caller})
	return c.JSONBlob(http.StatusOK, b)
}

func (s *Server) revealMessageCaller(c echo.Context) error {
	if err := s.mayReveal(c); err != nil {
		return err
	}
	if s.opt.messages == nil {
		return errNoMessages()
	}
	ms := s.opt.messages
	m, err := ms.Message(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	if err := s.scope.messageScope(c, m); err != nil {
		return err
	}
	if err := s.aud.record(c, "number.reveal", "message:"+m.ID, true, nil); err != nil {
		return err
	}
	b, _ := json.Marshal(revealed{Number: m.Caller})
	return c.JSONBlob(http.StatusOK, b)
}
